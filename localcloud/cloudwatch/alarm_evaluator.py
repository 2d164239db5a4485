"""Evaluate the metric alarms moto stores against the metric data moto stores; write changed states back.

What moto 5.2.5 keeps (moto/cloudwatch/models.py), per account and region in
`cloudwatch_backends[account][region]` (a `CloudWatchBackend`):

- `alarms`: {name: Alarm}. An Alarm has the PutMetricAlarm fields as attributes (`namespace`,
  `metric_name`, `dimensions` [Dimension(name, value)], `statistic`, `extended_statistic`, `period`,
  `evaluation_periods`, `datapoints_to_alarm`, `threshold`, `comparison_operator`,
  `treat_missing_data`, `evaluate_low_sample_count_percentile`, `unit`, `metric_data_queries` (the
  `Metrics` of a metric math alarm), `threshold_metric_id`, `rule` (set only for a composite alarm))
  and its state: `state_value`, `state_reason`, `state_reason_data` (JSON text),
  `state_updated_timestamp`. `Alarm.update_state` sets the state and appends the previous one to
  `history` (what DescribeAlarmHistory shows, `alarm_api.py`).
- `metric_data`: a list, in PutMetricData order, of `MetricDatum` (one value: `value`; a `Values`
  entry is stored as `Counts` copies) and `MetricAggregatedDatum` (`StatisticValues`: `sample_count`,
  `sum`, `min`, `max`), each with `namespace`, `name`, `dimensions` [Dimension], `timestamp` (naive
  UTC) and `unit`. `aws_metric_data` adds the metrics other services compute (only S3's here).

An alarm sees the datums with its namespace and metric name, exactly its dimension set (as CloudWatch
matches a metric: same names and values, no more, no fewer) and, when the alarm has a Unit, that unit
(a datum put without a unit has unit `None`); `metric_index.py` finds them without reading everything
ever put, and drops from its index what no alarm can look back at. `evaluate_alarms` evaluates them with
`alarm_evaluation.evaluate_alarm` and writes the outcome only when the state changes: `update_state`
(so moto's history records the transition) and `state_updated_timestamp` /
`state_transitioned_timestamp` at the evaluation's time.

Left alone: an alarm whose state was set with SetAlarmState, for `LOCALCLOUD_ALARM_SET_STATE_HOLD_SECONDS`
(default 60) after it — on AWS such a state "lasts only until the next alarm comparison", at most a
minute later, and a rollout watching the alarm must be able to see it (`alarm_api.py` records when).
Alarms the local cloud does not evaluate (anomaly detection, metric math, composite alarms) are marked
once, at their first evaluation after creation, INSUFFICIENT_DATA with an `Unchecked: ... not
emulated` reason, and never touched again (SetAlarmState still works on them).

Threads: every evaluation and every state change the CloudWatch API makes to an alarm (`alarm_api.py`)
holds `ALARM_STATE_LOCK`. One bad alarm never stops the others: its error is logged (once per distinct
message) and kept in `evaluation_errors()`; the alarm keeps its state.

Time runs on the rollout clock (`localcloud/rollout_clock.py`, `LOCALCLOUD_ROLLOUT_TIME_SCALE`, default
60): a datum `age` real seconds old is evaluated as `age x scale` seconds old, so an alarm's periods pass
as fast as the bakes of the rollout watching it (a 60 s period holds the last second of requests at 60).
`evaluate_alarms(..., time_scale=1)` evaluates in real time.

An alarm that went to ALARM stays there at least a minute of the rollout clock, and at least
`MINIMUM_ALARM_FLOOR_SECONDS` (10) real seconds; `LOCALCLOUD_ALARM_MINIMUM_ALARM_SECONDS` sets it in real
seconds. CloudWatch evaluates a standard alarm once a minute, so on AWS an ALARM state lasts until the
next evaluation at the earliest. The local cloud evaluates every second with windows ending now, which
finds a breach at once but would also drop the state as soon as good requests dilute a window: a run
reading the alarms after a rollback (2 s of RollingBack, then a poll every second) would find them OK.

`start()` runs `evaluate_all` every `LOCALCLOUD_ALARM_EVALUATION_SECONDS` (default 1; 0 turns the
thread off; CloudWatch evaluates about once a minute) in a daemon thread; `localcloud.server` starts it
with the local cloud and stops it in `LocalCloud.stop()`.
"""

from __future__ import annotations

import dataclasses
import logging
import threading
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

from moto.cloudwatch.models import (
    Alarm,
    CloudWatchBackend,
    cloudwatch_backends,
)

from localcloud import config, rollout_clock
from localcloud.background_loop import BackgroundLoop, seconds_from_environment
from localcloud.cloudwatch import metric_index
from localcloud.cloudwatch.alarm_evaluation import (
    INSUFFICIENT_DATA,
    AlarmDefinition,
    Evaluation,
    Sample,
    as_utc,
    evaluate_alarm,
)
from localcloud.cloudwatch.metric_index import matching_samples

LOG = logging.getLogger(__name__)

INTERVAL_ENV_VAR = "LOCALCLOUD_ALARM_EVALUATION_SECONDS"
DEFAULT_INTERVAL_SECONDS = 1.0
SET_STATE_HOLD_ENV_VAR = "LOCALCLOUD_ALARM_SET_STATE_HOLD_SECONDS"
DEFAULT_SET_STATE_HOLD_SECONDS = 60.0
MINIMUM_ALARM_ENV_VAR = "LOCALCLOUD_ALARM_MINIMUM_ALARM_SECONDS"
DEFAULT_MINIMUM_ALARM_SECONDS = 60.0  # on the rollout clock
MINIMUM_ALARM_FLOOR_SECONDS = 10.0  # real seconds
# CloudWatch's cap on Period x EvaluationPeriods: an alarm looks back at most a day.
MAXIMUM_LOOKBACK_SECONDS = 86_400
# moto's reason for a new alarm (Alarm.__init__), kept by alarm_api.py with the state INSUFFICIENT_DATA.
INITIAL_REASON = "Unchecked: Initial alarm creation"
# Set on an Alarm by SetAlarmState (alarm_api.py): until when the evaluator leaves its state alone.
HOLD_ATTRIBUTE = "localcloud_state_held_until"
# Namespaces whose metrics only moto's metric providers compute (CloudWatchBackend.aws_metric_data).
_PROVIDER_NAMESPACES = ("AWS/S3",)

# Held by every evaluation and by every CloudWatch API call that changes an alarm's state.
ALARM_STATE_LOCK = threading.RLock()

_errors: dict[tuple[str, str, str], str] = {}


def interval_from_environment() -> float:
    """Seconds between evaluations: LOCALCLOUD_ALARM_EVALUATION_SECONDS, default 1; 0 = no thread."""
    return seconds_from_environment(INTERVAL_ENV_VAR, DEFAULT_INTERVAL_SECONDS)


def set_state_hold_from_environment() -> float:
    """Seconds a SetAlarmState state is kept: LOCALCLOUD_ALARM_SET_STATE_HOLD_SECONDS, default 60."""
    return seconds_from_environment(SET_STATE_HOLD_ENV_VAR, DEFAULT_SET_STATE_HOLD_SECONDS)


def minimum_alarm_seconds(time_scale: float) -> float:
    """Real seconds an ALARM state lasts at least: LOCALCLOUD_ALARM_MINIMUM_ALARM_SECONDS, else a minute of
    the rollout clock at `time_scale`, and never less than MINIMUM_ALARM_FLOOR_SECONDS."""
    default = max(DEFAULT_MINIMUM_ALARM_SECONDS / time_scale, MINIMUM_ALARM_FLOOR_SECONDS)
    return seconds_from_environment(MINIMUM_ALARM_ENV_VAR, default)


def evaluation_errors() -> dict[tuple[str, str, str], str]:
    """{(account, region, alarm name): error} for alarms whose last evaluation failed."""
    with ALARM_STATE_LOCK:
        return dict(_errors)


# --- moto -> alarm_evaluation ---------------------------------------------------------------------


def _optional_int(value: Any) -> int | None:
    return None if value is None or value == "" else int(value)


def definition_from_moto(alarm: Alarm) -> AlarmDefinition:
    """The alarm's PutMetricAlarm fields as an AlarmDefinition (no validation here)."""
    return AlarmDefinition(
        namespace=alarm.namespace,
        metric_name=alarm.metric_name,
        period=_optional_int(alarm.period),
        evaluation_periods=int(alarm.evaluation_periods or 0),
        threshold=None if alarm.threshold is None else float(alarm.threshold),
        comparison_operator=str(alarm.comparison_operator),
        dimensions={str(d.name): str(d.value) for d in alarm.dimensions},
        statistic=alarm.statistic or None,
        extended_statistic=alarm.extended_statistic or None,
        datapoints_to_alarm=_optional_int(alarm.datapoints_to_alarm),
        treat_missing_data=alarm.treat_missing_data or None,
        evaluate_low_sample_count_percentile=alarm.evaluate_low_sample_count_percentile or None,
        unit=alarm.unit or None,
        has_metric_queries=bool(alarm.metric_data_queries),
        threshold_metric_id=alarm.threshold_metric_id or None,
    )


# --- writing states -------------------------------------------------------------------------------


def _naive_utc(moment: datetime) -> datetime:
    """As moto stores times: naive UTC."""
    return as_utc(moment).replace(tzinfo=None)


def _write(alarm: Alarm, evaluation: Evaluation, now: datetime) -> None:
    alarm.update_state(evaluation.reason, evaluation.reason_data_json(), evaluation.state)
    alarm.state_updated_timestamp = _naive_utc(now)
    alarm.state_transitioned_timestamp = alarm.state_updated_timestamp


def _held(alarm: Alarm, now: datetime) -> bool:
    held_until = getattr(alarm, HOLD_ATTRIBUTE, None)
    return held_until is not None and as_utc(now) < held_until


def _alarm_too_recent(alarm: Alarm, now: datetime, time_scale: float) -> bool:
    """In ALARM for less than the minimum: CloudWatch would not have evaluated it again yet."""
    if alarm.state_value != "ALARM" or alarm.state_updated_timestamp is None:
        return False
    minimum = timedelta(seconds=minimum_alarm_seconds(time_scale))
    return as_utc(now) < as_utc(alarm.state_updated_timestamp) + minimum


def _samples(
    definition: AlarmDefinition,
    index: metric_index.MetricIndex,
    backend: CloudWatchBackend,
    now: datetime,
    time_scale: float,
) -> list[Sample]:
    """The alarm's metric's samples its N periods can hold (the evaluation reads no older ones)."""
    if definition.namespace in _PROVIDER_NAMESPACES:
        return matching_samples(definition, backend.aws_metric_data)
    start = None
    if definition.period and definition.evaluation_periods > 0:
        reach = definition.period * definition.evaluation_periods / time_scale
        start = as_utc(now) - timedelta(seconds=reach + 1)
    return index.samples(definition, start)


def on_rollout_clock(samples: list[Sample], now: datetime, time_scale: float) -> list[Sample]:
    """The samples as the rollout clock dates them: one `age` real seconds before `now`, `age x time_scale`
    seconds before it."""
    if time_scale == 1:
        return samples
    moment = as_utc(now)
    return [
        dataclasses.replace(sample, timestamp=moment - (moment - as_utc(sample.timestamp)) * time_scale)
        for sample in samples
    ]


def _evaluate_one(
    alarm: Alarm,
    index: metric_index.MetricIndex,
    backend: CloudWatchBackend,
    now: datetime,
    time_scale: float,
) -> None:
    if alarm.rule is not None:  # a composite alarm
        if alarm.state_reason == INITIAL_REASON:
            alarm.state_value = INSUFFICIENT_DATA
            alarm.state_reason = "Unchecked: composite alarms are not emulated by the local cloud."
        return
    if _held(alarm, now):
        return
    definition = definition_from_moto(alarm)
    samples: list[Sample] = []
    if definition.not_emulated_reason() is None:
        samples = on_rollout_clock(_samples(definition, index, backend, now, time_scale), now, time_scale)
    evaluation = evaluate_alarm(definition, samples, now, current_state=alarm.state_value)
    if not evaluation.emulated:
        if alarm.state_reason == INITIAL_REASON:  # marked once; SetAlarmState may change it later
            alarm.state_value = evaluation.state
            alarm.state_reason = evaluation.reason
            alarm.state_reason_data = evaluation.reason_data_json()
        return
    if evaluation.changed and _alarm_too_recent(alarm, now, time_scale):
        return
    if evaluation.changed:
        LOG.info(
            "alarm %s: %s -> %s: %s",
            alarm.name,
            evaluation.previous_state,
            evaluation.state,
            evaluation.reason,
        )
        _write(alarm, evaluation, now)


def evaluate_alarms(
    account_id: str = config.ACCOUNT_ID,
    region: str = config.REGION,
    alarm_names: Iterable[str] | None = None,
    now: datetime | None = None,
    time_scale: float | None = None,
) -> dict[str, str]:
    """Evaluate the alarms of one account and region (all, or those named) at `now` (default: the
    current time), on a rollout clock of `time_scale` (default: the local cloud's); returns {alarm name:
    its state after the evaluation}. Never raises for one alarm: a failing alarm keeps its state, is
    logged and listed by `evaluation_errors()`."""
    moment = as_utc(now) if now is not None else datetime.now(UTC)
    scale = rollout_clock.current().scale if time_scale is None else time_scale
    backend = cloudwatch_backends[account_id][region]
    names = None if alarm_names is None else set(alarm_names)
    states: dict[str, str] = {}
    with ALARM_STATE_LOCK:
        alarms = [alarm for alarm in list(backend.alarms.values()) if names is None or alarm.name in names]
        if not alarms:
            return states
        # No alarm looks further back than a day of the rollout clock (Period x EvaluationPeriods).
        horizon = timedelta(seconds=MAXIMUM_LOOKBACK_SECONDS / scale + 60)
        index = metric_index.index_of(backend)
        index.prune(datetime.now(UTC) - horizon)
        for alarm in alarms:
            key = (account_id, region, alarm.name)
            try:
                _evaluate_one(alarm, index, backend, moment, scale)
            except Exception as error:
                message = f"{type(error).__name__}: {error}"
                if _errors.get(key) != message:
                    LOG.exception(
                        "could not evaluate CloudWatch alarm %s (%s, %s)", alarm.name, account_id, region
                    )
                _errors[key] = message
            else:
                _errors.pop(key, None)
            states[alarm.name] = alarm.state_value
    return states


def _existing_backends() -> list[tuple[str, str, CloudWatchBackend]]:
    """The (account, region, backend) moto has created, without creating any (BackendDict's
    __getitem__ would)."""
    found = []
    for account_id, regions in list(dict.items(cloudwatch_backends)):
        for region, backend in list(dict.items(regions)):
            found.append((account_id, region, backend))
    return found


def evaluate_all(now: datetime | None = None) -> dict[tuple[str, str], dict[str, str]]:
    """`evaluate_alarms` for every account and region that has alarms."""
    results = {}
    for account_id, region, backend in _existing_backends():
        if backend.alarms:
            results[(account_id, region)] = evaluate_alarms(account_id, region, now=now)
    return results


def hold_state(alarm: Alarm, seconds: float | None = None) -> None:
    """Leave the alarm's state alone for `seconds` (default: from the environment); SetAlarmState."""
    hold = set_state_hold_from_environment() if seconds is None else seconds
    setattr(alarm, HOLD_ATTRIBUTE, datetime.now(UTC) + timedelta(seconds=hold))


# --- the background evaluator ---------------------------------------------------------------------

_LOOP = BackgroundLoop("localcloud-alarm-evaluator", lambda _stopping: evaluate_all())


def start(interval_seconds: float | None = None) -> bool:
    """Start evaluating every alarm every `interval_seconds` (default: LOCALCLOUD_ALARM_EVALUATION_SECONDS,
    else 1) in a daemon thread. Returns whether the thread runs (an interval of 0 starts none); a
    second start while running keeps the running thread."""
    interval = interval_from_environment() if interval_seconds is None else max(float(interval_seconds), 0.0)
    running = _LOOP.start(interval)
    if running:
        LOG.info("evaluating CloudWatch alarms every %s s", interval)
    else:
        LOG.info("CloudWatch alarm evaluation thread off (%s=0)", INTERVAL_ENV_VAR)
    return running


def stop(timeout_seconds: float = 10.0) -> None:
    """Stop the background evaluator (no-op when it does not run); waits for a running pass to end."""
    _LOOP.stop(timeout_seconds)


def is_running() -> bool:
    return _LOOP.is_running()
