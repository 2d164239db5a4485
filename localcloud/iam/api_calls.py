"""What one API request asks IAM for: the actions, the resources each is authorized on, the condition keys.

Pure functions of the request (service, operation, parameters), so they are unit-tested without a
server. Resource ARNs come from the Service Authorization Reference (`service_reference`), filled from
the request's parameters. Besides the action itself, AWS authorizes the request's dependent actions
when it uses what they guard: `iam:PassRole` on a role the request passes (with `iam:PassedToService`),
and the tagging action when it carries tags. A request the reference cannot place raises
`UnknownAuthorization`, and the caller denies it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

from localcloud.iam import service_reference
from localcloud.iam.service_reference import UnknownAuthorization

PARTITION = "aws"

# Signing names that differ from the IAM service prefix.
_IAM_PREFIX_BY_SIGNING_NAME = {"monitoring": "cloudwatch"}
# Operations authorized under another action's name (Service Authorization Reference, "Actions" tables).
_ACTION_BY_OPERATION = {
    "sqs:SendMessageBatch": "sqs:SendMessage",
    "sqs:DeleteMessageBatch": "sqs:DeleteMessage",
    "sqs:ChangeMessageVisibilityBatch": "sqs:ChangeMessageVisibility",
    "sns:PublishBatch": "sns:Publish",
    # Lambda's Invoke operation is authorized as lambda:InvokeFunction (Service Authorization Reference).
    "lambda:Invoke": "lambda:InvokeFunction",
}
# S3 operations (as moto names them) -> the IAM action S3 authorizes them as.
_S3_ACTION_BY_OPERATION = {
    "ListObjects": "s3:ListBucket",
    "ListObjectsV2": "s3:ListBucket",
    "ListBucket": "s3:ListBucket",
    "HeadBucket": "s3:ListBucket",
    "ListObjectVersions": "s3:ListBucketVersions",
    "ListBucketVersions": "s3:ListBucketVersions",
    "ListMultipartUploads": "s3:ListBucketMultipartUploads",
    "GetObject": "s3:GetObject",
    "GetObjectVersion": "s3:GetObjectVersion",
    "PutObject": "s3:PutObject",
    "DeleteObject": "s3:DeleteObject",
    "DeleteObjectVersion": "s3:DeleteObjectVersion",
    "AbortMultipartUpload": "s3:AbortMultipartUpload",
    "ListMultipartUploadParts": "s3:ListMultipartUploadParts",
    "GetObjectTagging": "s3:GetObjectTagging",
    "PutObjectTagging": "s3:PutObjectTagging",
    "GetBucketLocation": "s3:GetBucketLocation",
}
# Request parameters that name a resource by URL or another name, and the reference placeholder they give
# (ARN-valued parameters are matched against the reference's ARN formats in `service_reference`).
_NAME_FROM_PARAMETER = {
    "queueurl": ("QueueName", lambda url: url.rstrip("/").rsplit("/", 1)[-1]),
    "statemachinearn": ("StateMachineName", lambda arn: arn.rsplit(":", 1)[-1]),
}
_NAME_FROM_PARAMETER_OF_SERVICE = {
    # EventBridge rule APIs call the rule's name `Name` (PutRule, DescribeRule) or `Rule` (PutTargets).
    "events": {"name": "RuleName", "rule": "RuleName", "eventbusname": "EventBusName"},
}

# List parameters naming several resources of one type: the call is authorized on each. Without the list
# the request covers every resource of the type (DescribeAlarms with no AlarmNames lists all alarms).
_NAMES_FROM_LIST_PARAMETER_OF_SERVICE = {
    "cloudwatch": {"alarmnames": "AlarmName"},
}

# SageMaker Model Registry. A versioned model package's ARN is `model-package/<group>/<version>`, the group's
# name lowercased as in the local cloud's other SageMaker ARNs. A request naming the group but no version,
# registering one (CreateModelPackage: SageMaker assigns the version) or listing them (ListModelPackages),
# is authorized on the group's packages, `model-package/<group>/*`: the resource the SageMaker Developer
# Guide's model group policies grant these actions on ("Register a Model Version from a Different Account",
# "Deploy a Model Version from a Different Account"), not on the `model-package-group` ARN.
_ACTIONS_ON_A_GROUPS_PACKAGES = frozenset({"sagemaker:CreateModelPackage", "sagemaker:ListModelPackages"})
_SAGEMAKER_ARN = re.compile(
    r"^arn:[^:]+:sagemaker:(?P<region>[^:]*):(?P<account>\d{12}):[a-z-]+/(?P<name>.+)$"
)
# Request condition keys of the model registry's actions (Service Authorization Reference).
_MODEL_APPROVAL_ACTIONS = frozenset({"sagemaker:CreateModelPackage", "sagemaker:UpdateModelPackage"})


@dataclass(frozen=True)
class ApiCall:
    """One action to authorize, on each of `resources`, with the request's own condition keys."""

    action: str
    resources: tuple[str, ...]
    context: Mapping[str, Any] = field(default_factory=dict)


def iam_prefix(signing_name: str) -> str:
    return _IAM_PREFIX_BY_SIGNING_NAME.get(signing_name, signing_name)


def _identifying_values(prefix: str, parameters: Mapping[str, Any]) -> dict[str, str]:
    values = {name: value for name, value in parameters.items() if isinstance(value, str)}
    renames = _NAME_FROM_PARAMETER_OF_SERVICE.get(prefix, {})
    for name, value in list(values.items()):
        derived = _NAME_FROM_PARAMETER.get(name.lower())
        if derived:
            placeholder, extract = derived
            values.setdefault(placeholder, extract(value))
        if name.lower() in renames:
            values.setdefault(renames[name.lower()], value)
    return values


def json_api_calls(
    signing_name: str, operation: str, parameters: Mapping[str, Any], *, region: str, account: str
) -> list[ApiCall]:
    """The calls to authorize for a JSON-protocol request (Step Functions, Glue, SageMaker, Logs, SQS)."""
    prefix = iam_prefix(signing_name)
    action = _ACTION_BY_OPERATION.get(f"{prefix}:{operation}", f"{prefix}:{operation}")
    values = _identifying_values(prefix, parameters)
    if action == "events:PutEvents":
        return _put_events_calls(parameters, region=region, account=account)
    resources = _group_packages(action, parameters, region=region, account=account) or _resources(
        action, prefix, parameters, values, region=region, account=account
    )
    # The request's tags are condition keys of the call itself, and of the tagging action it depends on.
    tags = _tag_context(parameters["Tags"]) if parameters.get("Tags") else {}
    calls = [ApiCall(action, resources, {**tags, **_model_approval_context(action, parameters)})]
    for dependent in service_reference.dependent_actions(action):
        if dependent == "iam:PassRole":
            calls.extend(_pass_role_calls(prefix, parameters, resources, account))
        elif _is_tagging_action(dependent) and tags:
            calls.append(ApiCall(dependent, resources, tags))
    return calls


def _group_packages(
    action: str, parameters: Mapping[str, Any], *, region: str, account: str
) -> tuple[str, ...] | None:
    """`model-package/<group>/*` for a model registry request naming a group but no package (see above)."""
    group = parameters.get("ModelPackageGroupName")
    if action not in _ACTIONS_ON_A_GROUPS_PACKAGES or not isinstance(group, str) or not group:
        return None
    if parameters.get("ModelPackageName"):
        return None  # an unversioned package, named by the request: the reference's format applies
    arn = _SAGEMAKER_ARN.match(group)
    if arn:  # the group's ARN (another region or account names a group there)
        region, account, group = arn["region"], arn["account"], arn["name"]
    return (f"arn:{PARTITION}:sagemaker:{region}:{account}:model-package/{group.lower()}/*",)


def _put_events_calls(parameters: Mapping[str, Any], *, region: str, account: str) -> list[ApiCall]:
    """events:PutEvents, authorized for each entry: on the bus it puts the event on (`EventBusName`, a name
    or an ARN, the default bus when absent), with the entry's `events:source` and `events:detail-type`.

    AWS then fails only the refused entries (FailedEntryCount); here a refused entry refuses the request,
    which a caller checking FailedEntryCount (as Step Functions' putEvents does) also sees as a failure."""
    entries = parameters.get("Entries")
    calls: list[ApiCall] = []
    for entry in entries if isinstance(entries, list) else []:
        if not isinstance(entry, Mapping):
            continue
        name = entry.get("EventBusName") or "default"
        bus = (
            name if name.startswith("arn:") else f"arn:{PARTITION}:events:{region}:{account}:event-bus/{name}"
        )
        context = {
            key: value
            for key, value in (
                ("events:source", entry.get("Source")),
                ("events:detail-type", entry.get("DetailType")),
            )
            if isinstance(value, str)
        }
        call = ApiCall("events:PutEvents", (bus,), context)
        if call not in calls:
            calls.append(call)
    return calls or [
        ApiCall("events:PutEvents", (f"arn:{PARTITION}:events:{region}:{account}:event-bus/default",))
    ]


def _model_approval_context(action: str, parameters: Mapping[str, Any]) -> dict[str, Any]:
    """The request's `sagemaker:ModelApprovalStatus`, `sagemaker:CustomerMetadataProperties/<key>` and
    `sagemaker:CustomerMetadataPropertiesToRemove`."""
    if action not in _MODEL_APPROVAL_ACTIONS:
        return {}
    context: dict[str, Any] = {}
    status = parameters.get("ModelApprovalStatus")
    if isinstance(status, str):
        context["sagemaker:ModelApprovalStatus"] = status
    properties = parameters.get("CustomerMetadataProperties")
    if isinstance(properties, Mapping):
        for key, value in properties.items():
            name = f"sagemaker:CustomerMetadataProperties/{key}"
            # Condition keys are case-insensitive: of two metadata keys differing in case, the first counts.
            if isinstance(value, str) and name.lower() not in {known.lower() for known in context}:
                context[name] = value
    to_remove = parameters.get("CustomerMetadataPropertiesToRemove")
    if isinstance(to_remove, list) and to_remove:
        context["sagemaker:CustomerMetadataPropertiesToRemove"] = list(to_remove)
    return context


def _resources(
    action: str,
    prefix: str,
    parameters: Mapping[str, Any],
    values: dict[str, str],
    *,
    region: str,
    account: str,
) -> tuple[str, ...]:
    list_parameters = _NAMES_FROM_LIST_PARAMETER_OF_SERVICE.get(prefix, {})
    for name, placeholder in list_parameters.items():
        if placeholder in values:
            continue
        given = next((value for key, value in parameters.items() if key.lower() == name), None)
        names = (
            [item for item in given if isinstance(item, str)] if isinstance(given, list) and given else ["*"]
        )
        resources: list[str] = []
        for item in names:
            for arn in service_reference.required_resource_arns(
                action, {**values, placeholder: item}, partition=PARTITION, region=region, account=account
            ):
                if arn not in resources:
                    resources.append(arn)
        return tuple(resources)
    return service_reference.required_resource_arns(
        action, values, partition=PARTITION, region=region, account=account
    )


# Request members whose nested RoleArn is passed too: CreateHyperParameterTuningJob's training job
# definition(s), whose role the tuning job's training jobs run as.
_ROLE_HOLDING_MEMBERS = ("TrainingJobDefinition", "TrainingJobDefinitions")


def _passed_roles(parameters: Mapping[str, Any]) -> list[tuple[str, Any]]:
    members = list(parameters.items())
    for holder in _ROLE_HOLDING_MEMBERS:
        nested = parameters.get(holder)
        for definition in nested if isinstance(nested, list) else [nested]:
            if isinstance(definition, Mapping):
                members.extend(definition.items())
    return members


def _pass_role_calls(
    prefix: str, parameters: Mapping[str, Any], resources: tuple[str, ...], account: str
) -> list[ApiCall]:
    calls = []
    for name, value in _passed_roles(parameters):
        if name.lower().endswith("rolearn") and isinstance(value, str) and value:
            context = {
                "iam:PassedToService": f"{prefix}.amazonaws.com",
                "iam:AssociatedResourceArn": resources[0],
            }
            calls.append(ApiCall("iam:PassRole", (value,), context))
    return calls


def _is_tagging_action(action: str) -> bool:
    return action.split(":", 1)[1] in {"AddTags", "TagResource", "CreateTags"}


def _tag_context(tags: Any) -> dict[str, Any]:
    pairs = (
        tags.items() if isinstance(tags, Mapping) else ((tag.get("Key"), tag.get("Value")) for tag in tags)
    )
    context: dict[str, Any] = {"aws:TagKeys": []}
    for key, value in pairs:
        context["aws:TagKeys"].append(key)
        context[f"aws:RequestTag/{key}"] = value
    return context


def s3_api_calls(
    operation: str, bucket: str | None, key: str | None, query: Mapping[str, Any], headers: Mapping[str, str]
) -> list[ApiCall]:
    """The calls to authorize for an S3 request, with the keys S3 supplies (`s3:prefix` for listings, ...)."""
    action = _S3_ACTION_BY_OPERATION.get(operation)
    if action is None:
        raise UnknownAuthorization(
            f"the local cloud does not know which IAM action S3 operation {operation} is"
        )
    values = (
        {"BucketName": bucket or "", "ObjectName": key} if key is not None else {"BucketName": bucket or ""}
    )
    if not bucket:
        raise UnknownAuthorization(f"S3 operation {operation} names no bucket")
    resources = service_reference.required_resource_arns(
        action,
        {name: value for name, value in values.items() if value is not None},
        partition=PARTITION,
        region="",
        account="",
    )
    context: dict[str, Any] = {}
    if action == "s3:ListBucket":
        for name in ("prefix", "delimiter", "max-keys"):
            value = _first(query.get(name))
            # S3 supplies the keys of the request: an absent prefix is no key, an empty one is "".
            if value is not None:
                context[f"s3:{name}"] = value
    calls = []
    lowered_headers = {name.lower(): value for name, value in headers.items()}
    copy_source = lowered_headers.get("x-amz-copy-source")
    if action == "s3:PutObject" and copy_source:
        # CopyObject / UploadPartCopy also read the source object.
        source = unquote(copy_source).lstrip("/").split("?versionId=", 1)[0]
        calls.append(ApiCall("s3:GetObject", (f"arn:aws:s3:::{source}",)))
    if action == "s3:PutObject":
        lowered = lowered_headers
        for header in ("x-amz-server-side-encryption", "x-amz-server-side-encryption-aws-kms-key-id"):
            if header in lowered:
                context[f"s3:{header}"] = lowered[header]
    return [ApiCall(action, resources, context), *calls]


def _first(value: Any) -> str | None:
    if isinstance(value, list):
        return value[0] if value else None
    return value
