"""Wildcard matching of actions and ARNs the way IAM does it, and the ARN fields the evaluator reads."""

from __future__ import annotations

import re
from functools import lru_cache

ARN_FIELD_COUNT = 6
_SERVICE_FIELD = 2
_ACCOUNT_FIELD = 4
_ACTION_PATTERN = re.compile(r"[A-Za-z0-9*?-]+:[A-Za-z0-9*?-]+")


@lru_cache(maxsize=4096)
def _wildcard_regex(pattern: str, ignore_case: bool) -> re.Pattern[str]:
    # `*` and `?` are IAM's only wildcards. Everything else is literal, `[`, `]` and `.` included: fnmatch
    # (policyuniverse, policy-sentry) reads `[...]` as a character class, moto's regex reads `.` as any
    # character.
    regex = "".join(".*" if char == "*" else "." if char == "?" else re.escape(char) for char in pattern)
    return re.compile(regex, re.DOTALL | (re.IGNORECASE if ignore_case else 0))


def wildcard_match(pattern: str, value: str, *, ignore_case: bool = False) -> bool:
    return _wildcard_regex(pattern, ignore_case).fullmatch(value) is not None


def is_action_pattern(pattern: str) -> bool:
    return pattern == "*" or _ACTION_PATTERN.fullmatch(pattern) is not None


def action_matches(pattern: str, action: str) -> bool:
    """Action names are case-insensitive on AWS (`S3:getobject` is `s3:GetObject`)."""
    return wildcard_match(pattern, action, ignore_case=True)


def split_arn(arn: str) -> list[str] | None:
    """The six fields of an ARN; the resource field keeps its own colons. None when `arn` is not an ARN."""
    fields = arn.split(":", ARN_FIELD_COUNT - 1)
    if len(fields) != ARN_FIELD_COUNT or fields[0] != "arn":
        return None
    return fields


def account_of(arn: str) -> str | None:
    fields = split_arn(arn)
    if fields is None or not fields[_ACCOUNT_FIELD]:
        return None
    return fields[_ACCOUNT_FIELD]


def arn_matches(pattern: str, arn: str, *, service_ignores_case: bool = False) -> bool:
    """An ARN against an ARN pattern field by field: a wildcard never spans a colon before the resource.

    `*` alone matches anything, ARN or not. A value that is not an ARN (the `*` a caller passes for an API
    without resource-level permissions) matches only that.
    """
    if pattern == "*":
        return True
    pattern_fields = split_arn(pattern)
    arn_fields = split_arn(arn)
    if pattern_fields is None or arn_fields is None:
        return False
    return all(
        wildcard_match(pattern_field, arn_field, ignore_case=service_ignores_case and index == _SERVICE_FIELD)
        for index, (pattern_field, arn_field) in enumerate(zip(pattern_fields, arn_fields, strict=True))
    )


def resource_matches(pattern: str, resource: str) -> bool:
    """`Resource` matching is case-sensitive except for the service prefix."""
    return arn_matches(pattern, resource, service_ignores_case=True)


def policy_variable_in(value: str) -> str | None:
    """The first `${...}` policy variable in `value`, if any."""
    match = re.search(r"\$\{[^}]*\}", value)
    return match.group(0) if match else None
