"""CloudWatch: metric alarms evaluated as CloudWatch evaluates them (see the README's "CloudWatch alarms").

- `alarm_evaluation`: the evaluation itself, pure functions without moto;
- `alarm_evaluator`: reads moto's alarms and metric data, writes changed states back, and the
  background thread `localcloud.server` starts;
- `alarm_api`: PutMetricAlarm / SetAlarmState / DescribeAlarms / DescribeAlarmHistory around it.

`PATCHES` (in `alarm_api.py`) is loaded on first access, so that `alarm_evaluation` can be imported
without moto.
"""

from __future__ import annotations

from typing import Any


def __getattr__(name: str) -> Any:
    if name == "PATCHES":
        from localcloud.cloudwatch.alarm_api import PATCHES

        return PATCHES
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
