"""Reading a policy document into statements the evaluator applies, refusing what it cannot apply faithfully.

The whole document is checked, not only the statements a request reaches, so a policy the evaluator cannot
handle fails on its first use rather than on the one request that happens to reach the bad statement.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from localcloud.iam.conditions import ConditionTest, parse_condition_block
from localcloud.iam.errors import PolicyEvaluationError, PolicyProblem
from localcloud.iam.matching import is_action_pattern, policy_variable_in, split_arn
from localcloud.iam.principals import PrincipalSet, parse_principal

_POLICY_ELEMENTS = frozenset({"Version", "Id", "Statement"})
_STATEMENT_ELEMENTS = frozenset(
    {
        "Sid",
        "Effect",
        "Action",
        "NotAction",
        "Resource",
        "NotResource",
        "Principal",
        "NotPrincipal",
        "Condition",
    }
)
# Policy variables are only read as variables from 2012-10-17 on; we refuse them in either version.
_POLICY_VERSIONS = frozenset({"2012-10-17", "2008-10-17"})
_EFFECTS = frozenset({"Allow", "Deny"})


@dataclass(frozen=True)
class NamedPolicy:
    name: str  # how reports name it, e.g. "role/churn-glue/inline/churn-glue-permissions"
    document: Mapping[str, Any]  # parsed JSON; Statement a dict or a list, Action/Resource a str or a list


@dataclass(frozen=True)
class StatementRef:
    policy_name: str
    statement_id: str  # the Sid, or "#<0-based position>" for a statement without one
    effect: str  # "Allow" | "Deny"


class PolicyKind(enum.Enum):
    """Where a policy is attached decides which elements it must, may and must not have."""

    IDENTITY = "identity-based"
    RESOURCE = "resource-based"
    TRUST = "role trust"


@dataclass(frozen=True)
class ParsedStatement:
    ref: StatementRef
    actions: tuple[str, ...]
    actions_negated: bool  # NotAction
    resources: tuple[str, ...] | None  # None in a trust policy: the resource is the role itself
    resources_negated: bool  # NotResource
    principals: PrincipalSet | None  # None in an identity policy: the principal is the policy's owner
    principals_negated: bool  # NotPrincipal
    conditions: tuple[ConditionTest, ...]


def _string_list(statement: Mapping[str, Any], element: str) -> tuple[str, ...]:
    raw = statement[element]
    values = raw if isinstance(raw, list) else [raw]
    if not values or not all(isinstance(value, str) and value for value in values):
        raise PolicyProblem(f"{element} must be a non-empty string or a non-empty list of them")
    return tuple(values)


def _exactly_one(statement: Mapping[str, Any], element: str, negated: str, kind: PolicyKind) -> str:
    present = [name for name in (element, negated) if name in statement]
    if len(present) != 1:
        raise PolicyProblem(
            f"a statement of {kind.value} policies needs exactly one of {element} and {negated}"
        )
    return present[0]


def _none_of(statement: Mapping[str, Any], elements: tuple[str, ...], kind: PolicyKind) -> None:
    forbidden = [name for name in elements if name in statement]
    if forbidden:
        raise PolicyProblem(f"{' and '.join(forbidden)} is not valid in {kind.value} policies")


def _actions(statement: Mapping[str, Any], kind: PolicyKind) -> tuple[tuple[str, ...], bool]:
    element = _exactly_one(statement, "Action", "NotAction", kind)
    actions = _string_list(statement, element)
    malformed = [action for action in actions if not is_action_pattern(action)]
    if malformed:
        raise PolicyProblem(f"{element} {malformed} is not '*' or 'service:action'")
    return actions, element == "NotAction"


def _resources(statement: Mapping[str, Any], kind: PolicyKind) -> tuple[tuple[str, ...] | None, bool]:
    if kind is PolicyKind.TRUST:
        _none_of(statement, ("Resource", "NotResource"), kind)
        return None, False
    element = _exactly_one(statement, "Resource", "NotResource", kind)
    resources = _string_list(statement, element)
    for resource in resources:
        variable = policy_variable_in(resource)
        if variable:
            raise PolicyProblem(f"policy variable {variable} in {element} {resource!r} is not supported")
        if resource != "*" and split_arn(resource) is None:
            raise PolicyProblem(
                f"{element} {resource!r} is not '*' or an ARN with six colon-separated fields"
            )
    return resources, element == "NotResource"


def _principals(
    statement: Mapping[str, Any], kind: PolicyKind, effect: str
) -> tuple[PrincipalSet | None, bool]:
    if kind is PolicyKind.IDENTITY:
        _none_of(statement, ("Principal", "NotPrincipal"), kind)
        return None, False
    element = _exactly_one(statement, "Principal", "NotPrincipal", kind)
    if element == "NotPrincipal" and effect == "Allow":
        # AWS strongly advises against it: it grants to everyone else, anonymous callers included.
        raise PolicyProblem("NotPrincipal with Effect Allow is not supported")
    return parse_principal(statement[element]), element == "NotPrincipal"


def _parse_statement(statement: object, position: int, policy_name: str, kind: PolicyKind) -> ParsedStatement:
    if not isinstance(statement, Mapping):
        raise PolicyProblem(f"statement #{position} is not an object")
    sid = statement.get("Sid")
    if sid is not None and not isinstance(sid, str):
        raise PolicyProblem(f"statement #{position} has a Sid that is not a string")
    unknown = sorted(set(statement) - _STATEMENT_ELEMENTS)
    if unknown:
        raise PolicyProblem(f"unknown statement element(s) {unknown}")
    effect = statement.get("Effect")
    if effect not in _EFFECTS:
        raise PolicyProblem(f"Effect {effect!r} is not 'Allow' or 'Deny'")
    actions, actions_negated = _actions(statement, kind)
    resources, resources_negated = _resources(statement, kind)
    principals, principals_negated = _principals(statement, kind, effect)
    conditions = parse_condition_block(statement["Condition"]) if "Condition" in statement else ()
    return ParsedStatement(
        ref=StatementRef(policy_name, sid or f"#{position}", effect),
        actions=actions,
        actions_negated=actions_negated,
        resources=resources,
        resources_negated=resources_negated,
        principals=principals,
        principals_negated=principals_negated,
        conditions=conditions,
    )


def _statement_label(statement: object, position: int) -> str:
    sid = statement.get("Sid") if isinstance(statement, Mapping) else None
    return sid if isinstance(sid, str) and sid else f"#{position}"


def parse_policy(policy: NamedPolicy, kind: PolicyKind) -> tuple[ParsedStatement, ...]:
    """The policy's statements; PolicyEvaluationError naming the policy and statement on any problem."""
    document = policy.document
    if not isinstance(document, Mapping):
        raise PolicyEvaluationError("the policy document is not a JSON object", policy_name=policy.name)
    unknown = sorted(set(document) - _POLICY_ELEMENTS)
    if unknown:
        raise PolicyEvaluationError(f"unknown policy element(s) {unknown}", policy_name=policy.name)
    if "Version" in document and document["Version"] not in _POLICY_VERSIONS:
        raise PolicyEvaluationError(
            f"Version {document['Version']!r} is not one AWS defines", policy_name=policy.name
        )
    if not document.get("Statement"):
        raise PolicyEvaluationError("the policy has no Statement", policy_name=policy.name)
    raw_statements = document["Statement"]
    statements = raw_statements if isinstance(raw_statements, list) else [raw_statements]
    parsed: list[ParsedStatement] = []
    for position, statement in enumerate(statements):
        try:
            parsed.append(_parse_statement(statement, position, policy.name, kind))
        except PolicyProblem as problem:
            raise PolicyEvaluationError(
                str(problem), policy_name=policy.name, statement_id=_statement_label(statement, position)
            ) from None
    return tuple(parsed)
