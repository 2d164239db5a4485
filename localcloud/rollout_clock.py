"""The clock endpoint rollouts and the CloudWatch alarms watching them run on: real time, run faster.

A rollout's waits are minutes on AWS (the module's default bake is 300 s per step, after 60 s alarm
periods), so that an alarm sees a few periods of the new fleet's traffic before more traffic moves. The
local cloud keeps those proportions and shrinks them all by one factor, `LOCALCLOUD_ROLLOUT_TIME_SCALE`
(default 60, read when the local cloud starts; 1 is real time):

- SageMaker deployment guardrails: `WaitIntervalInSeconds` (each bake), `TerminationWaitInSeconds` and
  `MaximumExecutionTimeoutInSeconds` last `seconds / scale` real seconds (a 300 s bake: 5 s);
- CloudWatch alarms: a datapoint `age` real seconds old is evaluated as if it were `age x scale` seconds
  old, so a 60 s period covers the last second of requests and 3 periods the last three seconds.

What the APIs answer stays in the configuration's units: DescribeEndpoint says "Baking ... for 300 s", an
alarm's Period stays 60. Fewer requests fall in a shortened period than in a real one, so a percentile or
error-rate alarm sees the traffic of a second, not of a minute.

An ALARM state lasts a minute of this clock, but at least 10 real seconds, so that a run reading the
alarms after a rollback still finds the one that tripped (`alarm_evaluator`). Not scaled: a SetAlarmState
hold, the Step Functions waits of a run, and the scheduler, which has its own clock (`scheduler/clock.py`).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from localcloud.background_loop import time_scale_from_environment

TIME_SCALE_ENV_VAR = "LOCALCLOUD_ROLLOUT_TIME_SCALE"
DEFAULT_TIME_SCALE = 60.0


@dataclass(frozen=True)
class RolloutClock:
    scale: float = DEFAULT_TIME_SCALE

    def now(self) -> float:
        """Monotonic seconds of this clock: `scale` of them pass per real second."""
        return time.monotonic() * self.scale

    def sleep(self, clock_seconds: float) -> None:
        time.sleep(self.real_seconds(clock_seconds))

    def real_seconds(self, clock_seconds: float) -> float:
        """How many real seconds `clock_seconds` of this clock last."""
        return clock_seconds / self.scale

    def clock_seconds(self, real_seconds: float) -> float:
        """How many seconds of this clock `real_seconds` real seconds are."""
        return real_seconds * self.scale


def scale_from_environment() -> float:
    """LOCALCLOUD_ROLLOUT_TIME_SCALE, else 60."""
    return time_scale_from_environment(TIME_SCALE_ENV_VAR, DEFAULT_TIME_SCALE)


_clock = RolloutClock(scale_from_environment())


def current() -> RolloutClock:
    return _clock


def restart(scale: float | None = None) -> RolloutClock:
    """Set the clock's scale (default: LOCALCLOUD_ROLLOUT_TIME_SCALE, else 60)."""
    global _clock
    _clock = RolloutClock(scale_from_environment() if scale is None else scale)
    return _clock
