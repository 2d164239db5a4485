"""moto's metric datums of one CloudWatch backend, by metric and in time order, for the alarm evaluator.

moto keeps every PutMetricData datum in one list, `CloudWatchBackend.metric_data`, which only grows.
Rebuilding an index of it for each evaluation cost time in proportion to everything ever put: 12 ms at
10,000 datums, 550 ms at 200,000 (a few minutes of an endpoint called continuously, five datums per call),
every second and at every rollout check, holding the GIL. This index is kept with the backend and takes
in only what was appended since the last pass; a read returns the samples from a given time on, found by
bisection, so an evaluation costs what its alarm's window holds.

- A bucket is one metric: namespace, name and exact dimension set (CloudWatch's metric identity); the unit
  is checked at read time, since an alarm without a Unit sees every unit.
- Each bucket is in timestamp order. Live data arrives in order and is appended; a datum put with an
  older `Timestamp` is inserted in its place.
- `prune(before)` forgets what is older than any alarm can look back (CloudWatch caps Period x
  EvaluationPeriods at one day); moto's own list is left as it is, for GetMetricStatistics and friends.
- A new metric_data list (a reset backend) or a shorter one is indexed again from the start.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from moto.cloudwatch.models import (
    CloudWatchBackend,
    MetricAggregatedDatum,
    MetricDatum,
    MetricDatumBase,
)

from localcloud.cloudwatch.alarm_evaluation import AlarmDefinition, Datapoint, Sample, StatisticSet, as_utc

MetricKey = tuple[str, str, frozenset[tuple[str, str]]]
# Where the index is kept on a backend (a reset backend is a new object, without one).
_INDEX_ATTRIBUTE = "localcloud_metric_index"


def dimension_set(dimensions: Iterable[Any]) -> frozenset[tuple[str, str]]:
    return frozenset((str(d.name), str(d.value)) for d in dimensions)


def as_sample(datum: MetricDatumBase) -> Sample | None:
    """A moto datum as an alarm_evaluation sample (None for a kind moto may add later)."""
    if isinstance(datum, MetricDatum):
        return Datapoint(datum.timestamp, float(datum.value))
    if isinstance(datum, MetricAggregatedDatum):
        return StatisticSet(
            datum.timestamp, float(datum.sample_count), float(datum.sum), float(datum.min), float(datum.max)
        )
    return None


def _naive_utc(moment: datetime) -> datetime:
    """As moto stores timestamps: naive UTC (moto's own object when it is one already)."""
    return moment if moment.tzinfo is None else as_utc(moment).replace(tzinfo=None)


def _metric_key(definition: AlarmDefinition) -> MetricKey:
    dimensions = frozenset(definition.dimensions.items())
    return (str(definition.namespace), str(definition.metric_name), dimensions)


def _datum_key(datum: MetricDatumBase) -> MetricKey:
    return (datum.namespace, datum.name, dimension_set(datum.dimensions))


def _samples_in_unit(definition: AlarmDefinition, datums: Iterable[MetricDatumBase]) -> list[Sample]:
    """The datums as samples, those of the alarm's Unit only when it has one."""
    found = []
    for datum in datums:
        if definition.unit is not None and (datum.unit or "None") != definition.unit:
            continue
        sample = as_sample(datum)
        if sample is not None:
            found.append(sample)
    return found


def matching_samples(definition: AlarmDefinition, data: Iterable[MetricDatumBase]) -> list[Sample]:
    """The samples among `data` of the alarm's metric (namespace, name, exact dimension set, unit)."""
    wanted = _metric_key(definition)
    return _samples_in_unit(definition, (datum for datum in data if _datum_key(datum) == wanted))


@dataclass
class _Bucket:
    times: list[datetime] = field(default_factory=list)  # naive UTC, ascending
    datums: list[MetricDatumBase] = field(default_factory=list)

    def add(self, datum: MetricDatumBase) -> None:
        moment = _naive_utc(datum.timestamp)
        if not self.times or moment >= self.times[-1]:
            self.times.append(moment)
            self.datums.append(datum)
            return
        position = bisect.bisect_right(self.times, moment)
        self.times.insert(position, moment)
        self.datums.insert(position, datum)

    def since(self, start: datetime | None) -> list[MetricDatumBase]:
        first = 0 if start is None else bisect.bisect_left(self.times, _naive_utc(start))
        return self.datums[first:]

    def prune(self, before: datetime) -> None:
        old = bisect.bisect_left(self.times, _naive_utc(before))
        if old:
            del self.times[:old]
            del self.datums[:old]


@dataclass
class MetricIndex:
    source: list[MetricDatumBase] | None = None
    indexed: int = 0
    buckets: dict[MetricKey, _Bucket] = field(default_factory=dict)

    def refresh(self, data: list[MetricDatumBase]) -> None:
        """Take in what was appended to `data` (moto's metric_data) since the last call."""
        if data is not self.source or len(data) < self.indexed:
            self.source, self.indexed, self.buckets = data, 0, {}
        new = data[self.indexed :]  # one slice under the GIL: request threads may append meanwhile
        for datum in new:
            key = _datum_key(datum)
            bucket = self.buckets.get(key)
            if bucket is None:
                bucket = self.buckets[key] = _Bucket()
            bucket.add(datum)
        self.indexed += len(new)

    def samples(self, definition: AlarmDefinition, start: datetime | None = None) -> list[Sample]:
        """The alarm's metric's samples timestamped at `start` or later (all when None)."""
        bucket = self.buckets.get(_metric_key(definition))
        return [] if bucket is None else _samples_in_unit(definition, bucket.since(start))

    def prune(self, before: datetime) -> None:
        """Forget the samples timestamped before `before`."""
        for bucket in self.buckets.values():
            bucket.prune(before)


def index_of(backend: CloudWatchBackend) -> MetricIndex:
    """The backend's index, brought up to date with its metric_data (caller holds ALARM_STATE_LOCK)."""
    index = backend.__dict__.get(_INDEX_ATTRIBUTE)
    if index is None:
        index = MetricIndex()
        backend.__dict__[_INDEX_ATTRIBUTE] = index
    index.refresh(backend.metric_data)
    return index
