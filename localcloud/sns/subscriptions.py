"""Subscriptions as AWS keeps them: email waits for a confirmation, a filter scope change takes effect.

- Email and email-json: AWS mails a confirmation link and the subscription stays pending until the
  recipient follows it; until then it gets nothing. No mail leaves the local cloud, so such a
  subscription stays pending for good (moto confirmed every subscription at once). As on AWS, Subscribe
  answers `pending confirmation` instead of the ARN unless the request sets `ReturnSubscriptionArn`
  (Terraform does), the listings show `PendingConfirmation` as its ARN, and GetSubscriptionAttributes
  has `PendingConfirmation` `true`.
- SetSubscriptionAttributes `FilterPolicyScope` alone: moto stored the new scope but kept matching with
  the old one; now the filter policy is checked against the new scope and applied with it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from moto.core.responses import ActionResult
from moto.sns.models import SNSBackend, Subscription
from moto.sns.responses import SNSResponse
from moto.sns.utils import FilterPolicyMatcher

from localcloud import patching
from localcloud.sns.delivery import EMAIL_PROTOCOLS

PENDING_ARN_IN_LISTINGS = "PendingConfirmation"
PENDING_ARN_IN_SUBSCRIBE = "pending confirmation"


def is_pending(subscription: Subscription) -> bool:
    return bool(subscription.attributes.get("PendingConfirmation"))


def _build_subscribe(original: Callable[..., Subscription]) -> Callable[..., Subscription]:
    def subscribe(self: SNSBackend, topic_arn: str, endpoint: str, protocol: str) -> Subscription:
        existing = self._find_subscription(topic_arn, endpoint, protocol)
        subscription = original(self, topic_arn, endpoint, protocol)
        if protocol in EMAIL_PROTOCOLS and subscription is not existing:
            subscription.attributes["PendingConfirmation"] = True
            subscription.attributes["ConfirmationWasAuthenticated"] = False
        return subscription

    return subscribe


def _truthy(value: Any) -> bool:
    return value is True or str(value).lower() == "true"


def _build_subscribe_response(original: Callable[[SNSResponse], ActionResult]) -> Callable[..., ActionResult]:
    def subscribe(self: SNSResponse) -> ActionResult:
        result = original(self)
        subscription = self.backend.subscriptions.get(result.result["SubscriptionArn"])  # type: ignore[index]
        pending = subscription is not None and is_pending(subscription)
        if pending and not _truthy(self._get_param("ReturnSubscriptionArn")):
            return ActionResult({"SubscriptionArn": PENDING_ARN_IN_SUBSCRIBE})
        return result

    return subscribe


def _listed_arn(self: Subscription) -> str:
    """The SubscriptionArn ListSubscriptions(ByTopic) shows: AWS hides a pending subscription's ARN."""
    return PENDING_ARN_IN_LISTINGS if is_pending(self) else self.arn


def _build_set_attributes(original: Callable[..., None]) -> Callable[..., None]:
    def set_subscription_attributes(self: SNSBackend, arn: str, name: str, value: Any) -> None:
        subscription = self.subscriptions.get(arn)
        policy = subscription._filter_policy if subscription is not None else None
        if name == "FilterPolicyScope" and policy:
            # Checked before the change, as AWS refuses a scope the existing policy does not fit.
            self._validate_filter_policy(policy, scope=value)
        original(self, arn, name, value)
        if name == "FilterPolicyScope" and policy and subscription is not None:
            subscription._filter_policy_matcher = FilterPolicyMatcher(policy, value)

    return set_subscription_attributes


PATCHES = (
    patching.wrap(__name__, SNSBackend, "subscribe", fingerprint="56ded2dae9faa4d9", build=_build_subscribe),
    patching.wrap(
        __name__, SNSResponse, "subscribe", fingerprint="ad34d209fb2b2a63", build=_build_subscribe_response
    ),
    # The serializer reads `subscription_arn` before `arn` (moto.core.serialize.XFormedAttributePicker).
    patching.add(__name__, Subscription, "subscription_arn", property(_listed_arn)),
    patching.wrap(
        __name__,
        SNSBackend,
        "set_subscription_attributes",
        fingerprint="bc6e69c534e12e12",
        build=_build_set_attributes,
    ),
)
