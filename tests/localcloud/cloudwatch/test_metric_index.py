"""The alarm evaluator's index of moto's metric datums: incremental, by metric, in time order."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st
from moto.cloudwatch.models import MetricAggregatedDatum, MetricDatum, MetricDatumBase

from localcloud.cloudwatch.alarm_evaluation import AlarmDefinition, Datapoint, StatisticSet
from localcloud.cloudwatch.metric_index import MetricIndex, matching_samples

T0 = datetime(2026, 11, 28, 12, 0, 0)  # naive UTC, as moto stores it
ENDPOINT = [{"Name": "EndpointName", "Value": "e"}, {"Name": "VariantName", "Value": "AllTraffic"}]


def _datum(
    seconds: float, value: float = 1.0, name: str = "Invocation4XXErrors", **fields: object
) -> MetricDatum:
    dimensions = fields.pop("dimensions", ENDPOINT)
    return MetricDatum("AWS/SageMaker", name, value, dimensions, T0 + timedelta(seconds=seconds), **fields)  # type: ignore[arg-type]


def _alarm(name: str = "Invocation4XXErrors", unit: str | None = None) -> AlarmDefinition:
    return AlarmDefinition(
        namespace="AWS/SageMaker",
        metric_name=name,
        period=60,
        evaluation_periods=1,
        threshold=0.02,
        comparison_operator="GreaterThanThreshold",
        dimensions={"EndpointName": "e", "VariantName": "AllTraffic"},
        statistic="Average",
        unit=unit,
    )


def _values(index: MetricIndex, start: datetime | None = None, **alarm: str | None) -> list[float]:
    return [sample.value for sample in index.samples(_alarm(**alarm), start)]  # type: ignore[union-attr]


def test_a_refresh_takes_in_only_what_was_appended() -> None:
    data: list[MetricDatumBase] = [_datum(0, 1.0), _datum(1, 2.0)]
    index = MetricIndex()
    index.refresh(data)
    data.append(_datum(2, 3.0))
    assert _values(index) == [1.0, 2.0]  # not yet refreshed
    index.refresh(data)
    index.refresh(data)  # nothing new: nothing twice
    assert _values(index) == [1.0, 2.0, 3.0]
    assert index.indexed == 3


def test_samples_from_a_time_on_and_a_late_datum_in_its_place() -> None:
    data: list[MetricDatumBase] = [_datum(seconds, seconds) for seconds in (0, 10, 20, 30)]
    data.append(_datum(15, 15))  # put later with an older Timestamp
    index = MetricIndex()
    index.refresh(data)
    assert _values(index) == [0, 10, 15, 20, 30]
    assert _values(index, T0.replace(tzinfo=UTC) + timedelta(seconds=15)) == [15, 20, 30]
    assert _values(index, T0 + timedelta(seconds=31)) == []


def test_the_metric_is_namespace_name_and_exact_dimensions_and_the_unit_is_checked() -> None:
    data: list[MetricDatumBase] = [
        _datum(0, 1.0),
        _datum(1, 2.0, dimensions=ENDPOINT[:1]),  # fewer dimensions: another metric
        _datum(2, 3.0, name="Invocation5XXErrors"),
        _datum(3, 4.0, unit="Count"),
        MetricAggregatedDatum(
            "AWS/SageMaker", "Invocation4XXErrors", 0.0, 1.0, 2, 1.0, ENDPOINT, T0 + timedelta(seconds=1)
        ),
    ]
    index = MetricIndex()
    index.refresh(data)
    samples = index.samples(_alarm())
    assert [type(sample) for sample in samples] == [Datapoint, StatisticSet, Datapoint]
    assert _values(index, unit="Count") == [4.0]
    assert _values(index, name="Invocation5XXErrors") == [3.0]


def test_prune_forgets_old_samples_and_a_new_list_is_indexed_again() -> None:
    data: list[MetricDatumBase] = [_datum(seconds, seconds) for seconds in range(10)]
    index = MetricIndex()
    index.refresh(data)
    index.prune(T0 + timedelta(seconds=7))
    assert _values(index) == [7, 8, 9]
    replaced: list[MetricDatumBase] = [_datum(100, 100.0)]  # a reset backend's list
    index.refresh(replaced)
    assert _values(index) == [100.0]
    replaced.clear()
    index.refresh(replaced)
    assert _values(index) == []


@given(
    st.lists(st.tuples(st.integers(0, 300), st.sampled_from(["e", "f"])), max_size=60), st.integers(0, 300)
)
def test_the_index_reads_what_a_scan_of_everything_reads(puts: list[tuple[int, str]], start: int) -> None:
    data: list[MetricDatumBase] = []
    index = MetricIndex()
    for number, (seconds, endpoint) in enumerate(puts):
        dimensions = [
            {"Name": "EndpointName", "Value": endpoint},
            {"Name": "VariantName", "Value": "AllTraffic"},
        ]
        data.append(_datum(seconds, float(number), dimensions=dimensions))
        if number % 7 == 0:
            index.refresh(data)
    index.refresh(data)
    since = T0 + timedelta(seconds=start)
    scanned = [s for s in matching_samples(_alarm(), data) if s.timestamp >= since]
    indexed = index.samples(_alarm(), since)
    key = lambda sample: (sample.timestamp, sample.value)  # noqa: E731
    assert sorted(indexed, key=key) == sorted(scanned, key=key)
    assert [s.timestamp for s in indexed] == sorted(s.timestamp for s in indexed)
