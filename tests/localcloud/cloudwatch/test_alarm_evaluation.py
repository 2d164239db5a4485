"""CloudWatch alarm evaluation without moto: statistics, periods, M of N, operators, missing data, reasons.

The User Guide's tables ("Configuring how CloudWatch alarms treat missing data") are checked row by row
in test_user_guide_*; the time is fixed so that reasons and reason data can be compared verbatim.
"""

from __future__ import annotations

import dataclasses
import json
import math
from datetime import UTC, datetime, timedelta
from fractions import Fraction
from typing import Any

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from localcloud.cloudwatch.alarm_evaluation import (
    ALARM,
    INSUFFICIENT_DATA,
    OK,
    STATES,
    AlarmDefinition,
    Datapoint,
    StatisticSet,
    compute_statistic,
    evaluate_alarm,
    format_value,
    minimum_significant_samples,
    percentile_of,
    period_datapoints,
)

NOW = datetime(2026, 11, 27, 23, 11, 0, tzinfo=UTC)
PERIOD = 60


def at(age: int, *, offset: float | None = None, period: int = PERIOD) -> datetime:
    """A time inside the period `age` periods before the newest one (age 0: the newest); `offset`
    seconds before that period's end (default: its middle)."""
    return NOW - timedelta(seconds=age * period + (period / 2 if offset is None else offset))


def alarm(**fields: Any) -> AlarmDefinition:
    defaults: dict[str, Any] = {
        "namespace": "AWS/SageMaker",
        "metric_name": "Invocation5XXErrors",
        "period": PERIOD,
        "evaluation_periods": 1,
        "threshold": 0.01,
        "comparison_operator": "GreaterThanThreshold",
        "dimensions": {"EndpointName": "ep", "VariantName": "AllTraffic"},
        "statistic": "Average",
    }
    defaults.update(fields)
    return AlarmDefinition(**defaults)


def pattern_points(pattern: str, breaching: float = 5.0, good: float = 0.0) -> list[Datapoint]:
    """The User Guide's notation, oldest first: X breaching, 0 not breaching, - missing."""
    slots = pattern.split()
    return [
        Datapoint(at(len(slots) - 1 - index), breaching if slot == "X" else good)
        for index, slot in enumerate(slots)
        if slot != "-"
    ]


# --- statistics -----------------------------------------------------------------------------------

SAMPLES = [Datapoint(NOW, 1.0), Datapoint(NOW, 2.0), Datapoint(NOW, 3.0), Datapoint(NOW, 10.0)]
WITH_SET = [*SAMPLES, StatisticSet(NOW, sample_count=2, sum=9.0, minimum=-1.0, maximum=10.0)]


@pytest.mark.parametrize(
    ("statistic", "samples", "expected"),
    [
        ("SampleCount", SAMPLES, 4.0),
        ("Sum", SAMPLES, 16.0),
        ("Average", SAMPLES, 4.0),
        ("Minimum", SAMPLES, 1.0),
        ("Maximum", SAMPLES, 10.0),
        ("SampleCount", WITH_SET, 6.0),
        ("Sum", WITH_SET, 25.0),
        ("Average", WITH_SET, 25.0 / 6),
        ("Minimum", WITH_SET, -1.0),
        ("Maximum", WITH_SET, 10.0),
        ("p0", SAMPLES, 1.0),
        ("p25", SAMPLES, 1.0),  # rank ceil(0.25 x 4) = 1
        ("p50", SAMPLES, 2.0),  # rank 2
        ("p50.1", SAMPLES, 3.0),  # rank ceil(2.004) = 3
        ("p75", SAMPLES, 3.0),
        ("p99", SAMPLES, 10.0),
        ("p100", SAMPLES, 10.0),
    ],
)
def test_statistics_of_one_period(statistic: str, samples: list[Any], expected: float) -> None:
    assert compute_statistic(statistic, samples) == pytest.approx(expected)


def test_a_percentile_uses_a_statistic_set_only_when_it_repeats_one_value() -> None:
    repeated = StatisticSet(NOW, sample_count=3, sum=21.0, minimum=7.0, maximum=7.0)
    assert compute_statistic("p50", [Datapoint(NOW, 1.0), repeated]) == 7.0  # values 1, 7, 7, 7
    assert compute_statistic("p50", [Datapoint(NOW, 1.0), WITH_SET[-1]]) is None


def test_no_samples_is_no_datapoint_for_every_statistic() -> None:
    for statistic in ("SampleCount", "Sum", "Average", "Minimum", "Maximum", "p90"):
        assert compute_statistic(statistic, []) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [("p99", Fraction(99)), ("p99.9", Fraction(999, 10)), ("p0", Fraction(0)), ("p100", Fraction(100))],
)
def test_percentile_names(text: str, expected: Fraction) -> None:
    assert percentile_of(text) == expected


@pytest.mark.parametrize("text", ["p101", "tm99", "wm99", "IQM", "PR(:300)", "p", "99"])
def test_other_extended_statistics_are_not_percentiles(text: str) -> None:
    assert percentile_of(text) is None


@pytest.mark.parametrize(
    ("statistic", "threshold", "state"),
    [
        ("SampleCount", 3.5, ALARM),
        ("SampleCount", 4.0, OK),
        ("Sum", 15.9, ALARM),
        ("Sum", 16.0, OK),
        ("Average", 3.9, ALARM),
        ("Average", 4.0, OK),
        ("Minimum", 0.9, ALARM),
        ("Minimum", 1.0, OK),
        ("Maximum", 9.9, ALARM),
        ("Maximum", 10.0, OK),
    ],
)
def test_the_statistic_decides_the_state(statistic: str, threshold: float, state: str) -> None:
    points = [
        Datapoint(at(0, offset=offset), point.value)
        for offset, point in zip((1, 2, 3, 4), SAMPLES, strict=True)
    ]
    evaluation = evaluate_alarm(alarm(statistic=statistic, threshold=threshold), points, NOW)
    assert evaluation.state == state


@pytest.mark.parametrize(("statistic", "threshold", "state"), [("p50", 1.9, ALARM), ("p50", 2.0, OK)])
def test_a_percentile_alarm(statistic: str, threshold: float, state: str) -> None:
    points = [
        Datapoint(at(0, offset=offset), point.value)
        for offset, point in zip((1, 2, 3, 4), SAMPLES, strict=True)
    ]
    definition = alarm(statistic=None, extended_statistic=statistic, threshold=threshold)
    evaluation = evaluate_alarm(definition, points, NOW)
    assert evaluation.state == state
    assert evaluation.reason_data["extendedStatistic"] == statistic
    assert "statistic" not in evaluation.reason_data


# --- periods and windows --------------------------------------------------------------------------


def test_periods_slide_back_from_now_and_end_inclusive() -> None:
    definition = alarm(evaluation_periods=2)
    boundary = NOW - timedelta(seconds=PERIOD)  # the end of the older period, not in the newer one
    points = [Datapoint(NOW, 1.0), Datapoint(boundary, 2.0), Datapoint(boundary - timedelta(seconds=1), 3.0)]
    older, newer = period_datapoints(definition, points, NOW, 2)
    assert (newer.start, newer.end) == (NOW - timedelta(seconds=PERIOD), NOW)
    assert newer.value == 1.0
    assert (older.value, older.sample_count) == (2.5, 2.0)


def test_data_older_than_the_evaluated_periods_or_in_the_future_is_not_used() -> None:
    points = [Datapoint(at(1), 5.0), Datapoint(NOW + timedelta(seconds=1), 5.0)]
    evaluation = evaluate_alarm(alarm(), points, NOW)
    assert evaluation.state == INSUFFICIENT_DATA


def test_the_period_length_decides_which_data_is_in_a_period() -> None:
    point = [Datapoint(NOW - timedelta(seconds=90), 5.0)]
    assert evaluate_alarm(alarm(period=60), point, NOW).state == INSUFFICIENT_DATA
    assert evaluate_alarm(alarm(period=300), point, NOW).state == ALARM


def test_pairs_of_timestamp_and_value_are_datapoints() -> None:
    assert evaluate_alarm(alarm(), [(at(0), 0.5)], NOW).state == ALARM


def test_naive_timestamps_are_utc() -> None:
    naive = at(0).replace(tzinfo=None)
    assert evaluate_alarm(alarm(), [Datapoint(naive, 0.5)], NOW).state == ALARM


# --- evaluation periods, datapoints to alarm ------------------------------------------------------


@pytest.mark.parametrize(
    ("pattern", "datapoints_to_alarm", "state"),
    [
        ("X X X", None, ALARM),
        ("0 X X", None, OK),
        ("X X 0", None, OK),
        ("X 0 X", 2, ALARM),
        ("0 0 X", 2, OK),
        ("0 0 X", 1, ALARM),
        ("0 0 0", 1, OK),
    ],
)
def test_m_out_of_n(pattern: str, datapoints_to_alarm: int | None, state: str) -> None:
    definition = alarm(evaluation_periods=3, datapoints_to_alarm=datapoints_to_alarm, threshold=1.0)
    assert evaluate_alarm(definition, pattern_points(pattern), NOW).state == state


def test_only_the_last_n_periods_count() -> None:
    # Three breaching periods long ago and one good one now: N = 1 sees only the good one.
    definition = alarm(threshold=1.0)
    points = [*pattern_points("X X X 0")]
    assert evaluate_alarm(definition, points, NOW).state == OK
    assert evaluate_alarm(
        alarm(threshold=1.0, evaluation_periods=4, datapoints_to_alarm=3), points, NOW
    ).state == (ALARM)


# --- comparison operators and threshold edges -----------------------------------------------------


@pytest.mark.parametrize(
    ("operator", "value", "state"),
    [
        ("GreaterThanThreshold", 1.0, OK),
        ("GreaterThanThreshold", math.nextafter(1.0, 2.0), ALARM),
        ("GreaterThanOrEqualToThreshold", 1.0, ALARM),
        ("GreaterThanOrEqualToThreshold", math.nextafter(1.0, 0.0), OK),
        ("LessThanThreshold", 1.0, OK),
        ("LessThanThreshold", math.nextafter(1.0, 0.0), ALARM),
        ("LessThanOrEqualToThreshold", 1.0, ALARM),
        ("LessThanOrEqualToThreshold", math.nextafter(1.0, 2.0), OK),
    ],
)
def test_comparison_operators_at_the_threshold(operator: str, value: float, state: str) -> None:
    definition = alarm(comparison_operator=operator, threshold=1.0)
    assert evaluate_alarm(definition, [Datapoint(at(0), value)], NOW).state == state


@pytest.mark.parametrize(
    ("operator", "words"),
    [
        ("GreaterThanThreshold", "greater than"),
        ("GreaterThanOrEqualToThreshold", "greater than or equal to"),
        ("LessThanThreshold", "less than"),
        ("LessThanOrEqualToThreshold", "less than or equal to"),
    ],
)
def test_each_operator_in_the_reason(operator: str, words: str) -> None:
    definition = alarm(comparison_operator=operator, threshold=1.0, datapoints_to_alarm=1)
    breaching_value = 0.0 if operator.startswith("Less") else 2.0
    alarmed = evaluate_alarm(definition, [Datapoint(at(0), breaching_value)], NOW)
    fine = evaluate_alarm(definition, [Datapoint(at(0), 2.0 - breaching_value)], NOW)
    assert (alarmed.state, fine.state) == (ALARM, OK)
    assert f"] was {words} the threshold (1.0)" in alarmed.reason
    assert f"] was not {words} the threshold (1.0)" in fine.reason


# --- missing data: the User Guide's tables (evaluation range 5, newest datapoint on the right) ----

TREATMENTS = ("missing", "ignore", "breaching", "notBreaching")
KEEP = "keep"  # "Retain current state"

USER_GUIDE_3_OF_3 = [
    ("0 - X - X", (OK, OK, OK, OK)),
    ("0 - - - -", (OK, OK, OK, OK)),
    ("- - - - -", (INSUFFICIENT_DATA, KEEP, ALARM, OK)),
    ("0 X X - X", (ALARM, ALARM, ALARM, ALARM)),
    ("- - X - -", (ALARM, KEEP, ALARM, OK)),
]
USER_GUIDE_2_OF_3 = [
    ("0 - X - X", (ALARM, ALARM, ALARM, ALARM)),
    ("0 0 X 0 X", (ALARM, ALARM, ALARM, ALARM)),
    ("0 - X - -", (OK, OK, ALARM, OK)),
    ("- - - - 0", (OK, OK, ALARM, OK)),
    ("- - - X -", (ALARM, KEEP, ALARM, OK)),
]


def _user_guide_state(pattern: str, datapoints_to_alarm: int, treatment: str) -> str:
    definition = alarm(
        evaluation_periods=3,
        datapoints_to_alarm=datapoints_to_alarm,
        threshold=1.0,
        treat_missing_data=treatment,
    )
    states = {
        current: evaluate_alarm(
            definition, pattern_points(pattern), NOW, current_state=current, evaluation_range=5
        ).state
        for current in STATES
    }
    if all(state == current for current, state in states.items()):
        return KEEP
    assert len(set(states.values())) == 1, states  # only `ignore` may depend on the current state
    return states[OK]


@pytest.mark.parametrize(("pattern", "expected"), USER_GUIDE_3_OF_3)
def test_user_guide_3_of_3(pattern: str, expected: tuple[str, ...]) -> None:
    assert tuple(_user_guide_state(pattern, 3, treatment) for treatment in TREATMENTS) == expected


@pytest.mark.parametrize(("pattern", "expected"), USER_GUIDE_2_OF_3)
def test_user_guide_2_of_3(pattern: str, expected: tuple[str, ...]) -> None:
    assert tuple(_user_guide_state(pattern, 2, treatment) for treatment in TREATMENTS) == expected


def test_premature_alarm_waits_until_the_breaching_datapoint_is_m_periods_old() -> None:
    # User Guide: "- - - - X" and "- - - X -" do not alarm a 3 of 3 alarm yet; "- - X - -" does.
    definition = alarm(evaluation_periods=3, threshold=1.0)
    states = [
        evaluate_alarm(definition, pattern_points(pattern), NOW, evaluation_range=5).state
        for pattern in ("- - - - X", "- - - X -", "- - X - -")
    ]
    assert states == [OK, OK, ALARM]


def test_without_look_back_only_the_last_n_periods_are_the_range() -> None:
    # "0 - X - X" with a range of 5 is OK for 3 of 3 (0, X, X); without look-back the range is
    # "X - X": two real breaching datapoints, the oldest 3 periods old, the rest missing -> ALARM.
    definition = alarm(evaluation_periods=3, threshold=1.0)
    assert evaluate_alarm(definition, pattern_points("0 - X - X"), NOW).state == ALARM


def test_missing_is_the_default_treatment() -> None:
    assert evaluate_alarm(alarm(), [], NOW, current_state=OK).state == INSUFFICIENT_DATA


def test_dynamodb_alarms_always_ignore_missing_data() -> None:
    definition = alarm(namespace="AWS/DynamoDB", treat_missing_data="breaching")
    assert evaluate_alarm(definition, [], NOW, current_state=OK).state == OK
    assert evaluate_alarm(definition, [], NOW, current_state=ALARM).state == ALARM


def test_ignore_keeps_the_current_state_and_says_so() -> None:
    evaluation = evaluate_alarm(alarm(treat_missing_data="ignore"), [], NOW, current_state=ALARM)
    assert (evaluation.state, evaluation.changed) == (ALARM, False)
    assert "missing data is ignored" in evaluation.reason


# --- low sample counts of percentiles -------------------------------------------------------------


@pytest.mark.parametrize(
    ("percentile", "needed"),
    [("p99", 1000), ("p50", 20), ("p90", 100), ("p10", 100), ("p25", 40), ("p0", None), ("p100", None)],
)
def test_minimum_significant_samples(percentile: str, needed: int | None) -> None:
    fraction = percentile_of(percentile)
    assert fraction is not None
    assert minimum_significant_samples(fraction) == needed


@pytest.mark.parametrize(
    ("samples", "low_sample_setting", "state"),
    [(19, "ignore", OK), (20, "ignore", ALARM), (19, "evaluate", ALARM), (19, None, ALARM)],
)
def test_low_sample_percentiles(samples: int, low_sample_setting: str | None, state: str) -> None:
    definition = alarm(
        statistic=None,
        extended_statistic="p50",
        threshold=1.0,
        evaluate_low_sample_count_percentile=low_sample_setting,
    )
    points = [Datapoint(at(0, offset=index / 10), 5.0) for index in range(samples)]
    evaluation = evaluate_alarm(definition, points, NOW, current_state=OK)
    assert evaluation.state == state
    if state == OK:
        assert evaluation.reason.startswith(
            "Low sample count: 1 datapoint of p50 was computed from fewer than 20.0"
        )


# --- reasons --------------------------------------------------------------------------------------


def test_reason_out_of_the_last_n_form() -> None:
    evaluation = evaluate_alarm(alarm(datapoints_to_alarm=1), [Datapoint(at(0), 0.1)], NOW, current_state=OK)
    assert evaluation.reason == (
        "Threshold Crossed: 1 out of the last 1 datapoints [0.1 (27/11/26 23:10:00)] was greater than the "
        "threshold (0.01) (minimum 1 datapoint for OK -> ALARM transition)."
    )
    assert evaluation.changed


def test_reason_short_form_without_datapoints_to_alarm() -> None:
    evaluation = evaluate_alarm(alarm(), [Datapoint(at(0), 0.1)], NOW)
    assert evaluation.reason == (
        "Threshold Crossed: 1 datapoint [0.1 (27/11/26 23:10:00)] was greater than the threshold (0.01)."
    )


def test_reason_for_ok_names_the_good_datapoints_newest_first() -> None:
    definition = alarm(evaluation_periods=3, datapoints_to_alarm=2, threshold=1.0)
    evaluation = evaluate_alarm(definition, pattern_points("0 0 X", good=0.5), NOW)
    assert evaluation.reason == (
        "Threshold Crossed: 2 out of the last 3 datapoints [0.5 (27/11/26 23:09:00), "
        "0.5 (27/11/26 23:08:00)] were not greater than the threshold (1.0) (minimum 2 datapoints for "
        "ALARM -> OK transition)."
    )


def test_reasons_for_missing_data() -> None:
    assert evaluate_alarm(alarm(), [], NOW).reason == "Insufficient Data: 1 datapoint was unknown."
    assert evaluate_alarm(alarm(evaluation_periods=5), [], NOW).reason == (
        "Insufficient Data: 5 datapoints were unknown."
    )
    assert evaluate_alarm(alarm(treat_missing_data="notBreaching"), [], NOW).reason == (
        "Threshold Crossed: no datapoints were received for 1 period and 1 missing datapoint was treated as "
        "[NonBreaching]."
    )
    assert evaluate_alarm(alarm(evaluation_periods=2, treat_missing_data="breaching"), [], NOW).reason == (
        "Threshold Crossed: no datapoints were received for 2 periods and 2 missing datapoints were "
        "treated as [Breaching]."
    )


def test_reason_when_some_missing_datapoints_are_filled() -> None:
    definition = alarm(
        evaluation_periods=3, datapoints_to_alarm=3, threshold=1.0, treat_missing_data="breaching"
    )
    evaluation = evaluate_alarm(definition, pattern_points("- X -"), NOW)
    assert evaluation.state == ALARM
    assert evaluation.reason == (
        "Threshold Crossed: 3 out of the last 3 datapoints [5.0 (27/11/26 23:09:00)] were greater than the "
        "threshold (1.0) (minimum 3 datapoints for OK -> ALARM transition). 2 missing datapoints were "
        "treated as [Breaching]."
    )


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (1.0, "1.0"),
        (0.1, "0.1"),
        (0.01, "0.01"),
        (99.83333333333333, "99.83333333333333"),
        (1e7, "1.0E7"),
        (12345678.9, "1.23456789E7"),
        (0.0001234, "1.234E-4"),
        (-2.5, "-2.5"),
        (0.0, "0.0"),
    ],
)
def test_values_print_as_java_doubles(value: float, text: str) -> None:
    assert format_value(value) == text


# --- reason data ----------------------------------------------------------------------------------


def test_reason_data_of_an_alarm() -> None:
    definition = alarm(evaluation_periods=2, datapoints_to_alarm=1, unit="None")
    points = [Datapoint(at(1), 0.0), Datapoint(at(0, offset=10), 1.0), Datapoint(at(0, offset=20), 0.0)]
    evaluation = evaluate_alarm(definition, points, NOW)
    assert evaluation.state == ALARM
    assert evaluation.reason_data == {
        "version": "1.0",
        "queryDate": "2026-11-27T23:11:00.000+0000",
        "startDate": "2026-11-27T23:09:00.000+0000",
        "unit": "None",
        "statistic": "Average",
        "period": 60,
        "recentDatapoints": [0.0, 0.5],
        "threshold": 0.01,
        "evaluatedDatapoints": [
            {"timestamp": "2026-11-27T23:10:00.000+0000", "sampleCount": 2.0, "value": 0.5},
            {"timestamp": "2026-11-27T23:09:00.000+0000", "sampleCount": 1.0, "value": 0.0},
        ],
    }
    assert json.loads(evaluation.reason_data_json()) == evaluation.reason_data
    assert " " not in evaluation.reason_data_json()  # compact, as CloudWatch writes it


def test_reason_data_without_data_has_no_start_date_and_timestamps_only() -> None:
    evaluation = evaluate_alarm(alarm(evaluation_periods=2), [], NOW)
    assert evaluation.reason_data == {
        "version": "1.0",
        "queryDate": "2026-11-27T23:11:00.000+0000",
        "statistic": "Average",
        "period": 60,
        "recentDatapoints": [],
        "threshold": 0.01,
        "evaluatedDatapoints": [
            {"timestamp": "2026-11-27T23:10:00.000+0000"},
            {"timestamp": "2026-11-27T23:09:00.000+0000"},
        ],
    }


# --- not emulated, invalid ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "words"),
    [
        (
            {"comparison_operator": "LessThanLowerOrGreaterThanUpperThreshold", "threshold_metric_id": "ad1"},
            "anomaly",
        ),
        ({"comparison_operator": "GreaterThanUpperThreshold"}, "anomaly"),
        (
            {"has_metric_queries": True, "namespace": None, "metric_name": None, "statistic": None},
            "metric math",
        ),
        ({"statistic": None, "extended_statistic": "tm99"}, "tm99"),
    ],
)
def test_what_is_not_emulated_is_not_guessed(fields: dict[str, Any], words: str) -> None:
    evaluation = evaluate_alarm(alarm(**fields), [Datapoint(at(0), 100.0)], NOW, current_state=OK)
    assert (evaluation.state, evaluation.emulated) == (INSUFFICIENT_DATA, False)
    assert evaluation.reason.startswith("Unchecked: ")
    assert "not emulated" in evaluation.reason
    assert words in evaluation.reason


@pytest.mark.parametrize(
    "fields",
    [
        {"datapoints_to_alarm": 2},
        {"datapoints_to_alarm": 0},
        {"evaluation_periods": 0},
        {"period": 0},
        {"comparison_operator": "Bigger"},
        {"statistic": "Median"},
        {"statistic": None},
        {"extended_statistic": "p90"},  # and Statistic: both
        {"treat_missing_data": "sometimes"},
        {"threshold": None},
    ],
)
def test_invalid_definitions_raise(fields: dict[str, Any]) -> None:
    with pytest.raises(ValueError):
        evaluate_alarm(alarm(**fields), [], NOW)


def test_the_evaluation_range_cannot_be_shorter_than_the_evaluation_periods() -> None:
    with pytest.raises(ValueError, match="evaluation range"):
        evaluate_alarm(alarm(evaluation_periods=3), [], NOW, evaluation_range=2)


# --- properties -----------------------------------------------------------------------------------

_values = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False, allow_infinity=False)
_operators = st.sampled_from(
    [
        "GreaterThanThreshold",
        "GreaterThanOrEqualToThreshold",
        "LessThanThreshold",
        "LessThanOrEqualToThreshold",
    ]
)
_statistics = st.sampled_from(["SampleCount", "Sum", "Average", "Minimum", "Maximum", "p50", "p90", "p99.9"])


@st.composite
def _definitions(draw: st.DrawFn, **fixed: Any) -> AlarmDefinition:
    n = draw(st.integers(min_value=1, max_value=5))
    statistic = draw(_statistics)
    fields: dict[str, Any] = {
        "evaluation_periods": n,
        "datapoints_to_alarm": draw(st.none() | st.integers(min_value=1, max_value=n)),
        "comparison_operator": draw(_operators),
        "threshold": draw(_values),
        "statistic": None if statistic.startswith("p") else statistic,
        "extended_statistic": statistic if statistic.startswith("p") else None,
        "period": draw(st.sampled_from([10, 60, 300])),
    }
    fields.update(fixed)
    return alarm(**fields)


@given(
    st.lists(_values, max_size=20),
    st.lists(st.tuples(st.integers(min_value=1, max_value=50), _values, _values), max_size=3),
)
def test_sum_is_average_times_sample_count(raw: list[float], sets: list[tuple[int, float, float]]) -> None:
    samples: list[Any] = [Datapoint(NOW, value) for value in raw]
    for count, a, b in sets:
        low, high = min(a, b), max(a, b)
        samples.append(StatisticSet(NOW, count, sum=(low + high) / 2 * count, minimum=low, maximum=high))
    assume(samples)
    total, average, count = (compute_statistic(name, samples) for name in ("Sum", "Average", "SampleCount"))
    assert total is not None and average is not None and count is not None
    assert count == len(raw) + sum(c for c, _, _ in sets)
    assert math.isclose(total, average * count, rel_tol=1e-9, abs_tol=1e-6)


@given(st.lists(_values, min_size=1, max_size=50), st.integers(min_value=0, max_value=10000))
def test_a_percentile_is_one_of_the_values_between_minimum_and_maximum(
    values: list[float], hundredths: int
) -> None:
    samples = [Datapoint(NOW, value) for value in values]
    percentile = compute_statistic(f"p{hundredths / 100:.2f}", samples)
    assert percentile in values
    assert min(values) <= percentile <= max(values)


@given(_definitions(treat_missing_data="notBreaching"), st.sampled_from(STATES))
def test_not_breaching_never_alarms_without_data(definition: AlarmDefinition, current: str) -> None:
    assert evaluate_alarm(definition, [], NOW, current_state=current).state == OK


@given(_definitions(treat_missing_data="breaching"), st.sampled_from(STATES))
def test_breaching_always_alarms_without_data(definition: AlarmDefinition, current: str) -> None:
    assert evaluate_alarm(definition, [], NOW, current_state=current).state == ALARM


@given(_definitions(), st.sampled_from(STATES))
def test_missing_data_with_the_default_is_insufficient_data(
    definition: AlarmDefinition, current: str
) -> None:
    assert evaluate_alarm(definition, [], NOW, current_state=current).state == INSUFFICIENT_DATA


@given(_definitions(), st.data())
def test_with_every_period_present_the_treatment_of_missing_data_does_not_matter(
    definition: AlarmDefinition, data: st.DataObject
) -> None:
    assert definition.period is not None
    values = data.draw(
        st.lists(_values, min_size=definition.evaluation_periods, max_size=definition.evaluation_periods)
    )
    points = [Datapoint(at(age, period=definition.period), value) for age, value in enumerate(values)]
    outcomes = set()
    for treatment in ("missing", "ignore", "breaching", "notBreaching"):
        changed = dataclasses.replace(definition, treat_missing_data=treatment)
        evaluation = evaluate_alarm(changed, points, NOW, current_state=INSUFFICIENT_DATA)
        outcomes.add((evaluation.state, evaluation.reason))
        assert json.loads(evaluation.reason_data_json())["version"] == "1.0"
    assert len(outcomes) == 1
    assert outcomes.pop()[0] in (OK, ALARM)


@given(_definitions(comparison_operator="GreaterThanThreshold"), st.data())
def test_a_lower_threshold_never_turns_an_alarm_off(definition: AlarmDefinition, data: st.DataObject) -> None:
    assert definition.period is not None and definition.threshold is not None
    values = data.draw(st.lists(_values, max_size=2 * definition.evaluation_periods))
    points = [
        Datapoint(at(index // 2, period=definition.period), value) for index, value in enumerate(values)
    ]
    lower = dataclasses.replace(definition, threshold=definition.threshold - data.draw(st.floats(0, 1e3)))
    before = evaluate_alarm(definition, points, NOW, current_state=OK).state
    after = evaluate_alarm(lower, points, NOW, current_state=OK).state
    if before == ALARM:
        assert after == ALARM


@given(_values, _values)
def test_opposite_operators_disagree_on_every_datapoint(value: float, threshold: float) -> None:
    greater = alarm(comparison_operator="GreaterThanThreshold", threshold=threshold)
    at_most = alarm(comparison_operator="LessThanOrEqualToThreshold", threshold=threshold)
    points = [Datapoint(at(0), value)]
    assert {evaluate_alarm(greater, points, NOW).state, evaluate_alarm(at_most, points, NOW).state} == {
        OK,
        ALARM,
    }
