"""EventBridge Scheduler: schedules moto stores, fired as the Scheduler fires them (see the README's
"EventBridge Scheduler").

- `expressions`: rate / cron / at expressions and the times they fire (pure, no moto);
- `clock`: the scheduler clock and `LOCALCLOUD_SCHEDULER_TIME_SCALE` (pure);
- `validation`: CreateSchedule / UpdateSchedule refuse what AWS refuses;
- `targets`: calling a target as its role, the input's context attributes, the dead-letter message;
- `firing`: which occurrences are due, retries, dead letters, deletion after completion, the background
  thread and `fire_due_schedules(now)`;
- `schedule_log`: `.localcloud/logs/scheduler/<group>/<name>.log`.

`PATCHES` is loaded on first access, so that `expressions` and `clock` import without moto.
"""

from __future__ import annotations

from typing import Any


def __getattr__(name: str) -> Any:
    if name == "PATCHES":
        from localcloud.scheduler.validation import PATCHES

        return PATCHES
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
