"""The scheduler's clock: real time, or real time run faster so that tests and demos need not wait days.

`LOCALCLOUD_SCHEDULER_TIME_SCALE` (default 1), read when the local cloud starts: the clock equals real
time at that moment and then advances `scale` seconds per real second. Every time a schedule is read
against is a time of this clock: the times an expression fires, `StartDate`, `EndDate`, the schedule's
creation (moto records it in real time, converted here), the `<aws.scheduler.scheduled-time>` put in the
target's input and the event age of a retry. So with 86400, `rate(1 day)` fires each real second,
`cron(0 9 * * ? *)` once per real second (at 09:00 of each clock day), and an `at()` a day after the
start one real second after it; with 60, `rate(1 minute)` fires each real second.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

from localcloud.background_loop import time_scale_from_environment

TIME_SCALE_ENV_VAR = "LOCALCLOUD_SCHEDULER_TIME_SCALE"


@dataclass(frozen=True)
class ScheduleClock:
    scale: float = 1.0
    origin: datetime = field(default_factory=lambda: datetime.now(UTC))  # real time = clock time here

    def from_real(self, real: datetime) -> datetime:
        """The clock's time at the real time `real` (timezone-aware)."""
        return self.origin + (real - self.origin) * self.scale

    def now(self) -> datetime:
        return self.from_real(datetime.now(UTC))

    def real_seconds(self, clock_seconds: float) -> float:
        """How many real seconds `clock_seconds` of the clock last."""
        return clock_seconds / self.scale


def scale_from_environment() -> float:
    """LOCALCLOUD_SCHEDULER_TIME_SCALE, else 1 (real time)."""
    return time_scale_from_environment(TIME_SCALE_ENV_VAR, 1.0)


_clock = ScheduleClock()


def current() -> ScheduleClock:
    return _clock


def restart(scale: float | None = None) -> ScheduleClock:
    """Start the clock at real time now, at `scale` (default: LOCALCLOUD_SCHEDULER_TIME_SCALE)."""
    global _clock
    _clock = ScheduleClock(scale_from_environment() if scale is None else scale)
    return _clock
