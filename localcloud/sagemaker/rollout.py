"""The steps of a guarded endpoint update (deployment guardrails), as SageMaker runs them.

After the new fleet is up, each step of the plan moves more traffic to it and is followed by a baking
period (`WaitIntervalInSeconds`) during which the rollback alarms are watched; the last step moves all
traffic and bakes once more (the "final baking period"). An alarm in ALARM during any bake, or the
deployment outliving `MaximumExecutionTimeoutInSeconds`, rolls every request back to the old fleet.
After the last bake the old fleet stays up `TerminationWaitInSeconds` before it is retired.

`run_rollout` is free of moto and threads: the endpoint passes in how to move traffic, read the alarms,
report progress, and the clock, so tests drive it with a fake clock. The local cloud passes its rollout
clock (`localcloud.rollout_clock`), on which a configured bake lasts `scale` times fewer real seconds.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from localcloud.sagemaker.deployment_config import RolloutPlan

# How often alarms are read during a bake, in real seconds: often enough to roll back within a second of
# an alarm.
ALARM_CHECK_INTERVAL_SECONDS = 0.5


@dataclass(frozen=True)
class RolloutEvent:
    """One line of the rollout's history: `VariantStatus` Status and StatusMessage, as DescribeEndpoint
    shows them in `PendingDeploymentSummary`."""

    status: str
    message: str


@dataclass
class RolloutResult:
    completed: bool
    alarms: tuple[str, ...] = ()
    failure_reason: str | None = None
    events: list[RolloutEvent] = field(default_factory=list)


@dataclass
class RolloutControls:
    """What the rollout acts on; `alarms_in_alarm` returns the names, among those asked, now in ALARM.
    `clock`, `sleep` and `alarm_check_interval` are in the seconds the plan's waits are given in."""

    set_new_fleet_share: Callable[[float], None]
    alarms_in_alarm: Callable[[tuple[str, ...]], list[str]]
    report: Callable[[RolloutEvent], None]
    clock: Callable[[], float] = time.monotonic
    sleep: Callable[[float], None] = time.sleep
    alarm_check_interval: float = ALARM_CHECK_INTERVAL_SECONDS


def _alarm_reason(alarms: list[str], step_label: str) -> str:
    names = ", ".join(alarms)
    noun = "alarm" if len(alarms) == 1 else "alarms"
    return (
        f"Deployment rolled back: CloudWatch {noun} {names} went into ALARM while baking {step_label}. All "
        "traffic is back on the previous endpoint configuration."
    )


def run_rollout(plan: RolloutPlan, controls: RolloutControls, started_at: float) -> RolloutResult:
    """Shift traffic step by step; stop at the first alarm or at the deployment's timeout."""
    result = RolloutResult(completed=False)
    deadline = (
        None
        if plan.maximum_execution_timeout_seconds is None
        else started_at + plan.maximum_execution_timeout_seconds
    )

    def report(status: str, message: str) -> None:
        event = RolloutEvent(status, message)
        result.events.append(event)
        controls.report(event)

    for number, step in enumerate(plan.steps, start=1):
        step_label = f"step {number} of {len(plan.steps)} ({step.label}, {step.share:.0%} of traffic)"
        controls.set_new_fleet_share(step.share)
        report("ActivatingTraffic", f"Shifted {step.share:.0%} of traffic to the new fleet: {step_label}")
        bake_ends = controls.clock() + plan.wait_interval_seconds
        report("Baking", f"Baking {step_label} for {plan.wait_interval_seconds} s")
        while True:
            tripped = controls.alarms_in_alarm(plan.alarm_names) if plan.alarm_names else []
            if tripped:
                result.alarms = tuple(tripped)
                result.failure_reason = _alarm_reason(tripped, step_label)
                return result
            now = controls.clock()
            if deadline is not None and now >= deadline:
                result.failure_reason = (
                    "Deployment rolled back: it did not complete within MaximumExecutionTimeoutInSeconds "
                    f"({plan.maximum_execution_timeout_seconds} s); it was baking {step_label}."
                )
                return result
            if now >= bake_ends:
                break
            controls.sleep(min(controls.alarm_check_interval, bake_ends - now))
    result.completed = True
    return result
