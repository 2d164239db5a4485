"""SNS delivers a published message to each subscription as AWS does, and records what it did.

moto 5.2.5 (`Subscription.publish`) applies the filter policy, then sends to every SQS queue without
asking the queue, invokes a Lambda function synchronously (in Docker) with a canned event, and does
nothing for email. Here, per protocol:

- `sqs`: SNS needs the queue's permission. The queue policy is evaluated by the IAM evaluator for the
  service principal `sns.amazonaws.com`, action `sqs:SendMessage`, with the topic as `aws:SourceArn`
  (`localcloud.iam.service_access`); allowed, moto sends its JSON envelope (or the raw message with
  `RawMessageDelivery`), otherwise the message is dropped, as AWS drops it. A missing queue drops it too
  (moto failed the Publish).
- `lambda`: the function's resource policy must allow `lambda:InvokeFunction` for `sns.amazonaws.com`
  with the topic as `aws:SourceArn`; the function is then invoked asynchronously by the local Lambda
  runtime (`localcloud.awslambda.invoke`, retries and on-failure destination included) with SNS's event
  record (`EventSource` `aws:sns`, `Sns` {Type, MessageId, TopicArn, Subject, Message, Timestamp,
  SignatureVersion, Signature, SigningCertUrl, UnsubscribeUrl, MessageAttributes}).
- `email`, `email-json`: stay pending confirmation (`subscriptions.py`); nothing is sent, as AWS sends
  nothing to an unconfirmed address.
- `http`, `https`: moto's POST of the envelope, kept.
- anything else (SMS, mobile push, Firehose): not emulated, recorded as such.

Each outcome goes to the topic's log (`topic_log.py`); a failed delivery never fails the Publish.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from moto.awslambda.utils import get_backend as lambda_backend
from moto.sns.exceptions import InvalidParameterValue
from moto.sns.models import Subscription
from moto.sqs.exceptions import QueueDoesNotExist
from moto.sqs.models import sqs_backends

from localcloud import patching
from localcloud.awslambda import invoke
from localcloud.iam import service_access
from localcloud.sns import topic_log
from localcloud.sns.topic_log import Delivery

LOG = logging.getLogger(__name__)

SNS_SERVICE_PRINCIPAL = "sns.amazonaws.com"
EMAIL_PROTOCOLS = frozenset({"email", "email-json"})


@dataclass(frozen=True)
class _Message:
    """One Publish, as moto hands it to a subscription."""

    text: str
    message_id: str
    subject: str | None
    attributes: dict[str, Any] | None
    group_id: str | None
    deduplication_id: str | None
    structure: str | None


def _outcome(subscription: Subscription, outcome: str, reason: str | None = None) -> Delivery:
    return Delivery(subscription.arn, subscription.protocol, subscription.endpoint, outcome, reason)


def _arn_fields(arn: str) -> tuple[str, str, str]:
    """(region, account, resource) of an ARN."""
    fields = arn.split(":", 5)
    if len(fields) != 6:
        raise ValueError(f"{arn!r} is not an ARN")
    return fields[3], fields[4], fields[5]


def _call_moto(original: Callable[..., None], subscription: Subscription, message: _Message) -> None:
    original(
        subscription,
        message.text,
        message.message_id,
        subject=message.subject,
        message_attributes=message.attributes,
        group_id=message.group_id,
        deduplication_id=message.deduplication_id,
        message_structure=message.structure,
    )


def _to_sqs(original: Callable[..., None], subscription: Subscription, message: _Message) -> Delivery:
    region, account, queue_name = _arn_fields(subscription.endpoint)
    try:
        queue = sqs_backends[account][region].get_queue(queue_name)
    except QueueDoesNotExist:
        return _outcome(subscription, "dropped", f"queue {subscription.endpoint} does not exist")
    access = service_access.authorize_service(
        SNS_SERVICE_PRINCIPAL,
        "sqs:SendMessage",
        queue.queue_arn,
        service_access.queue_policy(queue),
        source_arn=subscription.topic.arn,
        source_account=subscription.topic.account_id,
    )
    if not access.allowed:
        return _outcome(subscription, "dropped", access.denial)
    _call_moto(original, subscription, message)
    return _outcome(subscription, "delivered", _enforcement_off_note(access))


def _enforcement_off_note(access: service_access.ServiceAccess) -> str | None:
    return (
        None if access.denial is None else f"delivered only because IAM enforcement is off: {access.denial}"
    )


def lambda_event(subscription: Subscription, message: _Message, text: str) -> dict[str, Any]:
    """SNS's event for a Lambda subscription, built from the envelope moto signs for other protocols."""
    envelope = subscription.get_post_data(text, message.message_id, message.subject, message.attributes)
    return {
        "Records": [
            {
                "EventVersion": "1.0",
                "EventSubscriptionArn": subscription.arn,
                "EventSource": "aws:sns",
                "Sns": {
                    "Type": envelope["Type"],
                    "MessageId": envelope["MessageId"],
                    "TopicArn": envelope["TopicArn"],
                    "Subject": envelope.get("Subject"),
                    "Message": envelope["Message"],
                    "Timestamp": envelope["Timestamp"],
                    "SignatureVersion": envelope["SignatureVersion"],
                    "Signature": envelope["Signature"],
                    # Lambda's record spells these two with "Url", the HTTP/SQS envelope with "URL".
                    "SigningCertUrl": envelope["SigningCertURL"],
                    "UnsubscribeUrl": envelope["UnsubscribeURL"],
                    "MessageAttributes": envelope.get("MessageAttributes") or {},
                },
            }
        ]
    }


def _to_lambda(_original: Callable[..., None], subscription: Subscription, message: _Message) -> Delivery:
    text = message.text
    if message.structure == "json":
        text = subscription._parse_message_structure(text, subscription.protocol)
    region, account, _ = _arn_fields(subscription.endpoint)
    try:
        function = lambda_backend(account, region).get_function(subscription.endpoint)
    except Exception:  # moto's not-found errors differ by the form of the ARN
        return _outcome(subscription, "dropped", f"function {subscription.endpoint} does not exist")
    access = service_access.authorize_service(
        SNS_SERVICE_PRINCIPAL,
        "lambda:InvokeFunction",
        subscription.endpoint,
        service_access.function_policy(function),
        source_arn=subscription.topic.arn,
        source_account=subscription.topic.account_id,
    )
    if not access.allowed:
        return _outcome(subscription, "dropped", access.denial)
    event = json.dumps(lambda_event(subscription, message, text)).encode()
    # SNS invokes asynchronously: the Publish returns before the handler runs, retries are Lambda's.
    threading.Thread(
        target=invoke.invoke_async,
        args=(function, event),
        name=f"sns-lambda-{function.function_name}",
        daemon=True,
    ).start()
    return _outcome(subscription, "invoked", _enforcement_off_note(access))


def _to_email(_original: Callable[..., None], subscription: Subscription, _message: _Message) -> Delivery:
    if subscription.attributes.get("PendingConfirmation"):
        return _outcome(
            subscription,
            "pending_confirmation",
            "not sent: the subscription is pending confirmation (no mail leaves the local cloud)",
        )
    return _outcome(subscription, "not_emulated", "the local cloud sends no mail")


def _to_http(original: Callable[..., None], subscription: Subscription, message: _Message) -> Delivery:
    _call_moto(original, subscription, message)
    return _outcome(subscription, "delivered")


def _not_emulated(_original: Callable[..., None], subscription: Subscription, _message: _Message) -> Delivery:
    return _outcome(
        subscription, "not_emulated", f"the local cloud does not deliver to {subscription.protocol} endpoints"
    )


_BY_PROTOCOL: dict[str, Callable[[Callable[..., None], Subscription, _Message], Delivery]] = {
    "sqs": _to_sqs,
    "lambda": _to_lambda,
    "email": _to_email,
    "email-json": _to_email,
    "http": _to_http,
    "https": _to_http,
}


def _build_publish(original: Callable[..., None]) -> Callable[..., None]:
    def publish(
        self: Subscription,
        message: str,
        message_id: str,
        subject: str | None = None,
        message_attributes: dict[str, Any] | None = None,
        group_id: str | None = None,
        deduplication_id: str | None = None,
        message_structure: str | None = None,
    ) -> None:
        # moto's own first step, here so that a filtered message is recorded as such.
        if self._filter_policy_matcher is not None and not self._filter_policy_matcher.matches(
            message_attributes, message
        ):
            topic_log.record(
                _outcome(self, "filtered_out", "the subscription's filter policy does not match")
            )
            return
        published = _Message(
            message, message_id, subject, message_attributes, group_id, deduplication_id, message_structure
        )
        deliver = _BY_PROTOCOL.get(self.protocol, _not_emulated)
        try:
            delivery = deliver(original, self, published)
        except InvalidParameterValue:
            raise  # a MessageStructure without this protocol's key nor "default": the Publish is invalid
        except Exception as error:  # on AWS a failed delivery never fails the Publish
            LOG.exception("SNS delivery to %s failed", self.endpoint)
            delivery = _outcome(self, "failed", f"{type(error).__name__}: {error}")
        if delivery.outcome in ("dropped", "failed"):
            LOG.warning(
                "SNS %s a message of %s for %s: %s",
                delivery.outcome,
                self.topic.arn,
                self.endpoint,
                delivery.reason,
            )
        topic_log.record(delivery)

    return publish


def _build_post_data(original: Callable[..., dict[str, Any]]) -> Callable[..., dict[str, Any]]:
    def get_post_data(
        self: Subscription,
        message: str,
        message_id: str,
        subject: str | None,
        message_attributes: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        post_data = original(self, message, message_id, subject, message_attributes=message_attributes)
        # moto names a made-up subscription; AWS's link unsubscribes the one that received the message.
        region = self.topic.sns_backend.region_name
        post_data["UnsubscribeURL"] = (
            f"https://sns.{region}.amazonaws.com/?Action=Unsubscribe&SubscriptionArn={self.arn}"
        )
        return post_data

    return get_post_data


PATCHES = (
    patching.wrap(__name__, Subscription, "publish", fingerprint="fd07bd0bb87fbe2a", build=_build_publish),
    patching.wrap(
        __name__, Subscription, "get_post_data", fingerprint="dc591399b4d078f5", build=_build_post_data
    ),
)
