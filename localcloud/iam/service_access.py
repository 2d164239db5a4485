"""A service principal delivering to a resource for one of its own resources, decided by the target's policy.

When SNS delivers a message to a queue or invokes a function, no role is involved: AWS authorizes the
service principal (`sns.amazonaws.com`) against the target's resource-based policy (the queue policy, the
function's resource policy), with the source resource as `aws:SourceArn` and its account as
`aws:SourceAccount`, the confused-deputy keys those policies are written with. Without a policy, or
without a statement allowing the service, AWS drops the delivery: nothing in the account can grant a
service principal access through an identity policy.

`LOCALCLOUD_IAM_ENFORCEMENT=off` lets a denied delivery through, with the denial still reported.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from typing import Any

from localcloud.iam import authorization
from localcloud.iam.policy_evaluation import (
    AuthorizationRequest,
    NamedPolicy,
    PolicyEvaluationError,
    access_denied_message,
    evaluate,
)


@dataclass(frozen=True)
class ServiceAccess:
    """`allowed`: deliver; `denial`: AWS's reason when the policy does not allow it (kept when enforcement is
    off, so the caller can still report what AWS would have done)."""

    allowed: bool
    denial: str | None


def authorize_service(
    service: str,
    action: str,
    resource: str,
    resource_policy: NamedPolicy | None,
    *,
    source_arn: str,
    source_account: str,
) -> ServiceAccess:
    """Whether `service` may perform `action` on `resource` for the resource `source_arn`."""
    request = AuthorizationRequest(
        principal_arn=service,
        action=action,
        resource=resource,
        context={
            "aws:SecureTransport": True,
            "aws:SourceArn": source_arn,
            "aws:SourceAccount": source_account,
        },
    )
    try:
        # Without a policy nothing allows it: AWS's implicit deny.
        decision = evaluate(request, [], resource_policy)
        if decision.reason == "implicit_deny":
            # A service principal has no identity policies: only the resource's policy lacked an Allow.
            decision = dataclasses.replace(decision, missing_allow_from="resource")
        denial = None if decision.allowed else access_denied_message(request, decision)
    except (PolicyEvaluationError, ValueError) as error:
        name = resource_policy.name if resource_policy else "the resource's policy"
        denial = (
            f'User: {service} is not authorized to perform: {action} on resource: "{resource}" because '
            f"the local cloud cannot evaluate {name}: {error}"
        )
    return ServiceAccess(denial is None or not authorization.enforcement_enabled(), denial)


def queue_policy(queue: Any) -> NamedPolicy | None:
    """moto's SQS queue's `Policy` attribute as a policy; None when it has none."""
    document = queue.policy
    if not document:
        return None
    return NamedPolicy(
        f"queue-policy/{queue.name}", json.loads(document) if isinstance(document, str) else document
    )


def function_policy(function: Any) -> NamedPolicy | None:
    """moto's Lambda function's resource-based policy (AddPermission statements); None when it has none."""
    statements = list(getattr(function.policy, "statements", None) or [])
    if not statements:
        return None
    return NamedPolicy(
        f"function-policy/{function.function_name}", {"Version": "2012-10-17", "Statement": statements}
    )
