"""The `Condition` element: its operators, set qualifiers and `...IfExists`, tested against a request context.

Semantics follow AWS's "Condition operators" and "Single-valued vs. multivalued context keys" pages:
condition blocks and keys are AND-ed, a key's policy values OR-ed (NOR-ed for negated operators); a key
missing from the request makes a condition false, except that negated operators and `...IfExists` are then
true, `ForAllValues:` is true and `ForAnyValue:` false; `Null` tests presence.
"""

from __future__ import annotations

import dataclasses
import ipaddress
import operator
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any, Literal

from localcloud.iam.condition_keys import is_known_condition_key
from localcloud.iam.errors import PolicyProblem
from localcloud.iam.matching import arn_matches, policy_variable_in, split_arn, wildcard_match

# A request context as the evaluator holds it: lower-cased keys, each with its values. A key present with no
# value (an empty list) counts as missing, as AWS's `Null` and `ForAllValues` descriptions say.
RequestContext = Mapping[str, tuple[str, ...]]
SetQualifier = Literal["ForAnyValue", "ForAllValues"]

_SET_QUALIFIERS: tuple[SetQualifier, ...] = ("ForAnyValue", "ForAllValues")
_IF_EXISTS = "IfExists"
_NULL = "Null"


@dataclass(frozen=True)
class _Comparison:
    """How one base operator reads a policy value and compares one context value with it."""

    parse_policy_value: Callable[[object], Any]
    matches: Callable[[str, Any], bool]
    negated: bool = False


def _string_value(raw: object) -> str:
    if isinstance(raw, bool):
        return "true" if raw else "false"
    if isinstance(raw, int | float):
        return str(raw)
    if not isinstance(raw, str):
        raise PolicyProblem(f"condition value {raw!r} is not a string, number or boolean")
    variable = policy_variable_in(raw)
    if variable:
        raise PolicyProblem(f"policy variable {variable} in condition value {raw!r} is not supported")
    return raw


def _arn_value(raw: object) -> str:
    value = _string_value(raw)
    if value != "*" and split_arn(value) is None:
        raise PolicyProblem(f"condition value {value!r} of an Arn operator is not an ARN")
    return value


def _parse_number(text: str) -> Decimal | None:
    try:
        number = Decimal(text.strip())
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def _numeric_value(raw: object) -> Decimal:
    number = None if isinstance(raw, bool) else _parse_number(str(raw))
    if number is None:
        raise PolicyProblem(f"condition value {raw!r} of a Numeric operator is not a number")
    return number


def _parse_date(text: str) -> datetime | None:
    # AWS accepts ISO 8601 date-times and epoch seconds.
    text = text.strip()
    if re.fullmatch(r"-?\d+(\.\d+)?", text):
        return datetime.fromtimestamp(float(text), UTC)
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _date_value(raw: object) -> datetime:
    parsed = None if isinstance(raw, bool) else _parse_date(str(raw))
    if parsed is None:
        raise PolicyProblem(
            f"condition value {raw!r} of a Date operator is not an ISO 8601 date or epoch time"
        )
    return parsed


def _bool_value(raw: object) -> bool:
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, str) and raw.lower() in ("true", "false"):
        return raw.lower() == "true"
    raise PolicyProblem(f"condition value {raw!r} is not true or false")


def _network_value(raw: object) -> ipaddress.IPv4Network | ipaddress.IPv6Network:
    try:
        return ipaddress.ip_network(_string_value(raw), strict=False)
    except ValueError:
        raise PolicyProblem(f"condition value {raw!r} of an IpAddress operator is not an IP range") from None


def _numeric(relation: Callable[[Any, Any], bool]) -> Callable[[str, Decimal], bool]:
    def matches(context_value: str, policy_value: Decimal) -> bool:
        number = _parse_number(context_value)
        return number is not None and relation(number, policy_value)

    return matches


def _dated(relation: Callable[[Any, Any], bool]) -> Callable[[str, datetime], bool]:
    def matches(context_value: str, policy_value: datetime) -> bool:
        moment = _parse_date(context_value)
        return moment is not None and relation(moment, policy_value)

    return matches


def _in_network(context_value: str, network: ipaddress.IPv4Network | ipaddress.IPv6Network) -> bool:
    try:
        return ipaddress.ip_address(context_value.strip()) in network
    except ValueError:
        return False


def _bool_matches(context_value: str, policy_value: bool) -> bool:
    return context_value.lower() == ("true" if policy_value else "false")


def _with_negations(positive: dict[str, tuple[str, _Comparison]]) -> dict[str, _Comparison]:
    """Each positive operator under its name, and its negated form under the name AWS gives it."""
    comparisons: dict[str, _Comparison] = {}
    for name, (negated_name, comparison) in positive.items():
        comparisons[name] = comparison
        if negated_name:
            comparisons[negated_name] = dataclasses.replace(comparison, negated=True)
    return comparisons


_arn_comparison = _Comparison(_arn_value, lambda value, pattern: arn_matches(pattern, value))

# ArnEquals and ArnLike are the same test on AWS: both compare field by field with wildcards.
_COMPARISONS: dict[str, _Comparison] = _with_negations(
    {
        "StringEquals": ("StringNotEquals", _Comparison(_string_value, operator.eq)),
        "StringEqualsIgnoreCase": (
            "StringNotEqualsIgnoreCase",
            _Comparison(_string_value, lambda value, expected: value.casefold() == expected.casefold()),
        ),
        "StringLike": (
            "StringNotLike",
            _Comparison(_string_value, lambda value, pattern: wildcard_match(pattern, value)),
        ),
        "ArnEquals": ("ArnNotEquals", _arn_comparison),
        "ArnLike": ("ArnNotLike", _arn_comparison),
        "NumericEquals": ("NumericNotEquals", _Comparison(_numeric_value, _numeric(operator.eq))),
        "NumericLessThan": ("", _Comparison(_numeric_value, _numeric(operator.lt))),
        "NumericLessThanEquals": ("", _Comparison(_numeric_value, _numeric(operator.le))),
        "NumericGreaterThan": ("", _Comparison(_numeric_value, _numeric(operator.gt))),
        "NumericGreaterThanEquals": ("", _Comparison(_numeric_value, _numeric(operator.ge))),
        "DateEquals": ("DateNotEquals", _Comparison(_date_value, _dated(operator.eq))),
        "DateLessThan": ("", _Comparison(_date_value, _dated(operator.lt))),
        "DateLessThanEquals": ("", _Comparison(_date_value, _dated(operator.le))),
        "DateGreaterThan": ("", _Comparison(_date_value, _dated(operator.gt))),
        "DateGreaterThanEquals": ("", _Comparison(_date_value, _dated(operator.ge))),
        "Bool": ("", _Comparison(_bool_value, _bool_matches)),
        "IpAddress": ("NotIpAddress", _Comparison(_network_value, _in_network)),
    }
)

SUPPORTED_CONDITION_OPERATORS: frozenset[str] = frozenset((*_COMPARISONS, _NULL))


@dataclass(frozen=True)
class ConditionTest:
    """One key under one operator, e.g. `"StringLike": {"s3:prefix": ["input/*", "runs/*"]}`."""

    operator_name: str
    key_name: str
    policy_values: tuple[Any, ...]
    comparison: _Comparison | None  # None for Null, which tests presence only
    set_qualifier: SetQualifier | None
    if_exists: bool

    @property
    def key(self) -> str:
        return self.key_name.lower()


def _split_operator(name: str) -> tuple[SetQualifier | None, str, bool]:
    qualifier: SetQualifier | None = None
    base = name
    for candidate in _SET_QUALIFIERS:
        if name.startswith(f"{candidate}:"):
            qualifier, base = candidate, name[len(candidate) + 1 :]
    if_exists = base.endswith(_IF_EXISTS)
    if if_exists:
        base = base[: -len(_IF_EXISTS)]
    if base == _NULL and (if_exists or qualifier):
        raise PolicyProblem(
            f"condition operator {name!r} is not valid: Null takes no IfExists or set qualifier"
        )
    if base not in SUPPORTED_CONDITION_OPERATORS:
        raise PolicyProblem(f"condition operator {name!r} is not supported")
    return qualifier, base, if_exists


def parse_condition_block(block: object) -> tuple[ConditionTest, ...]:
    """Every test of a statement's `Condition` element; PolicyProblem on anything it cannot evaluate."""
    if not isinstance(block, Mapping) or not block:
        raise PolicyProblem("Condition must be a non-empty object of {operator: {key: values}}")
    tests: list[ConditionTest] = []
    for operator_name, keyed_values in block.items():
        qualifier, base, if_exists = _split_operator(operator_name)
        if not isinstance(keyed_values, Mapping) or not keyed_values:
            raise PolicyProblem(f"condition operator {operator_name!r} must map condition keys to values")
        comparison = _COMPARISONS.get(base)
        parse_value = comparison.parse_policy_value if comparison else _bool_value
        for key_name, raw_values in keyed_values.items():
            if not is_known_condition_key(key_name):
                raise PolicyProblem(
                    f"condition key {key_name!r} (under {operator_name!r}) is not one the local cloud "
                    "supplies (KNOWN_CONDITION_KEYS)"
                )
            values = raw_values if isinstance(raw_values, list) else [raw_values]
            if not values:
                raise PolicyProblem(f"condition key {key_name!r} under {operator_name!r} has no values")
            tests.append(
                ConditionTest(
                    operator_name=operator_name,
                    key_name=key_name,
                    policy_values=tuple(parse_value(value) for value in values),
                    comparison=comparison,
                    set_qualifier=qualifier,
                    if_exists=if_exists,
                )
            )
    return tuple(tests)


def _value_holds(test: ConditionTest, comparison: _Comparison, context_value: str) -> bool:
    matches_a_policy_value = any(
        comparison.matches(context_value, expected) for expected in test.policy_values
    )
    return matches_a_policy_value != comparison.negated


def condition_holds(test: ConditionTest, context: RequestContext) -> bool:
    values = context.get(test.key) or ()
    comparison = test.comparison
    if comparison is None:
        return any(expects_null == (not values) for expects_null in test.policy_values)
    if not values:
        if test.if_exists or test.set_qualifier == "ForAllValues":
            return True
        if test.set_qualifier == "ForAnyValue":
            return False
        return comparison.negated
    if test.set_qualifier == "ForAllValues":
        return all(_value_holds(test, comparison, value) for value in values)
    if test.set_qualifier == "ForAnyValue":
        return any(_value_holds(test, comparison, value) for value in values)
    if len(values) > 1:
        # AWS requires a set qualifier for multivalued keys; guessing one would widen either Allow or Deny.
        raise PolicyProblem(
            f"condition key {test.key_name!r} has {len(values)} values in the request, but "
            f"{test.operator_name!r} compares a single value: use ForAnyValue: or ForAllValues:"
        )
    return _value_holds(test, comparison, values[0])
