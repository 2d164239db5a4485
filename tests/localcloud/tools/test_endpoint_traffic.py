"""The demo's caller: back to back by default, or at a steady rate that never runs ahead of its schedule."""

from __future__ import annotations

import io
import time
from typing import Any

import pytest

from localcloud.config import FLEET_HEADER
from localcloud.tools.endpoint_traffic import EndpointTraffic


class InstantRuntime:
    """A sagemaker-runtime client whose endpoint answers at once."""

    def __init__(self) -> None:
        self.calls = 0

    def invoke_endpoint(self, **_: Any) -> dict[str, Any]:
        self.calls += 1
        return {"ResponseMetadata": {"HTTPHeaders": {FLEET_HEADER: "config-a"}}, "Body": io.BytesIO(b"0.5")}


def _run_for(traffic: EndpointTraffic, seconds: float) -> float:
    started = time.monotonic()
    traffic.start()
    time.sleep(seconds)
    traffic.stop()
    return time.monotonic() - started


@pytest.mark.parametrize("rate", [20.0, 50.0])
def test_a_paced_caller_never_exceeds_its_rate(rate: float) -> None:
    runtime = InstantRuntime()
    traffic = EndpointTraffic(runtime, "endpoint", "1,2,3", requests_per_second=rate)
    elapsed = _run_for(traffic, 0.5)
    # The schedule starts with a call; each later one waits for its slot.
    assert 1 <= runtime.calls <= rate * elapsed + 1
    assert len(traffic.answers) == runtime.calls
    assert all(answer.ok and answer.config == "config-a" for answer in traffic.answers)


def test_an_unpaced_caller_calls_back_to_back() -> None:
    runtime = InstantRuntime()
    elapsed = _run_for(EndpointTraffic(runtime, "endpoint", "1,2,3"), 0.3)
    assert runtime.calls > 100 * elapsed + 1


def test_stop_does_not_wait_for_the_next_slot() -> None:
    traffic = EndpointTraffic(InstantRuntime(), "endpoint", "1,2,3", requests_per_second=0.1).start()
    time.sleep(0.05)
    stopping = time.monotonic()
    traffic.stop()
    assert time.monotonic() - stopping < 5  # the next slot is 10 s away
