"""Whether a request is allowed, combining identity-based, resource-based and trust policies as AWS does.

Follows AWS's "Policy evaluation logic": an explicit Deny in any policy wins; otherwise, within one
account, an Allow in an identity-based policy or in the resource-based policy suffices; across accounts
both must allow; otherwise the request is implicitly denied. Permissions boundaries, session policies, SCPs
and RCPs are not modelled: the local cloud has none.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

from localcloud.iam.conditions import RequestContext, condition_holds
from localcloud.iam.errors import PolicyEvaluationError, PolicyProblem
from localcloud.iam.matching import account_of, action_matches, resource_matches
from localcloud.iam.policy_document import (
    NamedPolicy,
    ParsedStatement,
    PolicyKind,
    StatementRef,
    parse_policy,
)
from localcloud.iam.principals import principal_excluded, principal_matches

__all__ = [
    "AuthorizationRequest",
    "Decision",
    "NamedPolicy",
    "PolicyEvaluationError",
    "StatementRef",
    "access_denied_message",
    "evaluate",
    "evaluate_trust",
    "evaluate_with_key_policy",
]

PolicySide = Literal["identity", "resource"]
ContextValue = str | bool | Sequence[str]


@dataclass(frozen=True)
class AuthorizationRequest:
    # The caller: an IAM/STS ARN such as "arn:aws:sts::123456789012:assumed-role/churn-glue/session", or a
    # service principal such as "states.amazonaws.com" for trust-policy checks.
    principal_arn: str
    action: str  # "s3:GetObject"
    resource: str  # an ARN, or "*" for an API without resource-level permissions
    # Condition keys of this request; keys are case-insensitive as on AWS, a list is a multivalued key.
    context: Mapping[str, ContextValue] = field(default_factory=dict)
    # The account owning the resource, to tell cross-account requests apart; None reads it from the resource
    # ARN, or takes the caller's account when the ARN has none (S3).
    resource_account: str | None = None


@dataclass(frozen=True)
class Decision:
    allowed: bool
    reason: Literal["allowed", "explicit_deny", "implicit_deny"]
    denied_by: PolicySide | None  # where an explicit Deny came from
    matched: tuple[StatementRef, ...]  # the applying Allows when allowed; the applying Denys when denied
    # On an implicit deny, the kind of policy that lacked an Allow (AWS's message names it).
    missing_allow_from: PolicySide | None = None


def _context_values(key: str, value: object) -> tuple[str, ...]:
    if isinstance(value, bool):
        return ("true" if value else "false",)
    if isinstance(value, str):
        return (value,)
    if isinstance(value, Sequence) and all(isinstance(item, str) for item in value):
        return tuple(value)
    raise TypeError(f"context key {key!r}: {value!r} is not a string, a boolean or a list of strings")


def _request_context(context: Mapping[str, ContextValue]) -> RequestContext:
    normalized: dict[str, tuple[str, ...]] = {}
    for key, value in context.items():
        if key.lower() in normalized:
            raise ValueError(f"context key {key!r} is given twice (condition keys are case-insensitive)")
        normalized[key.lower()] = _context_values(key, value)
    return normalized


def _is_same_account(request: AuthorizationRequest) -> bool:
    caller_account = account_of(request.principal_arn)
    resource_account = request.resource_account or account_of(request.resource)
    return caller_account is None or resource_account is None or caller_account == resource_account


def _applies(
    statement: ParsedStatement,
    request: AuthorizationRequest,
    context: RequestContext,
    *,
    account_grants: bool,
) -> bool:
    if (
        any(action_matches(pattern, request.action) for pattern in statement.actions)
        == statement.actions_negated
    ):
        return False
    if statement.resources is not None and statement.resources_negated == any(
        resource_matches(pattern, request.resource) for pattern in statement.resources
    ):
        return False
    if statement.principals is not None:
        if statement.principals_negated:
            if principal_excluded(statement.principals, request.principal_arn):
                return False
        elif not principal_matches(
            statement.principals,
            request.principal_arn,
            # An account principal denies all of the account, but grants only through its identity policies.
            through_account=account_grants or statement.ref.effect == "Deny",
        ):
            return False
    try:
        return all(condition_holds(test, context) for test in statement.conditions)
    except PolicyProblem as problem:
        raise PolicyEvaluationError(
            str(problem), policy_name=statement.ref.policy_name, statement_id=statement.ref.statement_id
        ) from None


def _decide(
    identity_hits: Sequence[StatementRef], resource_hits: Sequence[StatementRef], *, both_must_allow: bool
) -> Decision:
    identity_denies = [ref for ref in identity_hits if ref.effect == "Deny"]
    resource_denies = [ref for ref in resource_hits if ref.effect == "Deny"]
    if identity_denies or resource_denies:
        # AWS names only one policy type in its message; both sets of statements are reported here.
        denied_by: PolicySide = "identity" if identity_denies else "resource"
        return Decision(False, "explicit_deny", denied_by, (*identity_denies, *resource_denies))
    identity_allows = [ref for ref in identity_hits if ref.effect == "Allow"]
    resource_allows = [ref for ref in resource_hits if ref.effect == "Allow"]
    if both_must_allow:
        allowed = bool(identity_allows and resource_allows)
    else:
        allowed = bool(identity_allows or resource_allows)
    if allowed:
        return Decision(True, "allowed", None, (*identity_allows, *resource_allows))
    missing: PolicySide = "resource" if both_must_allow and identity_allows else "identity"
    return Decision(False, "implicit_deny", None, (), missing_allow_from=missing)


def evaluate(
    request: AuthorizationRequest,
    identity_policies: Sequence[NamedPolicy],
    resource_policy: NamedPolicy | None = None,
) -> Decision:
    """The decision for a caller's request given its identity policies and the resource's policy, if any.

    Raises PolicyEvaluationError when a policy uses anything the evaluator cannot apply faithfully; callers
    must treat that as a denial.
    """
    context = _request_context(request.context)
    same_account = _is_same_account(request)
    identity_hits = [
        statement.ref
        for policy in identity_policies
        for statement in parse_policy(policy, PolicyKind.IDENTITY)
        if _applies(statement, request, context, account_grants=True)
    ]
    resource_statements = parse_policy(resource_policy, PolicyKind.RESOURCE) if resource_policy else ()
    resource_hits = [
        statement.ref
        for statement in resource_statements
        if _applies(statement, request, context, account_grants=not same_account)
    ]
    return _decide(identity_hits, resource_hits, both_must_allow=not same_account)


def evaluate_with_key_policy(
    request: AuthorizationRequest, identity_policies: Sequence[NamedPolicy], key_policy: NamedPolicy
) -> Decision:
    """The decision for a KMS key, whose key policy must allow the request, as KMS evaluates it.

    Unlike other resource policies, a key policy is required even within the account: it allows the caller
    either directly (the role, the session) or by naming the account, which delegates to the account's
    IAM policies, and then an identity policy must allow too ("Key policies in AWS KMS"). An explicit Deny
    anywhere wins.
    """
    context = _request_context(request.context)
    identity_hits = [
        statement.ref
        for policy in identity_policies
        for statement in parse_policy(policy, PolicyKind.IDENTITY)
        if _applies(statement, request, context, account_grants=True)
    ]
    key_statements = parse_policy(key_policy, PolicyKind.RESOURCE)
    # Through the account: what the key policy allows when the account's IAM policies allow too.
    delegated_hits = [
        statement.ref
        for statement in key_statements
        if _applies(statement, request, context, account_grants=True)
    ]
    decision = _decide(identity_hits, delegated_hits, both_must_allow=True)
    if decision.reason == "implicit_deny":
        direct_allows = [
            statement.ref
            for statement in key_statements
            if statement.ref.effect == "Allow" and _applies(statement, request, context, account_grants=False)
        ]
        if direct_allows:
            return Decision(True, "allowed", None, tuple(direct_allows))
    return decision


def evaluate_trust(request: AuthorizationRequest, trust_policy: NamedPolicy) -> Decision:
    """Whether a role's trust policy lets the caller assume it (`request.action`, e.g. sts:AssumeRole).

    Only the trust policy is read: an AWS principal trusted through its account also needs an identity
    policy allowing the action, which the caller checks with `evaluate`.
    """
    context = _request_context(request.context)
    trust_hits = [
        statement.ref
        for statement in parse_policy(trust_policy, PolicyKind.TRUST)
        if _applies(statement, request, context, account_grants=True)
    ]
    decision = _decide((), trust_hits, both_must_allow=False)
    if decision.reason == "implicit_deny":
        return Decision(False, "implicit_deny", None, (), missing_allow_from="resource")
    return decision


def access_denied_message(request: AuthorizationRequest, decision: Decision) -> str:
    """AWS's AccessDenied wording for a denied decision."""
    if decision.allowed:
        raise ValueError("the decision allows the request: there is no access-denied message for it")
    head = (
        f"User: {request.principal_arn} is not authorized to perform: {request.action} "
        f'on resource: "{request.resource}"'
    )
    if decision.reason == "explicit_deny":
        article_and_type = "an identity-based" if decision.denied_by == "identity" else "a resource-based"
        return f"{head} with an explicit deny in {article_and_type} policy"
    policy_type = "resource-based" if decision.missing_allow_from == "resource" else "identity-based"
    return f"{head} because no {policy_type} policy allows the {request.action} action"
