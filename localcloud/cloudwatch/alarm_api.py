"""The CloudWatch alarm API around the evaluator: alarm states as AWS sets and shows them.

- PutMetricAlarm: moto starts every alarm, new or updated, in `OK`. AWS (PutMetricAlarm): "When this
  operation creates an alarm, the alarm state is immediately set to INSUFFICIENT_DATA ... When you
  update an existing alarm, its state is left unchanged". A new alarm is now INSUFFICIENT_DATA
  (reason `Unchecked: Initial alarm creation`, moto's); an updated one keeps its state, reason,
  timestamps, history and any SetAlarmState hold.
- SetAlarmState: as moto, and the alarm's state is then left alone by the evaluator for
  `LOCALCLOUD_ALARM_SET_STATE_HOLD_SECONDS` (default 60): on AWS the state lasts until the next
  evaluation, up to a minute later; evaluating every second would hide it from anyone watching.
- DescribeAlarms / DescribeAlarmsForMetric: the account's and region's alarms are evaluated first, so
  an answer always reflects the metric data put before it (the background evaluator alone would lag by
  up to its interval).
- DescribeAlarmHistory (moto has none): the `StateUpdate` items of each alarm's transitions, from
  moto's per-alarm history (`Alarm.update_state` appends the state it replaces), newest first by
  default; `HistoryData` as CloudWatch writes it ({"version", "oldState", "newState"}, each with
  `stateValue`, `stateReason` and, when there is one, `stateReasonData`). Not kept: configuration
  updates and actions (there are none: alarm actions are not executed), and the history of a deleted
  alarm.
"""

from __future__ import annotations

import functools
import itertools
import json
from collections.abc import Callable
from datetime import datetime
from typing import Any

from moto.cloudwatch.models import Alarm, CloudWatchBackend
from moto.cloudwatch.responses import CloudWatchResponse
from moto.core.responses import ActionResult

from localcloud import patching
from localcloud.cloudwatch import alarm_evaluator
from localcloud.cloudwatch.alarm_evaluation import INSUFFICIENT_DATA, as_utc

LOG = alarm_evaluator.LOG

# What an update copies from the alarm it replaces (moto builds a new Alarm object).
_STATE_ATTRIBUTES = (
    "state_value",
    "state_reason",
    "state_reason_data",
    "state_updated_timestamp",
    "state_transitioned_timestamp",
    "history",
    alarm_evaluator.HOLD_ATTRIBUTE,
)


def _state_on_put(original: Callable[..., Alarm]) -> Callable[..., Alarm]:
    @functools.wraps(original)
    def put_metric_alarm(self: CloudWatchBackend, name: str, *args: Any, **kwargs: Any) -> Alarm:
        with alarm_evaluator.ALARM_STATE_LOCK:
            previous = self.alarms.get(name)
            alarm = original(self, name, *args, **kwargs)
            if previous is None or previous is alarm:
                alarm.state_value = INSUFFICIENT_DATA
                alarm.state_transitioned_timestamp = alarm.state_updated_timestamp
            else:
                for attribute in _STATE_ATTRIBUTES:
                    if hasattr(previous, attribute):
                        setattr(alarm, attribute, getattr(previous, attribute))
            return alarm

    return put_metric_alarm


def _hold_set_state(original: Callable[..., None]) -> Callable[..., None]:
    @functools.wraps(original)
    def set_alarm_state(
        self: CloudWatchBackend, alarm_name: str, reason: str, reason_data: str, state_value: str
    ) -> None:
        with alarm_evaluator.ALARM_STATE_LOCK:
            previous_state = self.alarms[alarm_name].state_value if alarm_name in self.alarms else None
            original(self, alarm_name, reason, reason_data, state_value)
            alarm = self.alarms[alarm_name]
            if state_value != previous_state:
                alarm.state_transitioned_timestamp = alarm.state_updated_timestamp
            alarm_evaluator.hold_state(alarm)

    return set_alarm_state


def _evaluate_first(original: Callable[[CloudWatchResponse], Any]) -> Callable[[CloudWatchResponse], Any]:
    @functools.wraps(original)
    def describe(self: CloudWatchResponse) -> Any:
        try:
            alarm_evaluator.evaluate_alarms(self.current_account, self.region)
        except Exception:  # an answer with the last evaluated states beats none
            LOG.exception("could not evaluate the alarms before %s", original.__name__)
        return original(self)

    return describe


# --- DescribeAlarmHistory -------------------------------------------------------------------------


def _state_json(value: str, reason: str, reason_data: str | None) -> dict[str, Any]:
    state: dict[str, Any] = {"stateValue": value, "stateReason": reason}
    try:
        data = json.loads(reason_data) if reason_data else None
    except ValueError:
        data = None
    if data:
        state["stateReasonData"] = data
    return state


def history_items(alarm: Alarm) -> list[dict[str, Any]]:
    """The alarm's state transitions, oldest first, as DescribeAlarmHistory `AlarmHistoryItems`."""
    # moto's history holds (kind, reason, reason data, value, timestamp) of each replaced state.
    states = [
        (entry[3], entry[1], entry[2], entry[4])
        for entry in alarm.history
        if entry and entry[0] == "StateUpdate"
    ]
    states.append(
        (alarm.state_value, alarm.state_reason, alarm.state_reason_data, alarm.state_updated_timestamp)
    )
    items = []
    for old, new in itertools.pairwise(states):
        if old[0] == new[0]:
            continue
        data = {"version": "1.0", "oldState": _state_json(*old[:3]), "newState": _state_json(*new[:3])}
        items.append(
            {
                "AlarmName": alarm.name,
                "AlarmType": "CompositeAlarm" if alarm.rule is not None else "MetricAlarm",
                "Timestamp": as_utc(new[3]),
                "HistoryItemType": "StateUpdate",
                "HistorySummary": f"Alarm updated from {old[0]} to {new[0]}",
                "HistoryData": json.dumps(data, separators=(",", ":")),
            }
        )
    return items


def _as_time(value: Any) -> datetime | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return as_utc(value)
    return as_utc(datetime.fromisoformat(str(value).replace("Z", "+00:00")))


def describe_alarm_history(self: CloudWatchResponse) -> ActionResult:
    alarm_name = self._get_param("AlarmName")
    alarm_types = self._get_param("AlarmTypes") or ["MetricAlarm", "CompositeAlarm"]
    item_type = self._get_param("HistoryItemType")
    start, end = _as_time(self._get_param("StartDate")), _as_time(self._get_param("EndDate"))
    newest_first = (self._get_param("ScanBy") or "TimestampDescending") == "TimestampDescending"
    max_records = int(self._get_param("MaxRecords") or 100)
    offset = int(self._get_param("NextToken") or 0)
    with alarm_evaluator.ALARM_STATE_LOCK:
        alarms = list(self.cloudwatch_backend.alarms.values())
        items = [
            item for alarm in alarms if alarm_name in (None, alarm.name) for item in history_items(alarm)
        ]
    items = [
        item
        for item in items
        if item["AlarmType"] in alarm_types
        and item_type in (None, item["HistoryItemType"])
        and (start is None or item["Timestamp"] >= start)
        and (end is None or item["Timestamp"] <= end)
    ]
    items.sort(key=lambda item: item["Timestamp"], reverse=newest_first)
    page = items[offset : offset + max_records]
    next_token = str(offset + max_records) if offset + max_records < len(items) else None
    return ActionResult({"AlarmHistoryItems": page, "NextToken": next_token})


PATCHES = (
    patching.wrap(
        __name__, CloudWatchBackend, "put_metric_alarm", fingerprint="aff786ddccbc9f13", build=_state_on_put
    ),
    patching.wrap(
        __name__, CloudWatchBackend, "set_alarm_state", fingerprint="a25532144b2a458c", build=_hold_set_state
    ),
    patching.wrap(
        __name__, CloudWatchResponse, "describe_alarms", fingerprint="f660829b233baf0a", build=_evaluate_first
    ),
    patching.wrap(
        __name__,
        CloudWatchResponse,
        "describe_alarms_for_metric",
        fingerprint="c6266fa9fe02295a",
        build=_evaluate_first,
    ),
    patching.add(__name__, CloudWatchResponse, "describe_alarm_history", describe_alarm_history),
)
