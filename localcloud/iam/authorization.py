"""Authorize one call of a role session against the role's policies and the resource's policy, as AWS does.

Identity policies are the role's inline and attached managed policies; a permissions boundary, when the
role has one, must allow the call too; for S3 the bucket policy is the resource policy (an explicit
Deny there wins). Every decision is recorded in the access log. A denied call raises `AccessDenied`
with AWS's message; callers turn it into the error AWS returns at that place.

`LOCALCLOUD_IAM_ENFORCEMENT=off` keeps recording but lets denied calls through (for finding every
missing permission of a run at once, or for comparing with a run before enforcement).
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from moto.s3.models import s3_backends

from localcloud import config
from localcloud.iam import access_log, role_sessions
from localcloud.iam.policy_evaluation import (
    AuthorizationRequest,
    Decision,
    NamedPolicy,
    PolicyEvaluationError,
    access_denied_message,
    evaluate,
    evaluate_with_key_policy,
)
from localcloud.iam.role_sessions import RoleSession

ENFORCEMENT_ENV_VAR = "LOCALCLOUD_IAM_ENFORCEMENT"


class AccessDenied(Exception):
    """A call a role made was denied; the message is AWS's ("User: ... is not authorized to perform: ...")."""

    def __init__(self, message: str, *, action: str, resource: str, principal_arn: str) -> None:
        super().__init__(message)
        self.message = message
        self.action = action
        self.resource = resource
        self.principal_arn = principal_arn


def enforcement_enabled() -> bool:
    return os.environ.get(ENFORCEMENT_ENV_VAR, "on").strip().lower() not in {"off", "0", "false", "no"}


def _document(policy: str | dict[str, Any]) -> dict[str, Any]:
    return policy if isinstance(policy, dict) else json.loads(policy)


def identity_policies(role_arn: str) -> tuple[list[NamedPolicy], NamedPolicy | None]:
    """The role's inline and attached managed policies, and its permissions boundary (None if it has none)."""
    role = role_sessions.role(role_arn)
    # Copies: Terraform may be changing the role's policies from another request thread meanwhile.
    policies = [
        NamedPolicy(f"role/{role.name}/inline/{name}", _document(document))
        for name, document in sorted(dict(role.policies).items())
    ]
    for arn, managed in sorted(dict(role.managed_policies).items()):
        policies.append(NamedPolicy(arn, _document(_default_version(managed))))
    boundary = None
    if role.permissions_boundary_arn:
        backend = role_sessions.iam_backends[role.account_id][role_sessions.PARTITION]
        managed = backend.get_policy(role.permissions_boundary_arn)
        boundary = NamedPolicy(role.permissions_boundary_arn, _document(_default_version(managed)))
    return policies, boundary


def _default_version(managed: Any) -> str:
    for version in managed.versions:
        if version.is_default:
            return version.document
    raise PolicyEvaluationError(f"managed policy {managed.arn} has no default version")


def _bucket_policy(resource: str) -> NamedPolicy | None:
    if not resource.startswith("arn:aws:s3:::"):
        return None
    bucket_name = resource.removeprefix("arn:aws:s3:::").split("/", 1)[0]
    bucket = s3_backends[config.ACCOUNT_ID][role_sessions.PARTITION].buckets.get(bucket_name)
    if bucket is None or not bucket.policy:
        return None
    return NamedPolicy(f"bucket-policy/{bucket_name}", json.loads(bucket.policy))


def request_context(session: RoleSession, extra: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The global condition keys every request of `session` carries, plus the call's own keys."""
    return {
        # The local endpoint speaks HTTP, but it stands in for AWS's HTTPS endpoints, which SDKs always use.
        "aws:SecureTransport": True,
        "aws:PrincipalArn": session.role_arn,
        "aws:PrincipalAccount": session.account_id,
        "aws:RequestedRegion": config.REGION,
        "aws:CurrentTime": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        **(extra or {}),
    }


def _decide(
    session: RoleSession,
    request: AuthorizationRequest,
    resource_policy: NamedPolicy | None,
    key_policy: NamedPolicy | None = None,
) -> tuple[Decision | None, str | None]:
    """The decision, and the AccessDenied message when the call is denied."""
    try:
        policies, boundary = identity_policies(session.role_arn)
    except (role_sessions.RoleAssumptionDenied, PolicyEvaluationError, ValueError) as error:
        # The role was deleted, or a policy of it cannot be read: nothing of it can allow the call.
        return None, (
            f"User: {request.principal_arn} is not authorized to perform: {request.action} on resource: "
            f"{request.resource} because the role's policies cannot be read: {error}"
        )
    access_log.record_policies(session.role_arn, policies)
    try:
        if key_policy is not None:
            decision = evaluate_with_key_policy(request, policies, key_policy)
        else:
            decision = evaluate(request, policies, resource_policy or _bucket_policy(request.resource))
        if decision.allowed and boundary is not None:
            # The boundary only caps the identity side: evaluated alone, as in the caller's own account, so
            # that a cross-account resource (an AWS-owned image repository) does not also need a resource
            # policy here; the resource side was decided above.
            bounded = evaluate(replace(request, resource_account=session.account_id), [boundary])
            if not bounded.allowed:
                message = access_denied_message(request, bounded).replace(
                    "identity-based policy", "permissions boundary"
                )
                return bounded, message
    except (PolicyEvaluationError, ValueError) as error:
        return None, (
            f"User: {request.principal_arn} is not authorized to perform: {request.action} on resource: "
            f"{request.resource} because the local cloud cannot evaluate a policy: {error}"
        )
    return decision, None if decision.allowed else access_denied_message(request, decision)


def authorize(
    session: RoleSession,
    action: str,
    resources: Sequence[str],
    context: Mapping[str, Any] | None = None,
    *,
    deny_raises: bool = True,
    resource_policy: NamedPolicy | None = None,
    key_policy: NamedPolicy | None = None,
) -> None:
    """Allow `action` on every resource for `session`, or raise AccessDenied for the first one denied.

    `resource_policy` is the resource's own policy where the local cloud does not keep it (an AWS-owned
    repository); S3 bucket policies are found by the resource ARN. `deny_raises=False` records the
    decision only, for what AWS does with a role but does not fail on (a service's own log and metric
    writes are dropped when the role may not make them). `key_policy` is a KMS key's policy: it must
    allow the call, directly or by delegating to the account's IAM policies (`evaluate_with_key_policy`).
    """
    full_context = request_context(session, context)
    for resource in resources:
        request = AuthorizationRequest(
            principal_arn=session.arn, action=action, resource=resource, context=full_context
        )
        decision, denial = _decide(session, request, resource_policy, key_policy)
        access_log.record_decision(
            role_arn=session.role_arn,
            caller=session.service,
            request=request,
            decision=decision,
            error=denial,
        )
        if denial is not None and deny_raises and enforcement_enabled():
            raise AccessDenied(denial, action=action, resource=resource, principal_arn=session.arn)
