"""A serverless fleet's capacity on a fake clock (no moto, no waiting), its settings from the environment and
the serverless metrics of one invocation; the end-to-end checks are in test_serverless_endpoints.py."""

from __future__ import annotations

from typing import Any

import pytest

from localcloud.sagemaker.invocation_metrics import serverless_metric_data
from localcloud.sagemaker.serverless_capacity import (
    COLD_START_ENV_VAR,
    DEFAULT_IDLE_SECONDS,
    IDLE_ENV_VAR,
    ServerlessCapacity,
    ServerlessSettings,
    Slot,
    Throttled,
    settings_for,
)


class FakeTime:
    def __init__(self) -> None:
        self.now = 0.0
        self.waits: list[float] = []

    def clock(self) -> float:
        return self.now

    def wait(self, seconds: float) -> None:
        self.waits.append(seconds)


def _capacity(time: FakeTime, **settings: Any) -> ServerlessCapacity:
    defaults: dict[str, Any] = {"max_concurrency": 2, "cold_start_seconds": 1.5, "idle_seconds": 60.0}
    return ServerlessCapacity(
        ServerlessSettings(**{**defaults, **settings}), clock=time.clock, wait=time.wait
    )


def test_max_concurrency_invocations_run_and_one_more_is_throttled_until_one_ends() -> None:
    time = FakeTime()
    capacity = _capacity(time, max_concurrency=2)
    first, second = capacity.acquire(), capacity.acquire()
    assert (first.concurrent, second.concurrent) == (1, 2)
    with pytest.raises(Throttled):
        capacity.acquire()
    capacity.release(first)
    assert capacity.acquire().concurrent == 2


def test_the_first_invocation_cold_starts_and_the_next_finds_the_environment_warm() -> None:
    time = FakeTime()
    capacity = _capacity(time)
    first = capacity.acquire()
    assert first.setup_seconds == 1.5 and time.waits == [1.5]
    capacity.release(first)
    time.now += 59
    warm = capacity.acquire()
    assert warm.setup_seconds is None and time.waits == [1.5]


def test_an_invocation_beyond_the_warm_environments_cold_starts_another() -> None:
    time = FakeTime()
    capacity = _capacity(time, max_concurrency=3)
    capacity.release(capacity.acquire())  # one environment, warm and idle
    warm, extra = capacity.acquire(), capacity.acquire()
    assert (warm.setup_seconds, extra.setup_seconds) == (None, 1.5)
    assert time.waits == [1.5, 1.5]


def test_environments_idle_longer_than_the_idle_time_are_scaled_to_zero() -> None:
    time = FakeTime()
    capacity = _capacity(time, idle_seconds=60.0)
    capacity.release(capacity.acquire())
    time.now += 60.001
    assert capacity.acquire().setup_seconds == 1.5


def test_provisioned_environments_never_cold_start_and_the_rest_spill_over() -> None:
    time = FakeTime()
    capacity = _capacity(time, max_concurrency=3, provisioned_concurrency=2)
    slots = [capacity.acquire() for _ in range(3)]
    assert [slot.provisioned for slot in slots] == [True, True, False]
    assert [slot.provisioned_busy for slot in slots] == [1, 2, 2]
    assert [slot.setup_seconds for slot in slots] == [None, None, 1.5]
    capacity.release(slots[0])
    time.now += 3600  # provisioned concurrency stays warm however long it idles
    again = capacity.acquire()
    assert again.provisioned and again.setup_seconds is None and time.waits == [1.5]


def test_without_a_cold_start_time_nothing_waits_or_reports_a_setup() -> None:
    time = FakeTime()
    capacity = _capacity(time, cold_start_seconds=0.0)
    assert capacity.acquire().setup_seconds is None and time.waits == []


def test_settings_come_from_the_serverless_config_and_the_environment() -> None:
    config = {"MemorySizeInMB": 1024, "MaxConcurrency": 5, "ProvisionedConcurrency": 2}
    assert settings_for(config, {COLD_START_ENV_VAR: "2.5", IDLE_ENV_VAR: "30"}) == ServerlessSettings(
        5, 2, 2.5, 30.0
    )
    assert settings_for({"MaxConcurrency": 1}, {}) == ServerlessSettings(1, 0, 0.0, DEFAULT_IDLE_SECONDS)


@pytest.mark.parametrize("value", ["soon", "-1"])
def test_a_bad_timing_names_its_variable(value: str) -> None:
    with pytest.raises(ValueError, match=COLD_START_ENV_VAR):
        settings_for({"MaxConcurrency": 1}, {COLD_START_ENV_VAR: value})


def _by_name(data: list[dict[str, Any]]) -> dict[str, tuple[float, str]]:
    dimensions = [{"Name": "EndpointName", "Value": "ep"}, {"Name": "VariantName", "Value": "AllTraffic"}]
    assert all(datum["Dimensions"] == dimensions for datum in data)
    return {datum["MetricName"]: (datum["Value"], datum["Unit"]) for datum in data}


def test_an_on_demand_invocation_reports_its_cold_start_and_the_utilization() -> None:
    slot = Slot(provisioned=False, concurrent=1, provisioned_busy=0, setup_seconds=0.25)
    assert _by_name(serverless_metric_data("ep", "AllTraffic", slot, 4, 0)) == {
        "ModelSetupTime": (250_000.0, "Microseconds"),
        "ServerlessConcurrentExecutionsUtilization": (0.25, "None"),
    }


def test_with_provisioned_concurrency_each_invocation_counts_as_provisioned_or_spillover() -> None:
    spillover = Slot(provisioned=False, concurrent=3, provisioned_busy=2, setup_seconds=None)
    assert _by_name(serverless_metric_data("ep", "AllTraffic", spillover, 4, 2)) == {
        "ServerlessConcurrentExecutionsUtilization": (0.75, "None"),
        "ServerlessProvisionedConcurrencyExecutions": (2.0, "Count"),
        "ServerlessProvisionedConcurrencyUtilization": (1.0, "None"),
        "ServerlessProvisionedConcurrencyInvocations": (0.0, "Count"),
        "ServerlessProvisionedConcurrencySpilloverInvocations": (1.0, "Count"),
    }
