"""UpdateEndpoint's `DeploymentConfig` (deployment guardrails) checked as SageMaker checks it, and turned
into the traffic plan the local endpoint follows.

Pure: no moto, no clock. `parse_deployment_config` raises `DeploymentConfigError` with the message the
local UpdateEndpoint answers as a ValidationException.

Shapes and limits (SageMaker API reference: DeploymentConfig, BlueGreenUpdatePolicy, TrafficRoutingConfig,
CapacitySize, RollingUpdatePolicy, AutoRollbackConfig; "Deployment guardrails"):

- exactly one of `BlueGreenUpdatePolicy` and `RollingUpdatePolicy`;
- `TrafficRoutingConfiguration.Type` ALL_AT_ONCE | CANARY | LINEAR, `WaitIntervalInSeconds` 0-3600;
- a canary is at most 50 % of the variant's instances; a linear step is 10-50 % of them; a rolling batch
  is 5-50 % of them;
- `TerminationWaitInSeconds` 0-3600; `MaximumExecutionTimeoutInSeconds` 600-28800, and longer than
  the waits it has to contain;
- `AutoRollbackConfiguration.Alarms`: 1-10 alarm names.

Traffic goes to instances evenly, so a step's share of traffic is its share of the variant's instances:
a percentage is rounded up to whole instances (at least one), as a fleet cannot run part of an instance.

A serverless variant has no instances ("Deployment guardrails" excludes it from rolling updates only): a
canary or linear step is sized as a `CAPACITY_PERCENT` of its capacity, which is its share of traffic;
`INSTANCE_COUNT` is refused (the local cloud's reading: AWS does not document this case).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Any, Literal

WAIT_LIMITS = (0, 3600)
TIMEOUT_LIMITS = (600, 28800)
MAX_ROLLBACK_ALARMS = 10
CAPACITY_TYPES = ("INSTANCE_COUNT", "CAPACITY_PERCENT")
TRAFFIC_ROUTING_TYPES = ("ALL_AT_ONCE", "CANARY", "LINEAR")
# (minimum, maximum) share of the variant's instances, per kind of step.
STEP_SHARE_LIMITS = {
    "CanarySize": (0.0, 0.5),
    "LinearStepSize": (0.1, 0.5),
    "MaximumBatchSize": (0.05, 0.5),
}


class DeploymentConfigError(ValueError):
    """The DeploymentConfig breaks one of SageMaker's rules; the message names the field and value."""


@dataclass(frozen=True)
class _Capacity:
    """What a step's size counts: the variant's instances, or percent of a serverless variant's capacity."""

    total: int
    serverless: bool = False

    def describe(self, units: int) -> str:
        return f"{units}% of capacity" if self.serverless else f"{units} of {self.total} instances"

    @property
    def whole(self) -> str:
        return "all capacity" if self.serverless else f"all {self.total} instances"

    @property
    def measure(self) -> str:
        return "capacity" if self.serverless else "instance count"


@dataclass(frozen=True)
class TrafficStep:
    """After this step the new fleet takes `share` of the traffic, on `new_instances` of the variant's."""

    share: float
    new_instances: int
    label: str


@dataclass(frozen=True)
class RolloutPlan:
    policy: Literal["BlueGreen", "Rolling"]
    steps: tuple[TrafficStep, ...]
    wait_interval_seconds: int
    termination_wait_seconds: int
    maximum_execution_timeout_seconds: int | None
    alarm_names: tuple[str, ...]

    @property
    def total_wait_seconds(self) -> int:
        """The bakes (one after each step) plus the termination wait."""
        return self.wait_interval_seconds * len(self.steps) + self.termination_wait_seconds


def _whole_number(value: Any, field: str, limits: tuple[int, int] | None = None) -> int:
    if isinstance(value, bool) or not isinstance(value, int | float) or int(value) != value:
        raise DeploymentConfigError(f"{field} must be a whole number; got {value!r}")
    number = int(value)
    if limits is not None and not limits[0] <= number <= limits[1]:
        raise DeploymentConfigError(
            f"Value {number} at '{field}' failed to satisfy constraint: Member must have value between "
            f"{limits[0]} and {limits[1]}"
        )
    return number


def _object(value: Any, field: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise DeploymentConfigError(f"{field} must be an object; got {value!r}")
    return value


def _step_instances(size: Any, field: str, capacity: _Capacity) -> int:
    """Instances (percent of capacity) one step turns on, checked against the step kind's share limits."""
    size = _object(size, field)
    capacity_type = size.get("Type")
    if capacity_type not in CAPACITY_TYPES:
        raise DeploymentConfigError(
            f"Value {capacity_type!r} at '{field}.Type' failed to satisfy constraint: Member must satisfy "
            f"enum value set: [{', '.join(CAPACITY_TYPES)}]"
        )
    value = _whole_number(size.get("Value"), f"{field}.Value")
    if value < 1:
        raise DeploymentConfigError(f"{field}.Value must be at least 1; got {value}")
    if capacity.serverless and capacity_type == "INSTANCE_COUNT":
        raise DeploymentConfigError(
            f"{field}.Type INSTANCE_COUNT cannot size a step of a serverless variant, which has no "
            "instances; use CAPACITY_PERCENT"
        )
    instance_count = capacity.total
    if capacity_type == "INSTANCE_COUNT":
        instances = value
    else:
        if value > 100:
            raise DeploymentConfigError(f"{field}.Value {value} is more than 100 percent")
        instances = max(1, math.ceil(value * instance_count / 100))
    kind = field.rsplit(".", 1)[-1]
    low, high = STEP_SHARE_LIMITS[kind]
    share = instances / instance_count
    if share > high + 1e-9 or share < low - 1e-9:
        what = {"CanarySize": "canary", "LinearStepSize": "linear step", "MaximumBatchSize": "rolling batch"}
        bounds = f"at most {high:.0%}" if low == 0 else f"between {low:.0%} and {high:.0%}"
        raise DeploymentConfigError(
            f"{field} ({capacity_type} {value}) is {capacity.describe(instances)} of the variant "
            f"({share:.0%}); a {what[kind]} must be {bounds} of the variant's {capacity.measure}"
        )
    return instances


def _steps_of(increment: int, capacity: _Capacity, label: str) -> tuple[TrafficStep, ...]:
    steps = []
    active = 0
    while active < capacity.total:
        active = min(capacity.total, active + increment)
        steps.append(
            TrafficStep(
                share=active / capacity.total,
                new_instances=active,
                label=f"{label} {len(steps) + 1}: {capacity.describe(active)}",
            )
        )
    return tuple(steps)


def _all_traffic(capacity: _Capacity, label: str) -> TrafficStep:
    return TrafficStep(1.0, capacity.total, f"{label}: {capacity.whole}")


def _alarm_names(config: dict[str, Any]) -> tuple[str, ...]:
    rollback = config.get("AutoRollbackConfiguration")
    if rollback is None:
        return ()
    alarms = _object(rollback, "DeploymentConfig.AutoRollbackConfiguration").get("Alarms")
    if not isinstance(alarms, list) or not 1 <= len(alarms) <= MAX_ROLLBACK_ALARMS:
        count = len(alarms) if isinstance(alarms, list) else alarms
        raise DeploymentConfigError(
            f"DeploymentConfig.AutoRollbackConfiguration.Alarms must hold 1 to {MAX_ROLLBACK_ALARMS} alarms; "
            f"got {count}"
        )
    names = []
    for index, alarm in enumerate(alarms):
        name = _object(alarm, f"AutoRollbackConfiguration.Alarms[{index}]").get("AlarmName")
        if not isinstance(name, str) or not 1 <= len(name) <= 255:
            raise DeploymentConfigError(
                f"AutoRollbackConfiguration.Alarms[{index}].AlarmName must be a name of 1-255 characters; "
                f"got {name!r}"
            )
        names.append(name)
    return tuple(names)


def _with_timeout(plan: RolloutPlan, policy: dict[str, Any], field: str) -> RolloutPlan:
    """The plan with the policy's MaximumExecutionTimeoutInSeconds, which must outlast the plan's waits."""
    if policy.get("MaximumExecutionTimeoutInSeconds") is None:
        return plan
    timeout = _whole_number(
        policy["MaximumExecutionTimeoutInSeconds"],
        f"{field}.MaximumExecutionTimeoutInSeconds",
        TIMEOUT_LIMITS,
    )
    if timeout <= plan.total_wait_seconds:
        raise DeploymentConfigError(
            f"{field}.MaximumExecutionTimeoutInSeconds ({timeout}) must be greater than the total waiting "
            f"time of the deployment ({plan.total_wait_seconds} s: WaitIntervalInSeconds after each step "
            "plus TerminationWaitInSeconds)"
        )
    return replace(plan, maximum_execution_timeout_seconds=timeout)


def parse_deployment_config(
    config: dict[str, Any] | None, instance_count: int, *, serverless: bool = False
) -> RolloutPlan | None:
    """The plan for `config` on a variant of `instance_count` instances, or on a serverless variant (whose
    steps are percent of its capacity; `instance_count` is then ignored); None when there is no config."""
    if config is None:
        return None
    config = _object(config, "DeploymentConfig")
    blue_green = config.get("BlueGreenUpdatePolicy")
    rolling = config.get("RollingUpdatePolicy")
    if (blue_green is None) == (rolling is None):
        raise DeploymentConfigError(
            "DeploymentConfig must set exactly one of BlueGreenUpdatePolicy and RollingUpdatePolicy"
        )
    alarms = _alarm_names(config)
    capacity = _Capacity(100, serverless=True) if serverless else _Capacity(instance_count)
    if rolling is not None:
        return _rolling_plan(_object(rolling, "RollingUpdatePolicy"), capacity, alarms)
    return _blue_green_plan(_object(blue_green, "BlueGreenUpdatePolicy"), capacity, alarms)


def _blue_green_plan(policy: dict[str, Any], capacity: _Capacity, alarms: tuple[str, ...]) -> RolloutPlan:
    field = "BlueGreenUpdatePolicy.TrafficRoutingConfiguration"
    routing = _object(policy.get("TrafficRoutingConfiguration"), field)
    routing_type = routing.get("Type")
    if routing_type not in TRAFFIC_ROUTING_TYPES:
        raise DeploymentConfigError(
            f"Value {routing_type!r} at '{field}.Type' failed to satisfy constraint: Member must satisfy "
            f"enum value set: [{', '.join(TRAFFIC_ROUTING_TYPES)}]"
        )
    wait = _whole_number(routing.get("WaitIntervalInSeconds"), f"{field}.WaitIntervalInSeconds", WAIT_LIMITS)
    if routing_type == "ALL_AT_ONCE":
        steps: tuple[TrafficStep, ...] = (_all_traffic(capacity, "all at once"),)
    elif routing_type == "CANARY":
        if routing.get("CanarySize") is None:
            raise DeploymentConfigError(f"{field}.CanarySize is required when Type is CANARY")
        canary = _step_instances(routing["CanarySize"], f"{field}.CanarySize", capacity)
        steps = (
            TrafficStep(canary / capacity.total, canary, f"canary: {capacity.describe(canary)}"),
            _all_traffic(capacity, "rest of the traffic"),
        )
    else:
        if routing.get("LinearStepSize") is None:
            raise DeploymentConfigError(f"{field}.LinearStepSize is required when Type is LINEAR")
        step = _step_instances(routing["LinearStepSize"], f"{field}.LinearStepSize", capacity)
        steps = _steps_of(step, capacity, "linear step")
    termination = _whole_number(
        policy.get("TerminationWaitInSeconds", 0),
        "BlueGreenUpdatePolicy.TerminationWaitInSeconds",
        WAIT_LIMITS,
    )
    plan = RolloutPlan("BlueGreen", steps, wait, termination, None, alarms)
    return _with_timeout(plan, policy, "BlueGreenUpdatePolicy")


def _rolling_plan(policy: dict[str, Any], capacity: _Capacity, alarms: tuple[str, ...]) -> RolloutPlan:
    if policy.get("MaximumBatchSize") is None:
        raise DeploymentConfigError("RollingUpdatePolicy.MaximumBatchSize is required")
    batch = _step_instances(policy["MaximumBatchSize"], "RollingUpdatePolicy.MaximumBatchSize", capacity)
    if policy.get("RollbackMaximumBatchSize") is not None:
        size = _object(policy["RollbackMaximumBatchSize"], "RollingUpdatePolicy.RollbackMaximumBatchSize")
        if (
            size.get("Type") not in CAPACITY_TYPES
            or _whole_number(size.get("Value"), "RollingUpdatePolicy.RollbackMaximumBatchSize.Value") < 1
        ):
            raise DeploymentConfigError(
                "RollingUpdatePolicy.RollbackMaximumBatchSize must be a Type in "
                f"{list(CAPACITY_TYPES)} and a Value >= 1; got {size!r}"
            )
    wait = _whole_number(
        policy.get("WaitIntervalInSeconds"), "RollingUpdatePolicy.WaitIntervalInSeconds", WAIT_LIMITS
    )
    steps = _steps_of(batch, capacity, "rolling batch")
    return _with_timeout(RolloutPlan("Rolling", steps, wait, 0, None, alarms), policy, "RollingUpdatePolicy")
