"""CloudWatch metric alarm evaluation as the CloudWatch User Guide describes it: pure functions, no moto.

`evaluate_alarm(definition, datapoints, now, current_state=...)` answers what state an alarm is in at
`now`, with CloudWatch's StateReason text and StateReasonData JSON. What it follows, section by section
of the User Guide ("Using Amazon CloudWatch alarms"):

- Evaluating an alarm: *Period* is the length of one datapoint, *Evaluation Periods* (N) the number of
  most recent datapoints evaluated, *Datapoints to Alarm* (M, default N) how many of them must breach
  for ALARM; otherwise the alarm is OK.
- Statistics per period: SampleCount, Sum, Average, Minimum, Maximum over the raw values and any
  statistic sets (PutMetricData `StatisticValues`) in the period, and percentiles `pNN[.NN]` by the
  nearest-rank method: the smallest value with at least NN % of the period's values at or below it
  (p0 is the minimum, p100 the maximum). CloudWatch computes percentiles from raw values; a statistic
  set can take part only when it holds one repeated value (SampleCount 1, or Minimum = Maximum and
  Sum = Minimum x SampleCount), as the User Guide says ("Percentiles"); a period with any other
  statistic set has no percentile datapoint and counts as missing.
- Configuring how CloudWatch alarms treat missing data (`missing` by default; `AWS/DynamoDB` metrics
  always `ignore`): of the *evaluation range* (`evaluation_range` periods, at least N), when at least N
  periods have data the N most recent of them are evaluated and the setting is not used; when none has
  data, `missing` gives INSUFFICIENT_DATA, `ignore` keeps the current state, `breaching` ALARM and
  `notBreaching` OK; otherwise every real datapoint of the range is evaluated and only the shortfall up
  to N is filled (as breaching, as not breaching, or, for `missing` and `ignore`, not at all). The
  "premature alarm" rule: with `missing`, the alarm goes to ALARM when every real datapoint is breaching
  and the oldest of them within the last N periods is at least M periods old; `ignore` keeps the
  current state in that case. The User Guide's two tables (3 of 3 and 2 of 3, range 5) are
  `tests/localcloud/cloudwatch/test_alarm_evaluation.py::test_user_guide_*`.
- Percentile-based alarms and low data samples: with `EvaluateLowSampleCountPercentile = ignore`, a
  percentile of fewer than 10/(1-p) samples (p >= 0.5) or 10/p samples (p < 0.5) keeps the alarm in its
  current state; with `evaluate` (the default) it is evaluated as any datapoint.

Windows (an intentional difference): CloudWatch aligns periods to the clock (a 60 s period covers
hh:mm:00-hh:mm+1:00) and evaluates about once a minute. Here the N periods are *sliding*: the newest
one is (now - Period, now], the one before (now - 2 Period, now - Period], and so on, so that data put a
second ago is evaluated at once and a short local bake sees a 60 s period's data immediately. A
datapoint's timestamp in the reason is its period's start. The evaluation range defaults to N
(`evaluation_range=None`): CloudWatch looks a few more periods back when recent data is missing (how
many depends on the period and is not documented); pass `evaluation_range` to evaluate with one.

Not emulated (`AlarmDefinition.not_emulated_reason()`): anomaly detection bands (ThresholdMetricId, the
`...LowerOrGreaterThanUpper...` operators), metric math and multi-metric alarms (`Metrics`), extended
statistics other than percentiles (tm99, wm99, IQM, PR(...), ...). Such an alarm is never guessed at:
`evaluate_alarm` answers INSUFFICIENT_DATA with an `Unchecked: ... not emulated` reason and
`emulated=False`.

StateReason follows CloudWatch's wording, e.g. `Threshold Crossed: 1 out of the last 1 datapoints [0.1
(27/11/26 23:10:00)] was greater than the threshold (0.01) (minimum 1 datapoint for OK -> ALARM
transition).` (the "M out of the last N" form when DatapointsToAlarm is set, `Threshold Crossed: 1
datapoint [...] was greater than the threshold (0.01).` when it is not), `Insufficient Data: 1
datapoint was unknown.` and `Threshold Crossed: no datapoints were received for 1 period and 1 missing
datapoint was treated as [NonBreaching].` Values are printed as Java prints a double (`1.0`, `0.1`,
`1.0E7`). StateReasonData is CloudWatch's JSON: `version`, `queryDate`, `startDate` (the oldest real
datapoint; absent without one), `unit` (when the alarm has one), `statistic` (`extendedStatistic` for a
percentile alarm), `period`, `recentDatapoints` (the range's real values, oldest first), `threshold`
and `evaluatedDatapoints` (newest first: `timestamp`, `sampleCount`, `value`; a missing datapoint has
only its `timestamp`).
"""

from __future__ import annotations

import json
import math
import operator
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from fractions import Fraction
from typing import Any

OK = "OK"
ALARM = "ALARM"
INSUFFICIENT_DATA = "INSUFFICIENT_DATA"
STATES = (OK, ALARM, INSUFFICIENT_DATA)

STATISTICS = ("SampleCount", "Average", "Sum", "Minimum", "Maximum")
TREAT_MISSING_DATA = ("missing", "notBreaching", "breaching", "ignore")
# Operator -> (the words CloudWatch's reason uses, the breaching test value <op> threshold).
COMPARISON_OPERATORS: dict[str, tuple[str, Callable[[float, float], bool]]] = {
    "GreaterThanThreshold": ("greater than", operator.gt),
    "GreaterThanOrEqualToThreshold": ("greater than or equal to", operator.ge),
    "LessThanThreshold": ("less than", operator.lt),
    "LessThanOrEqualToThreshold": ("less than or equal to", operator.le),
}
ANOMALY_DETECTION_OPERATORS = (
    "LessThanLowerOrGreaterThanUpperThreshold",
    "LessThanLowerThreshold",
    "GreaterThanUpperThreshold",
)
# Namespaces whose alarms always ignore missing data, whatever TreatMissingData says (PutMetricAlarm).
ALWAYS_IGNORE_MISSING_DATA_NAMESPACES = ("AWS/DynamoDB",)

_PERCENTILE = re.compile(r"^p(\d{1,3}(?:\.\d+)?)$")


@dataclass(frozen=True)
class Datapoint:
    """One value put with PutMetricData (`Value`, or one of `Values` x its count)."""

    timestamp: datetime
    value: float


@dataclass(frozen=True)
class StatisticSet:
    """One PutMetricData `StatisticValues`: `sample_count` values summarised."""

    timestamp: datetime
    sample_count: float
    sum: float
    minimum: float
    maximum: float

    def repeated_value(self) -> float | None:
        """The one value the set repeats, when it is one (then percentiles can use it), else None."""
        if self.minimum == self.maximum and math.isclose(self.sum, self.minimum * self.sample_count):
            return self.minimum
        return None


Sample = Datapoint | StatisticSet


@dataclass(frozen=True)
class AlarmDefinition:
    """What PutMetricAlarm stored, in the API's terms (None where the request left a field out)."""

    namespace: str | None
    metric_name: str | None
    period: int | None
    evaluation_periods: int
    threshold: float | None
    comparison_operator: str
    dimensions: Mapping[str, str] = field(default_factory=dict)
    statistic: str | None = None
    extended_statistic: str | None = None
    datapoints_to_alarm: int | None = None
    treat_missing_data: str | None = None
    evaluate_low_sample_count_percentile: str | None = None
    unit: str | None = None
    has_metric_queries: bool = False  # `Metrics` given: metric math or a multi-metric alarm
    threshold_metric_id: str | None = None

    def not_emulated_reason(self) -> str | None:
        """Why the local cloud does not evaluate this alarm, or None when it does."""
        if self.threshold_metric_id or self.comparison_operator in ANOMALY_DETECTION_OPERATORS:
            return "anomaly detection alarms are not emulated by the local cloud"
        if self.has_metric_queries:
            return "metric math and multi-metric alarms (Metrics) are not emulated by the local cloud"
        if self.extended_statistic is not None and percentile_of(self.extended_statistic) is None:
            return (
                f"the extended statistic {self.extended_statistic} is not emulated by the local cloud "
                "(only percentiles pNN[.NN] are)"
            )
        return None

    @property
    def datapoints_needed(self) -> int:
        """M: breaching datapoints that put the alarm in ALARM (DatapointsToAlarm, default N)."""
        return self.datapoints_to_alarm if self.datapoints_to_alarm is not None else self.evaluation_periods

    @property
    def statistic_name(self) -> str:
        return self.extended_statistic if self.extended_statistic is not None else str(self.statistic)

    def effective_treat_missing_data(self) -> str:
        if self.namespace in ALWAYS_IGNORE_MISSING_DATA_NAMESPACES:
            return "ignore"
        return self.treat_missing_data or "missing"

    def validate(self) -> None:
        """Raise ValueError for a definition CloudWatch would not evaluate (call for emulated kinds only)."""
        if not self.namespace or not self.metric_name:
            raise ValueError("the alarm names no Namespace and MetricName")
        if self.period is None or self.period <= 0:
            raise ValueError(f"Period must be a positive number of seconds, not {self.period}")
        if self.evaluation_periods < 1:
            raise ValueError(f"EvaluationPeriods must be at least 1, not {self.evaluation_periods}")
        if not 1 <= self.datapoints_needed <= self.evaluation_periods:
            raise ValueError(
                f"DatapointsToAlarm must be between 1 and EvaluationPeriods ({self.evaluation_periods}), "
                f"not {self.datapoints_to_alarm}"
            )
        if self.threshold is None:
            raise ValueError("the alarm has no Threshold")
        if self.comparison_operator not in COMPARISON_OPERATORS:
            raise ValueError(f"unknown ComparisonOperator {self.comparison_operator!r}")
        if (self.statistic is None) == (self.extended_statistic is None):
            raise ValueError("the alarm needs exactly one of Statistic and ExtendedStatistic")
        if self.statistic is not None and self.statistic not in STATISTICS:
            raise ValueError(f"unknown Statistic {self.statistic!r}; expected one of {', '.join(STATISTICS)}")
        if self.treat_missing_data is not None and self.treat_missing_data not in TREAT_MISSING_DATA:
            raise ValueError(f"unknown TreatMissingData {self.treat_missing_data!r}")
        if self.evaluate_low_sample_count_percentile not in (None, "", "evaluate", "ignore"):
            raise ValueError(
                f"unknown EvaluateLowSampleCountPercentile {self.evaluate_low_sample_count_percentile!r}"
            )


@dataclass(frozen=True)
class PeriodDatapoint:
    """One period of the evaluation range: (start, end], its samples' count and the statistic's value."""

    start: datetime
    end: datetime
    sample_count: float
    value: float | None  # None: missing (no sample, or a percentile the samples cannot give)

    @property
    def missing(self) -> bool:
        return self.value is None


@dataclass(frozen=True)
class Evaluation:
    """The outcome of one evaluation: the state the alarm is in now, and why."""

    state: str
    reason: str
    reason_data: dict[str, Any]
    previous_state: str
    emulated: bool = True

    @property
    def changed(self) -> bool:
        return self.state != self.previous_state

    def reason_data_json(self) -> str:
        """StateReasonData as CloudWatch writes it: compact JSON."""
        return json.dumps(self.reason_data, separators=(",", ":"))


# --- statistics -----------------------------------------------------------------------------------


def percentile_of(extended_statistic: str) -> Fraction | None:
    """The percentile of an ExtendedStatistic `pNN[.NN]` (0-100), or None for any other statistic."""
    match = _PERCENTILE.match(extended_statistic)
    if match is None:
        return None
    value = Fraction(Decimal(match.group(1)))
    return value if 0 <= value <= 100 else None


def minimum_significant_samples(percentile: Fraction) -> Fraction | None:
    """Fewer samples than this make a percentile "low sample count" (None: any count is enough).

    User Guide: for percentiles between 0.5 (inclusive) and 1.00 (exclusive), 10/(1-percentile); for
    percentiles between 0 and 0.5 (exclusive), 10/percentile.
    """
    fraction = percentile / 100
    if Fraction(1, 2) <= fraction < 1:
        return 10 / (1 - fraction)
    if 0 < fraction < Fraction(1, 2):
        return 10 / fraction
    return None


def nearest_rank(values: Sequence[float], percentile: Fraction) -> float:
    """The nearest-rank percentile of `values` (not empty): the value at rank ceil(p/100 x n)."""
    ordered = sorted(values)
    rank = max(1, math.ceil(percentile / 100 * len(ordered)))
    return ordered[rank - 1]


def sample_count(samples: Iterable[Sample]) -> float:
    return sum(1.0 if isinstance(sample, Datapoint) else sample.sample_count for sample in samples)


def compute_statistic(statistic: str, samples: Sequence[Sample]) -> float | None:
    """`statistic` (a Statistic or a percentile ExtendedStatistic) of one period's samples.

    None when there is no sample, or for a percentile of a statistic set that is not one repeated value.
    """
    count = sample_count(samples)
    if not samples or count <= 0:
        return None
    raw = [sample.value for sample in samples if isinstance(sample, Datapoint)]
    sets = [sample for sample in samples if isinstance(sample, StatisticSet)]
    if statistic == "SampleCount":
        return count
    if statistic in ("Sum", "Average"):
        total = math.fsum([*raw, *(s.sum for s in sets)])
        return total if statistic == "Sum" else total / count
    if statistic == "Minimum":
        return min([*raw, *(s.minimum for s in sets)])
    if statistic == "Maximum":
        return max([*raw, *(s.maximum for s in sets)])
    percentile = percentile_of(statistic)
    if percentile is None:
        raise ValueError(f"statistic {statistic!r} is not emulated")
    values = list(raw)
    for statistic_set in sets:
        repeated = statistic_set.repeated_value()
        if repeated is None:
            return None
        values.extend([repeated] * int(statistic_set.sample_count))
    return nearest_rank(values, percentile) if values else None


# --- windows --------------------------------------------------------------------------------------


def as_utc(moment: datetime) -> datetime:
    """An aware UTC datetime; a naive one (as moto stores timestamps) is taken to be UTC."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def period_windows(now: datetime, period: int, count: int) -> list[tuple[datetime, datetime]]:
    """The `count` sliding periods ending at `now`, oldest first, each (start, end]."""
    now = as_utc(now)
    length = timedelta(seconds=period)
    return [(now - (age + 1) * length, now - age * length) for age in reversed(range(count))]


def _as_sample(item: Sample | tuple[datetime, float]) -> Sample:
    if isinstance(item, Datapoint | StatisticSet):
        return item
    timestamp, value = item
    return Datapoint(timestamp, float(value))


def period_datapoints(
    definition: AlarmDefinition,
    samples: Iterable[Sample | tuple[datetime, float]],
    now: datetime,
    count: int,
) -> list[PeriodDatapoint]:
    """The alarm's statistic for each of the `count` periods ending at `now`, oldest first."""
    assert definition.period is not None
    windows = period_windows(now, definition.period, count)
    buckets: list[list[Sample]] = [[] for _ in windows]
    oldest, newest = windows[0][0], windows[-1][1]
    length = timedelta(seconds=definition.period)
    for item in samples:
        sample = _as_sample(item)
        timestamp = as_utc(sample.timestamp)
        if not oldest < timestamp <= newest:
            continue
        # Periods are (start, end]: a timestamp on a boundary belongs to the older period.
        age = (newest - timestamp) // length
        buckets[len(windows) - 1 - age].append(sample)
    return [
        PeriodDatapoint(
            start, end, sample_count(bucket), compute_statistic(definition.statistic_name, bucket)
        )
        for (start, end), bucket in zip(windows, buckets, strict=True)
    ]


# --- reason text and data -------------------------------------------------------------------------


def format_value(value: float) -> str:
    """A double as Java's Double.toString prints it, as CloudWatch's reasons do (1.0, 0.1, 1.0E7)."""
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    if value == 0:
        return "-0.0" if math.copysign(1.0, value) < 0 else "0.0"
    if 1e-3 <= abs(value) < 1e7:
        return repr(float(value))
    sign, digits, _ = Decimal(repr(float(value))).normalize().as_tuple()
    exponent = Decimal(repr(float(value))).adjusted()
    text = "".join(map(str, digits))
    return f"{'-' if sign else ''}{text[0]}.{text[1:] or '0'}E{exponent}"


def reason_time(moment: datetime) -> str:
    """A datapoint's time in a StateReason: dd/mm/yy HH:MM:SS, UTC."""
    return as_utc(moment).strftime("%d/%m/%y %H:%M:%S")


def reason_data_time(moment: datetime) -> str:
    """A time in StateReasonData: 2026-11-27T23:10:00.000+0000."""
    moment = as_utc(moment)
    return f"{moment.strftime('%Y-%m-%dT%H:%M:%S')}.{moment.microsecond // 1000:03d}+0000"


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def _verb(count: int) -> str:
    return "was" if count == 1 else "were"


def _listed(points: Sequence[PeriodDatapoint]) -> str:
    newest_first = sorted(points, key=lambda point: point.start, reverse=True)
    return ", ".join(
        f"{format_value(point.value or 0.0)} ({reason_time(point.start)})" for point in newest_first
    )


def _threshold_sentence(
    definition: AlarmDefinition, count: int, points: Sequence[PeriodDatapoint], relation: str
) -> str:
    """`k out of the last N datapoints [...] were <relation> the threshold (t)` (or the short form)."""
    threshold = format_value(float(definition.threshold or 0.0))
    if definition.datapoints_to_alarm is None:
        head = f"{_plural(count, 'datapoint')} [{_listed(points)}]"
    else:
        head = f"{count} out of the last {definition.evaluation_periods} datapoints [{_listed(points)}]"
    return f"{head} {_verb(count)} {relation} the threshold ({threshold})"


def _minimum_clause(definition: AlarmDefinition, state: str) -> str:
    if definition.datapoints_to_alarm is None:
        return ""
    n, m = definition.evaluation_periods, definition.datapoints_needed
    if state == ALARM:
        return f" (minimum {_plural(m, 'datapoint')} for OK -> ALARM transition)"
    return f" (minimum {_plural(n - m + 1, 'datapoint')} for ALARM -> OK transition)"


def _reason_data(
    definition: AlarmDefinition,
    now: datetime,
    in_range: Sequence[PeriodDatapoint],
    evaluated: Sequence[PeriodDatapoint],
) -> dict[str, Any]:
    real = [point for point in in_range if not point.missing]
    data: dict[str, Any] = {"version": "1.0", "queryDate": reason_data_time(now)}
    if real:
        data["startDate"] = reason_data_time(real[0].start)
    if definition.unit:
        data["unit"] = definition.unit
    if definition.extended_statistic is not None:
        data["extendedStatistic"] = definition.extended_statistic
    else:
        data["statistic"] = definition.statistic
    data["period"] = definition.period
    data["recentDatapoints"] = [point.value for point in real]
    data["threshold"] = float(definition.threshold or 0.0)
    data["evaluatedDatapoints"] = [
        {"timestamp": reason_data_time(point.start)}
        if point.missing
        else {
            "timestamp": reason_data_time(point.start),
            "sampleCount": float(point.sample_count),
            "value": point.value,
        }
        for point in sorted(evaluated, key=lambda point: point.start, reverse=True)
    ]
    return data


# --- evaluation -----------------------------------------------------------------------------------


def evaluate_alarm(
    definition: AlarmDefinition,
    datapoints: Iterable[Sample | tuple[datetime, float]],
    now: datetime,
    *,
    current_state: str = INSUFFICIENT_DATA,
    evaluation_range: int | None = None,
) -> Evaluation:
    """The state of the alarm at `now`, given its metric's samples (any time; only the range is used).

    `datapoints` are the metric's samples already matched to the alarm (namespace, metric name,
    dimensions, unit): `Datapoint`s, `StatisticSet`s or (timestamp, value) pairs. `current_state` is
    what `ignore` keeps. `evaluation_range` is how many periods to look back when recent ones are
    missing (None: exactly EvaluationPeriods). Raises ValueError for an invalid definition.
    """
    if current_state not in STATES:
        raise ValueError(f"unknown alarm state {current_state!r}")
    now = as_utc(now)
    not_emulated = definition.not_emulated_reason()
    if not_emulated is not None:
        data = {"version": "1.0", "queryDate": reason_data_time(now)}
        return Evaluation(
            INSUFFICIENT_DATA, f"Unchecked: {not_emulated}.", data, current_state, emulated=False
        )
    definition.validate()
    n, m = definition.evaluation_periods, definition.datapoints_needed
    range_size = n if evaluation_range is None else evaluation_range
    if range_size < n:
        raise ValueError(f"the evaluation range ({range_size}) is shorter than EvaluationPeriods ({n})")

    in_range = period_datapoints(definition, datapoints, now, range_size)
    real = [point for point in in_range if not point.missing]
    words, compare = COMPARISON_OPERATORS[definition.comparison_operator]
    threshold = float(definition.threshold or 0.0)

    def breaching(point: PeriodDatapoint) -> bool:
        return point.value is not None and compare(point.value, threshold)

    def outcome(state: str, reason: str, evaluated: Sequence[PeriodDatapoint]) -> Evaluation:
        return Evaluation(state, reason, _reason_data(definition, now, in_range, evaluated), current_state)

    # Percentile-based alarms and low data samples.
    percentile = percentile_of(definition.extended_statistic) if definition.extended_statistic else None
    if percentile is not None and definition.evaluate_low_sample_count_percentile == "ignore":
        needed = minimum_significant_samples(percentile)
        considered = real[-n:]
        low = [point for point in considered if needed is not None and point.sample_count < needed]
        if low:
            reason = (
                f"Low sample count: {_plural(len(low), 'datapoint')} of {definition.extended_statistic} "
                f"{_verb(len(low))} computed from fewer than {format_value(float(needed or 0))} samples "
                f"(EvaluateLowSampleCountPercentile ignore): the state stays {current_state}."
            )
            return outcome(current_state, reason, considered)

    # Enough real datapoints: the N most recent are evaluated, missing data does not matter.
    if len(real) >= n:
        evaluated = real[-n:]
        return _crossed(definition, evaluated, breaching, words, fills=0, fill_label="", outcome=outcome)

    treatment = definition.effective_treat_missing_data()
    last_n = in_range[-n:]
    if not real:
        if treatment == "missing":
            return outcome(
                INSUFFICIENT_DATA, f"Insufficient Data: {_plural(n, 'datapoint')} {_verb(n)} unknown.", last_n
            )
        if treatment == "ignore":
            reason = (
                f"No datapoints were received for {_plural(n, 'period')} and missing data is ignored: "
                f"the state stays {current_state}."
            )
            return outcome(current_state, reason, last_n)
        label = "Breaching" if treatment == "breaching" else "NonBreaching"
        reason = (
            f"Threshold Crossed: no datapoints were received for {_plural(n, 'period')} and "
            f"{_plural(n, 'missing datapoint')} {_verb(n)} treated as [{label}]."
        )
        return outcome(ALARM if treatment == "breaching" else OK, reason, last_n)

    # Some real datapoints, fewer than N: all of them count, and only the shortfall is filled.
    fills = n - len(real)
    older_real = [point for point in real if point.start < last_n[0].start]
    evaluated = [*older_real, *last_n]
    if treatment in ("breaching", "notBreaching"):
        label = "Breaching" if treatment == "breaching" else "NonBreaching"
        return _crossed(
            definition, evaluated, breaching, words, fills=fills, fill_label=label, outcome=outcome
        )

    breaching_real = [point for point in real if breaching(point)]
    if len(breaching_real) >= m:
        return _crossed(definition, evaluated, breaching, words, fills=0, fill_label="", outcome=outcome)
    if _premature_alarm(real, last_n, breaching, m):
        if treatment == "ignore":
            reason = (
                f"{_plural(len(breaching_real), 'breaching datapoint')} and "
                f"{_plural(fills, 'missing datapoint')} in the last {_plural(n, 'period')}; missing data "
                f"is ignored: the state stays {current_state}."
            )
            return outcome(current_state, reason, evaluated)
        sentence = _threshold_sentence(definition, len(breaching_real), breaching_real, words)
        reason = (
            f"Threshold Crossed: {sentence}{_minimum_clause(definition, ALARM)}. The "
            f"{_plural(fills, 'other datapoint')} {_verb(fills)} missing."
        )
        return outcome(ALARM, reason, evaluated)
    return _crossed(definition, evaluated, breaching, words, fills=0, fill_label="", outcome=outcome)


def _premature_alarm(
    real: Sequence[PeriodDatapoint],
    last_n: Sequence[PeriodDatapoint],
    breaching: Callable[[PeriodDatapoint], bool],
    m: int,
) -> bool:
    """User Guide, "Avoiding premature transitions to alarm state": ALARM when every real datapoint is
    breaching and the oldest real one within the last N periods is at least M periods old."""
    if not real or not all(breaching(point) for point in real):
        return False
    for age_index, point in enumerate(last_n):
        if not point.missing:
            age = len(last_n) - age_index  # the newest period is 1 period old
            return age >= m
    return False


def _crossed(
    definition: AlarmDefinition,
    evaluated: Sequence[PeriodDatapoint],
    breaching: Callable[[PeriodDatapoint], bool],
    words: str,
    *,
    fills: int,
    fill_label: str,
    outcome: Callable[[str, str, Sequence[PeriodDatapoint]], Evaluation],
) -> Evaluation:
    """ALARM when at least M of the evaluated datapoints (real, plus `fills` filled ones) breach."""
    real = [point for point in evaluated if not point.missing]
    breaching_real = [point for point in real if breaching(point)]
    good_real = [point for point in real if not breaching(point)]
    breaching_count = len(breaching_real) + (fills if fill_label == "Breaching" else 0)
    good_count = len(good_real) + (fills if fill_label == "NonBreaching" else 0)
    fill_note = (
        f" {_plural(fills, 'missing datapoint')} {_verb(fills)} treated as [{fill_label}]." if fills else ""
    )
    if breaching_count >= definition.datapoints_needed:
        sentence = _threshold_sentence(definition, breaching_count, breaching_real, words)
        reason = f"Threshold Crossed: {sentence}{_minimum_clause(definition, ALARM)}.{fill_note}"
        return outcome(ALARM, reason, evaluated)
    if good_count > 0:
        sentence = _threshold_sentence(definition, good_count, good_real, f"not {words}")
        reason = f"Threshold Crossed: {sentence}{_minimum_clause(definition, OK)}.{fill_note}"
        return outcome(OK, reason, evaluated)
    # Only breaching real datapoints, too few of them, the rest missing and not filled.
    missing = definition.evaluation_periods - len(real)
    sentence = _threshold_sentence(definition, breaching_count, breaching_real, words)
    reason = (
        f"Threshold Crossed: {sentence}, fewer than the {_plural(definition.datapoints_needed, 'datapoint')} "
        f"for OK -> ALARM transition; {_plural(max(missing, 0), 'datapoint')} {_verb(missing)} missing."
    )
    return outcome(OK, reason, evaluated)
