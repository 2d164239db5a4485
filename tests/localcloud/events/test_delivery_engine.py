"""The delivery engine without a cloud: EventBridge's retries and what is final at once, and the per-rule
queues that keep a rule's deliveries in order."""

from __future__ import annotations

import threading
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

from localcloud import config
from localcloud.events import delivery, delivery_log
from localcloud.events.rule_queues import RuleQueues
from localcloud.events.targets import DeliveryFailed, RuleRef, delivered_here

RULE = RuleRef(
    name="engine-rule",
    arn="arn:aws:events:us-east-1:123456789012:rule/engine-rule",
    account_id="123456789012",
    region="us-east-1",
)
EVENT = {"version": "0", "id": "e-1", "source": "tests", "detail-type": "Ping", "detail": {"n": 1}}
TARGET = {"Id": "t", "Arn": "arn:aws:sqs:us-east-1:123456789012:q"}


@pytest.fixture(autouse=True)
def _state_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(config.STATE_DIR_ENV_VAR, str(tmp_path))
    monkeypatch.setenv(delivery.RETRY_DELAY_ENV_VAR, "0.5")


class FlakySend:
    """Fails with the given errors, one per call, then succeeds; records what it was given."""

    def __init__(self, *failures: DeliveryFailed) -> None:
        self.failures = list(failures)
        self.payloads: list[str] = []

    def __call__(
        self, rule: RuleRef, target: Mapping[str, Any], payload: str, event: Mapping[str, Any]
    ) -> None:
        self.payloads.append(payload)
        if self.failures:
            raise self.failures.pop(0)


def _log() -> str:
    return delivery_log.path(RULE.name).read_text()


def test_retryable_failures_are_retried_with_backoff() -> None:
    send = FlakySend(
        DeliveryFailed("THROTTLING", "slow down", retryable=True),
        DeliveryFailed("SDK_CLIENT_ERROR", "HTTP 500", retryable=True),
    )
    sleeps: list[float] = []

    assert delivery.deliver(RULE, TARGET, EVENT, "2024-01-01T00:00:00Z", send=send, sleep=sleeps.append)

    assert len(send.payloads) == 3
    assert sleeps == [0.5, 1.0]
    assert "delivered (attempt 3)" in _log()


def test_retries_end_after_max_retries() -> None:
    failures = [DeliveryFailed("THROTTLING", "slow down", retryable=True) for _ in range(5)]
    send = FlakySend(*failures)
    sleeps: list[float] = []

    assert not delivery.deliver(RULE, TARGET, EVENT, "2024-01-01T00:00:00Z", send=send, sleep=sleeps.append)

    assert len(send.payloads) == delivery.MAX_RETRIES + 1
    assert "FAILED after 3 attempt(s): THROTTLING: slow down" in _log()


def test_permission_errors_are_final_at_once() -> None:
    send = FlakySend(DeliveryFailed("NO_PERMISSIONS", "not allowed", retryable=False))
    sleeps: list[float] = []

    assert not delivery.deliver(RULE, TARGET, EVENT, "2024-01-01T00:00:00Z", send=send, sleep=sleeps.append)

    assert len(send.payloads) == 1
    assert sleeps == []
    assert "FAILED after 1 attempt(s): NO_PERMISSIONS: not allowed" in _log()


def test_the_targets_retry_policy_lowers_the_retries() -> None:
    send = FlakySend(DeliveryFailed("THROTTLING", "slow down", retryable=True))
    target = {**TARGET, "RetryPolicy": {"MaximumRetryAttempts": 0}}

    assert not delivery.deliver(RULE, target, EVENT, "2024-01-01T00:00:00Z", send=send, sleep=lambda _: None)

    assert len(send.payloads) == 1


def test_an_input_that_cannot_be_built_is_never_sent() -> None:
    send = FlakySend()
    target = {**TARGET, "InputTransformer": {"InputTemplate": '{"x": <undefined>}'}}

    assert not delivery.deliver(RULE, target, EVENT, "2024-01-01T00:00:00Z", send=send, sleep=lambda _: None)

    assert send.payloads == []
    assert "INVALID_PARAMETER" in _log()


def test_the_payload_is_the_targets_input() -> None:
    send = FlakySend()
    target = {
        **TARGET,
        "InputTransformer": {"InputPathsMap": {"n": "$.detail.n"}, "InputTemplate": '"n=<n>"'},
    }

    delivery.deliver(RULE, target, EVENT, "2024-01-01T00:00:00Z", send=send, sleep=lambda _: None)

    assert send.payloads == ['"n=1"']


@pytest.mark.parametrize(
    ("arn", "here"),
    [
        ("arn:aws:states:us-east-1:123456789012:stateMachine:churn", True),
        ("arn:aws:states:us-east-1:::", False),
        ("arn:aws:sns:us-east-1:123456789012:alerts", True),
        ("arn:aws:sqs:us-east-1:123456789012:queue", True),
        ("arn:aws:lambda:us-east-1:123456789012:function:trigger", True),
        ("arn:aws:logs:us-east-1:123456789012:log-group:/aws/events/x", False),
        ("arn:aws:events:us-east-1:123456789012:event-bus/other", False),
    ],
)
def test_which_targets_the_local_cloud_delivers(arn: str, here: bool) -> None:
    assert delivered_here(arn) is here


def test_a_rules_jobs_run_in_order_and_rules_run_independently() -> None:
    queues = RuleQueues("test")
    order: list[int] = []
    release = threading.Event()
    done = threading.Event()
    other_ran = threading.Event()

    queues.submit("blocked", release.wait)
    for number in range(20):
        queues.submit("blocked", lambda number=number: order.append(number))
    queues.submit("blocked", done.set)
    queues.submit("other", other_ran.set)

    # The other rule's job runs while the first rule waits.
    assert other_ran.wait(timeout=30)
    assert order == []
    assert queues.busy()
    release.set()
    assert done.wait(timeout=30)
    assert order == list(range(20))


def test_a_failing_job_does_not_stop_the_queue() -> None:
    queues = RuleQueues("test")
    done = threading.Event()

    def fail() -> None:
        raise RuntimeError("boom")

    queues.submit("rule", fail)
    queues.submit("rule", done.set)

    assert done.wait(timeout=30)
