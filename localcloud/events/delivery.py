"""Delivering an event put on a bus to the targets of every rule it matches, as EventBridge does.

moto's `Rule.send_to_targets`, which its PutEvents calls for every rule of the bus, raises
`NotImplementedError` for Step Functions, SNS and Lambda targets, renders input transformers by text
replacement, delivers synchronously, and ignores a rule's state. The wrapped version routes an event as
EventBridge does:

- only ENABLED rules with an event pattern take part (a schedule-only rule matches no event);
- the pattern is matched against the event as delivered (`time` in ISO 8601) with moto's matcher
  (`event_patterns` fixes how it reads arrays);
- targets the local cloud delivers (`targets`: state machines, SNS topics, SQS queues, Lambda functions)
  get their input (`input_transformer`) and are called from one background queue per rule
  (`rule_queues`), so PutEvents answers at once and a rule's deliveries keep their order;
- any other target (CloudWatch Logs, an archive, another event bus, an API destination) is left to
  moto's original delivery, synchronously, as before.

A delivery refused or failed with a retryable error (throttling, a server error, a lost connection) is
retried `MAX_RETRIES` times, `LOCALCLOUD_EVENTS_RETRY_DELAY_SECONDS` (default 1) and then twice that
apart; a target's `RetryPolicy.MaximumRetryAttempts` lowers the number. AWS retries up to 185 times over
24 hours; locally a failure must show within seconds. Permission errors, missing targets and inputs that
cannot be built are final at once, as on AWS. A final failure is written to the target's
`DeadLetterConfig` queue (the event, with the attributes `RULE_ARN`, `TARGET_ARN`, `ERROR_CODE`,
`ERROR_MESSAGE`, `RETRY_ATTEMPTS` and, when retries ran out, `EXHAUSTED_RETRY_CONDITION`), when it has one.
Every outcome is a line of the rule's delivery log (`delivery_log`) and counts in the rule's `AWS/Events`
metrics (`metrics`). Nothing here raises into the caller of PutEvents.
"""

from __future__ import annotations

import copy
import functools
import logging
import os
import time
from collections.abc import Callable, Mapping
from typing import Any

from moto.events.models import Rule

from localcloud import patching
from localcloud.events import delivery_log, envelope, input_transformer, metrics, targets
from localcloud.events.input_transformer import InputTransformError, RuleContext
from localcloud.events.rule_queues import RuleQueues
from localcloud.events.targets import DeliveryFailed, RuleRef

LOG = logging.getLogger(__name__)

RETRY_DELAY_ENV_VAR = "LOCALCLOUD_EVENTS_RETRY_DELAY_SECONDS"
DEFAULT_RETRY_DELAY_SECONDS = 1.0
MAX_RETRIES = 2
EXHAUSTED_RETRY_CONDITION = "MaximumRetryAttempts"

_QUEUES = RuleQueues("events")

# (rule, target, payload, event) -> the denials IAM enforcement turned off let through, or None.
Sender = Callable[[RuleRef, Mapping[str, Any], str, Mapping[str, Any]], str | None]


def retry_delay_seconds() -> float:
    return float(os.environ.get(RETRY_DELAY_ENV_VAR) or DEFAULT_RETRY_DELAY_SECONDS)


def retries(target: Mapping[str, Any]) -> int:
    """How often a retryable failure is retried: MAX_RETRIES, or fewer when the target's policy says so."""
    policy = target.get("RetryPolicy") or {}
    maximum = policy.get("MaximumRetryAttempts")
    return MAX_RETRIES if maximum is None else max(0, min(MAX_RETRIES, int(maximum)))


def pending() -> bool:
    """Whether deliveries are queued or running (for tests and for shutting down cleanly)."""
    return _QUEUES.busy()


def _target_label(target: Mapping[str, Any]) -> str:
    return f"target {target.get('Id')} ({target.get('Arn')})"


def _dead_letter(
    rule: RuleRef, target: Mapping[str, Any], event: Mapping[str, Any], failure: DeliveryFailed, attempts: int
) -> None:
    queue_arn = (target.get("DeadLetterConfig") or {}).get("Arn")
    if not queue_arn:
        return
    attributes = {
        "RULE_ARN": {"DataType": "String", "StringValue": rule.arn},
        "TARGET_ARN": {"DataType": "String", "StringValue": str(target.get("Arn"))},
        "ERROR_CODE": {"DataType": "String", "StringValue": failure.code},
        "ERROR_MESSAGE": {"DataType": "String", "StringValue": failure.message[:1024] or failure.code},
        "RETRY_ATTEMPTS": {"DataType": "Number", "StringValue": str(attempts - 1)},
    }
    if failure.retryable:
        attributes["EXHAUSTED_RETRY_CONDITION"] = {
            "DataType": "String",
            "StringValue": EXHAUSTED_RETRY_CONDITION,
        }
    try:
        targets.send_to_queue(rule, queue_arn, input_transformer.minified(event), attributes=attributes)
    except Exception as error:
        reason = error.message if isinstance(error, DeliveryFailed) else f"{type(error).__name__}: {error}"
        delivery_log.write(
            rule.name,
            f"event {event.get('id')} {_target_label(target)}: NOT sent to dead-letter queue {queue_arn}: "
            f"{reason}",
        )
        metrics.count(rule.account_id, rule.region, rule.name, metrics.FAILED_TO_BE_SENT_TO_DLQ)
        return
    delivery_log.write(
        rule.name, f"event {event.get('id')} {_target_label(target)}: sent to dead-letter queue {queue_arn}"
    )
    metrics.count(rule.account_id, rule.region, rule.name, metrics.SENT_TO_DLQ)


def deliver(
    rule: RuleRef,
    target: Mapping[str, Any],
    event: Mapping[str, Any],
    received: str,
    *,
    send: Sender = targets.send,
    sleep: Callable[[float], None] = time.sleep,
) -> bool:
    """Deliver one event to one target with EventBridge's retries; True when it was delivered."""
    context = RuleContext(rule_arn=rule.arn, rule_name=rule.name, ingestion_time=received)
    allowed_retries = retries(target)
    attempts = 0
    while True:
        attempts += 1
        try:
            payload = input_transformer.target_input(target, event, context)
            let_through = send(rule, target, payload, event)
        except InputTransformError as error:
            failure = DeliveryFailed("INVALID_PARAMETER", str(error), retryable=False)
        except DeliveryFailed as error:
            failure = error
        except Exception as error:  # a fault of the local cloud itself: reported, never retried in a loop
            LOG.exception("EventBridge delivery to %s failed unexpectedly", target.get("Arn"))
            failure = DeliveryFailed("UNKNOWN", f"{type(error).__name__}: {error}", retryable=False)
        else:
            note = (
                f" although IAM enforcement is off and AWS would refuse it: {let_through}"
                if let_through
                else ""
            )
            delivery_log.write(
                rule.name,
                f"event {event.get('id')} {_target_label(target)}: delivered (attempt {attempts}){note}",
            )
            metrics.count(rule.account_id, rule.region, rule.name, metrics.INVOCATIONS)
            return True
        if failure.retryable and attempts <= allowed_retries:
            delay = retry_delay_seconds() * 2 ** (attempts - 1)
            delivery_log.write(
                rule.name,
                f"event {event.get('id')} {_target_label(target)}: attempt {attempts} failed, retrying in "
                f"{delay:g} s: {failure.code}: {failure.message}",
            )
            sleep(delay)
            continue
        break
    delivery_log.write(
        rule.name,
        f"event {event.get('id')} {_target_label(target)}: FAILED after {attempts} attempt(s): "
        f"{failure.code}: {failure.message}",
    )
    metrics.count(rule.account_id, rule.region, rule.name, metrics.INVOCATIONS, metrics.FAILED_INVOCATIONS)
    _dead_letter(rule, target, event, failure, attempts)
    return False


def _deliver_all(rule: RuleRef, to: list[dict[str, Any]], event: dict[str, Any], received: str) -> None:
    for target in to:
        deliver(rule, target, event, received)


def _moto_delivery(
    rule: Rule, others: list[dict[str, Any]], moto_event: Mapping[str, Any], transform_input: bool
) -> None:
    """moto's own delivery for the targets the local cloud does not deliver, as moto did it before."""
    view = copy.copy(rule)
    view.targets = others
    try:
        patching.original(SEND_TO_TARGETS)(view, copy.deepcopy(dict(moto_event)), transform_input)
    except Exception as error:  # moto raises NotImplementedError for target types it does not know
        for target in others:
            delivery_log.write(
                rule.name,
                f"event {moto_event.get('id')} {_target_label(target)}: FAILED: this target type is not "
                f"emulated by the local cloud ({type(error).__name__}: {error})",
            )
        metrics.count(
            rule.account_id, rule.region_name, rule.name, metrics.INVOCATIONS, metrics.FAILED_INVOCATIONS
        )


def route(rule: Rule, moto_event: Mapping[str, Any], transform_input: bool = True) -> None:
    """Match one event (moto's form, see `envelope`) against `rule` and deliver it to its targets.

    `transform_input` (False from moto's S3 notifications and replays) only reaches moto's delivery:
    EventBridge applies a target's input settings to every event it delivers.
    """
    if rule.state != "ENABLED" or not rule.event_pattern.get_pattern():
        return
    event, received = envelope.as_delivered(moto_event)
    if not rule.event_pattern.matches_event(event):
        return
    # The targets as they are now: a PutTargets while the event waits in the queue does not change it.
    snapshot = copy.deepcopy(list(rule.targets))
    ours = [target for target in snapshot if targets.delivered_here(str(target.get("Arn", "")))]
    others = [target for target in snapshot if not targets.delivered_here(str(target.get("Arn", "")))]
    metrics.count(rule.account_id, rule.region_name, rule.name, metrics.TRIGGERED_RULES)
    if others:
        _moto_delivery(rule, others, moto_event, transform_input)
    if ours:
        reference = RuleRef(name=rule.name, arn=rule.arn, account_id=rule.account_id, region=rule.region_name)
        _QUEUES.submit(rule.arn, functools.partial(_deliver_all, reference, ours, event, received))


def _routing(_moto_send_to_targets: Callable[..., None]) -> Callable[..., None]:
    # moto's original stays reachable through `patching.original(SEND_TO_TARGETS)` for `_moto_delivery`.
    def send_to_targets(self: Rule, original_event: Mapping[str, Any], transform_input: bool = True) -> None:
        try:
            route(self, original_event, transform_input)
        except Exception:  # EventBridge accepted the event already: a delivery fault never fails PutEvents
            LOG.exception("routing an event to rule %s failed", self.name)

    return send_to_targets


SEND_TO_TARGETS = patching.wrap(
    __name__, Rule, "send_to_targets", fingerprint="472e002e2dab8a59", build=_routing
)

PATCHES = (SEND_TO_TARGETS,)
