"""DeploymentConfig checked as SageMaker checks it, the traffic plan it gives, and the rollout's steps
(bakes, alarms, timeout) driven by a fake clock."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from localcloud.sagemaker.deployment_config import DeploymentConfigError, parse_deployment_config
from localcloud.sagemaker.rollout import RolloutControls, RolloutEvent, run_rollout


def _blue_green(routing: dict[str, Any], **policy: Any) -> dict[str, Any]:
    return {
        "BlueGreenUpdatePolicy": {"TrafficRoutingConfiguration": routing, **policy},
        "AutoRollbackConfiguration": {"Alarms": [{"AlarmName": "errors"}]},
    }


CANARY = _blue_green(
    {"Type": "CANARY", "WaitIntervalInSeconds": 30, "CanarySize": {"Type": "CAPACITY_PERCENT", "Value": 25}},
    TerminationWaitInSeconds=10,
    MaximumExecutionTimeoutInSeconds=600,
)


def test_no_config_is_sagemakers_default_update() -> None:
    assert parse_deployment_config(None, 4) is None


def test_canary_of_a_quarter_of_four_instances_then_the_rest() -> None:
    plan = parse_deployment_config(CANARY, 4)
    assert plan is not None
    assert [step.share for step in plan.steps] == [0.25, 1.0]
    assert plan.wait_interval_seconds == 30 and plan.termination_wait_seconds == 10
    assert plan.alarm_names == ("errors",)
    assert plan.total_wait_seconds == 70


def test_a_percentage_is_rounded_up_to_whole_instances() -> None:
    config = copy.deepcopy(CANARY)
    config["BlueGreenUpdatePolicy"]["TrafficRoutingConfiguration"]["CanarySize"]["Value"] = 10
    plan = parse_deployment_config(config, 4)
    assert plan is not None and plan.steps[0].new_instances == 1 and plan.steps[0].share == 0.25


def test_linear_steps_cover_the_fleet() -> None:
    config = _blue_green(
        {
            "Type": "LINEAR",
            "WaitIntervalInSeconds": 5,
            "LinearStepSize": {"Type": "INSTANCE_COUNT", "Value": 3},
        }
    )
    plan = parse_deployment_config(config, 10)
    assert plan is not None
    assert [step.new_instances for step in plan.steps] == [3, 6, 9, 10]


def test_all_at_once_is_one_step() -> None:
    plan = parse_deployment_config(_blue_green({"Type": "ALL_AT_ONCE", "WaitIntervalInSeconds": 0}), 1)
    assert plan is not None and [step.share for step in plan.steps] == [1.0]


def test_rolling_batches() -> None:
    config = {
        "RollingUpdatePolicy": {
            "MaximumBatchSize": {"Type": "CAPACITY_PERCENT", "Value": 50},
            "WaitIntervalInSeconds": 10,
        }
    }
    plan = parse_deployment_config(config, 4)
    assert plan is not None and plan.policy == "Rolling"
    assert [step.share for step in plan.steps] == [0.5, 1.0]
    assert plan.alarm_names == ()


def test_a_serverless_canary_takes_its_percent_of_traffic_unrounded() -> None:
    config = copy.deepcopy(CANARY)
    config["BlueGreenUpdatePolicy"]["TrafficRoutingConfiguration"]["CanarySize"]["Value"] = 10
    plan = parse_deployment_config(config, 1, serverless=True)
    assert plan is not None
    assert [step.share for step in plan.steps] == [0.1, 1.0]
    assert [step.label for step in plan.steps] == [
        "canary: 10% of capacity",
        "rest of the traffic: all capacity",
    ]


def test_a_serverless_linear_step_is_ten_to_fifty_percent_of_capacity() -> None:
    routing = {"Type": "LINEAR", "WaitIntervalInSeconds": 0, "LinearStepSize": {"Type": "CAPACITY_PERCENT"}}
    routing["LinearStepSize"]["Value"] = 40
    plan = parse_deployment_config(_blue_green(routing), 1, serverless=True)
    assert plan is not None and [step.share for step in plan.steps] == [0.4, 0.8, 1.0]
    routing["LinearStepSize"]["Value"] = 60
    refused = r"is 60% of capacity .* between 10% and 50% of the variant's capacity"
    with pytest.raises(DeploymentConfigError, match=refused):
        parse_deployment_config(_blue_green(routing), 1, serverless=True)


def test_a_serverless_variant_has_no_instances_to_count() -> None:
    config = copy.deepcopy(CANARY)
    config["BlueGreenUpdatePolicy"]["TrafficRoutingConfiguration"]["CanarySize"] = {
        "Type": "INSTANCE_COUNT",
        "Value": 1,
    }
    assert parse_deployment_config(config, 4) is not None
    with pytest.raises(
        DeploymentConfigError, match="INSTANCE_COUNT cannot size a step of a serverless variant"
    ):
        parse_deployment_config(config, 4, serverless=True)


@pytest.mark.parametrize(
    ("mutate", "instances", "message"),
    [
        (lambda c: c["BlueGreenUpdatePolicy"]["TrafficRoutingConfiguration"].update(Type="BOTH"), 4, "enum"),
        (
            lambda c: c["BlueGreenUpdatePolicy"]["TrafficRoutingConfiguration"].update(
                WaitIntervalInSeconds=3601
            ),
            4,
            "between 0 and 3600",
        ),
        (lambda c: c["BlueGreenUpdatePolicy"].update(TerminationWaitInSeconds=-1), 4, "between 0 and 3600"),
        (
            lambda c: c["BlueGreenUpdatePolicy"].update(MaximumExecutionTimeoutInSeconds=599),
            4,
            "600 and 28800",
        ),
        (
            lambda c: c["BlueGreenUpdatePolicy"].update(MaximumExecutionTimeoutInSeconds=28801),
            4,
            "600 and 28800",
        ),
        # canary 60 % of the fleet: more than half
        (
            lambda c: c["BlueGreenUpdatePolicy"]["TrafficRoutingConfiguration"]["CanarySize"].update(
                Value=60
            ),
            4,
            "at most 50%",
        ),
        # a 25 % canary of one instance is the whole instance
        (lambda c: None, 1, "at most 50%"),
        (
            lambda c: c["BlueGreenUpdatePolicy"]["TrafficRoutingConfiguration"].pop("CanarySize"),
            4,
            "required",
        ),
        (lambda c: c.update(RollingUpdatePolicy={}), 4, "exactly one"),
        (lambda c: c["AutoRollbackConfiguration"].update(Alarms=[]), 4, "1 to 10"),
        (
            lambda c: c["AutoRollbackConfiguration"].update(
                Alarms=[{"AlarmName": f"a{i}"} for i in range(11)]
            ),
            4,
            "1 to 10",
        ),
        # the timeout must outlast the bakes (2 x 300 s) and the termination wait (10 s)
        (
            lambda c: c["BlueGreenUpdatePolicy"]["TrafficRoutingConfiguration"].update(
                WaitIntervalInSeconds=300
            ),
            4,
            "greater than the total waiting time",
        ),
    ],
)
def test_each_limit_is_refused_naming_the_field(mutate: Any, instances: int, message: str) -> None:
    config = copy.deepcopy(CANARY)
    mutate(config)
    with pytest.raises(DeploymentConfigError, match=message):
        parse_deployment_config(config, instances)


@pytest.mark.parametrize(("value", "accepted"), [(1, False), (2, True), (10, True), (11, False)])
def test_linear_step_is_ten_to_fifty_percent_of_the_fleet(value: int, accepted: bool) -> None:
    config = _blue_green(
        {
            "Type": "LINEAR",
            "WaitIntervalInSeconds": 0,
            "LinearStepSize": {"Type": "INSTANCE_COUNT", "Value": value},
        }
    )
    if accepted:
        assert parse_deployment_config(config, 20) is not None
    else:
        with pytest.raises(DeploymentConfigError, match="between 10% and 50%"):
            parse_deployment_config(config, 20)


@given(instances=st.integers(1, 40), percent=st.integers(1, 100))
def test_every_accepted_plan_ends_with_all_traffic_on_the_new_fleet(instances: int, percent: int) -> None:
    config = _blue_green(
        {
            "Type": "LINEAR",
            "WaitIntervalInSeconds": 0,
            "LinearStepSize": {"Type": "CAPACITY_PERCENT", "Value": percent},
        }
    )
    try:
        plan = parse_deployment_config(config, instances)
    except DeploymentConfigError:
        return
    assert plan is not None
    shares = [step.share for step in plan.steps]
    assert shares[-1] == 1.0 and shares == sorted(shares) and len(set(shares)) == len(shares)
    assert all(step.new_instances / instances >= 0.1 - 1e-9 for step in plan.steps)


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


def _controls(clock: FakeClock, alarm_at: float | None = None) -> tuple[RolloutControls, list[Any]]:
    shares: list[Any] = []
    events: list[RolloutEvent] = []

    def alarms(names: tuple[str, ...]) -> list[str]:
        return list(names) if alarm_at is not None and clock.now >= alarm_at else []

    controls = RolloutControls(
        set_new_fleet_share=shares.append,
        alarms_in_alarm=alarms,
        report=events.append,
        clock=clock,
        sleep=clock.sleep,
    )
    return controls, shares


def test_a_quiet_canary_bakes_each_step_and_completes() -> None:
    plan = parse_deployment_config(CANARY, 4)
    assert plan is not None
    clock = FakeClock()
    controls, shares = _controls(clock)
    result = run_rollout(plan, controls, started_at=0.0)
    assert result.completed and result.failure_reason is None
    assert shares == [0.25, 1.0]
    assert clock.now == pytest.approx(60.0)  # two bakes of 30 s; the termination wait is the endpoint's
    assert [event.status for event in result.events] == ["ActivatingTraffic", "Baking"] * 2


def test_an_alarm_during_the_canary_bake_rolls_back_before_the_rest_of_the_traffic_moves() -> None:
    plan = parse_deployment_config(CANARY, 4)
    assert plan is not None
    clock = FakeClock()
    controls, shares = _controls(clock, alarm_at=12.0)
    result = run_rollout(plan, controls, started_at=0.0)
    assert not result.completed
    assert shares == [0.25]
    assert result.alarms == ("errors",)
    assert "alarm errors went into ALARM while baking step 1 of 2" in (result.failure_reason or "")
    assert 12.0 <= clock.now <= 12.5  # noticed within one alarm check


def test_the_deployment_timeout_rolls_back() -> None:
    config = _blue_green(
        {"Type": "ALL_AT_ONCE", "WaitIntervalInSeconds": 500}, MaximumExecutionTimeoutInSeconds=600
    )
    plan = parse_deployment_config(config, 1)
    assert plan is not None
    clock = FakeClock()
    controls, _ = _controls(clock)
    result = run_rollout(plan, controls, started_at=-200.0)  # the new fleet took 200 s to start
    assert not result.completed
    assert "MaximumExecutionTimeoutInSeconds (600 s)" in (result.failure_reason or "")
    assert clock.now == pytest.approx(400.0)
