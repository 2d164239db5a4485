"""EventBridge's own calls to a target, authorized as AWS authorizes them.

For SNS, SQS and Lambda targets (and dead-letter queues) EventBridge calls as the service principal
`events.amazonaws.com`, so the target's resource-based policy must allow it: the topic policy
(`sns:Publish`), the queue policy (`sqs:SendMessage`), the function policy of `aws lambda add-permission` /
`aws_lambda_permission` (`lambda:InvokeFunction`), with the rule as `aws:SourceArn` and its account as
`aws:SourceAccount` (`localcloud.iam.service_access`, shared with SNS's deliveries). A topic or queue
encrypted with a customer managed KMS key also needs the key policy to allow the service principal
`kms:GenerateDataKey` and `kms:Decrypt` (through SNS or SQS: `kms:ViaService`); with the AWS managed key
(`alias/aws/sns`, `alias/aws/sqs`), whose key policy cannot name EventBridge, delivery is refused, as the
EventBridge User Guide warns.

A refusal raises `NotAuthorized`. With `LOCALCLOUD_IAM_ENFORCEMENT=off` the call goes ahead and the checks
return AWS's denial, for the delivery log to show.
"""

from __future__ import annotations

import dataclasses
import json
from typing import Any

from moto.kms.models import kms_backends

from localcloud.iam import authorization, service_access
from localcloud.iam.policy_evaluation import (
    AuthorizationRequest,
    NamedPolicy,
    PolicyEvaluationError,
    access_denied_message,
    evaluate_with_key_policy,
)

SERVICE_PRINCIPAL = "events.amazonaws.com"
_KEY_ACTIONS = ("kms:GenerateDataKey", "kms:Decrypt")


class NotAuthorized(Exception):
    """EventBridge may not make the call; the message says why, in AWS's words where AWS has them."""


@dataclasses.dataclass(frozen=True)
class Source:
    """The rule EventBridge delivers for: the confused-deputy keys of its calls."""

    rule_arn: str
    account_id: str
    region: str


def _checked(denial: str | None) -> str | None:
    """Raise for a denial while IAM is enforced; with enforcement off, hand the denial back as a note."""
    if denial is not None and authorization.enforcement_enabled():
        raise NotAuthorized(denial)
    return denial


def topic_policy(topic: Any) -> NamedPolicy | None:
    """moto's SNS topic's policy (its default one when none was set) as a policy."""
    document = topic.policy
    if not document:
        return None
    return NamedPolicy(
        f"topic-policy/{topic.name}", json.loads(document) if isinstance(document, str) else document
    )


def authorize(action: str, resource_arn: str, policy: NamedPolicy | None, source: Source) -> str | None:
    """Allow `action` on `resource_arn` for events.amazonaws.com by the resource's policy, or raise."""
    access = service_access.authorize_service(
        SERVICE_PRINCIPAL,
        action,
        resource_arn,
        policy,
        source_arn=source.rule_arn,
        source_account=source.account_id,
    )
    return _checked(access.denial)


def _is_aws_managed(key_id: str) -> bool:
    return key_id.startswith("alias/aws/") or ":alias/aws/" in key_id


def _key_denial(key_id: str, via_service: str, source: Source) -> str | None:
    if _is_aws_managed(key_id):
        return (
            f"the {via_service.upper()} resource is encrypted with the AWS managed key {key_id}, whose key "
            f"policy cannot allow {SERVICE_PRINCIPAL}: use a customer managed key that allows it"
        )
    try:
        backend = kms_backends[source.account_id][source.region]
        key = backend.keys[backend.any_id_to_key_id(key_id)]
    except (KeyError, IndexError, TypeError, AttributeError):
        return f"KMS key {key_id} does not exist in the local cloud"
    context: dict[str, str | bool] = {
        "aws:SecureTransport": True,
        "aws:SourceArn": source.rule_arn,
        "aws:SourceAccount": source.account_id,
        "kms:ViaService": f"{via_service}.{source.region}.amazonaws.com",
    }
    key_policy = NamedPolicy(f"key-policy/{key.id}", json.loads(key.policy))
    for action in _KEY_ACTIONS:
        request = AuthorizationRequest(
            principal_arn=SERVICE_PRINCIPAL, action=action, resource=key.arn, context=context
        )
        try:
            decision = evaluate_with_key_policy(request, [], key_policy)
        except (PolicyEvaluationError, ValueError) as error:
            return f"the local cloud cannot evaluate {key_policy.name}: {error}"
        if not decision.allowed:
            # A service principal has no identity policies: only the key policy can lack the Allow.
            if decision.reason == "implicit_deny":
                decision = dataclasses.replace(decision, missing_allow_from="resource")
            return access_denied_message(request, decision)
    return None


def authorize_key(key_id: str, via_service: str, source: Source) -> str | None:
    """Allow EventBridge the KMS calls an encrypted topic or queue (`via_service`: "sns", "sqs") needs."""
    return _checked(_key_denial(key_id, via_service, source))
