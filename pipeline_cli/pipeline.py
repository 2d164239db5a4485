"""Finding a pipeline by name: its model package group, and what the group's tags say about it.

The Terraform module names the group after the pipeline and tags it with the pipeline's endpoint, state
machine and approval mode, so the group is the one thing the CLI must find; everything else is read from
the tags instead of guessed from naming rules a user may have overridden.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import ClientError

from pipeline_cli.errors import CliError
from pipeline_cli.session import Aws

ENDPOINT_TAG = "mlops-pipeline:endpoint-name"
STATE_MACHINE_TAG = "mlops-pipeline:state-machine-arn"
APPROVAL_MODE_TAG = "mlops-pipeline:approval-mode"
REQUIRED_TAGS = (ENDPOINT_TAG, STATE_MACHINE_TAG, APPROVAL_MODE_TAG)
APPROVAL_MODES = ("auto", "manual")
# SageMaker's pattern for a model package group name: a name outside it cannot be a group.
_GROUP_NAME = re.compile(r"^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$")
_MISSING_CODES = {"ValidationException", "ResourceNotFound", "ResourceNotFoundException"}


@dataclass(frozen=True)
class Pipeline:
    name: str
    where: str
    group_arn: str
    endpoint_name: str
    state_machine_arn: str
    approval_mode: str


def closest_names(name: str, names: Sequence[str], count: int = 3) -> list[str]:
    """The names most like `name`, best first; some always, since any hint beats none to a person who
    mistyped."""
    return difflib.get_close_matches(name, list(names), n=count, cutoff=0.0)


def not_found_message(name: str, where: str, group_names: Sequence[str]) -> str:
    message = f"no pipeline named {name} in {where}: no model package group {name}"
    if group_names:
        message += f" (closest names: {', '.join(closest_names(name, group_names))})"
    return message


def pipeline_from_tags(name: str, where: str, group_arn: str, tags: Mapping[str, str]) -> Pipeline:
    """The pipeline the group's tags describe; a CliError saying what is missing when they do not."""
    missing = [tag for tag in REQUIRED_TAGS if not tags.get(tag)]
    if missing:
        raise CliError(
            f"pipeline {name} in {where}: model package group {name} has no tag {', '.join(missing)}; it was "
            "deployed by an older version of the mlops_pipeline module, which did not tag it: apply the "
            "current module (terraform apply) and try again"
        )
    mode = tags[APPROVAL_MODE_TAG]
    if mode not in APPROVAL_MODES:
        raise CliError(
            f"pipeline {name} in {where}: tag {APPROVAL_MODE_TAG} is {mode!r}, expected one of "
            f"{', '.join(APPROVAL_MODES)}"
        )
    return Pipeline(
        name=name,
        where=where,
        group_arn=group_arn,
        endpoint_name=tags[ENDPOINT_TAG],
        state_machine_arn=tags[STATE_MACHINE_TAG],
        approval_mode=mode,
    )


def is_missing_group(error: ClientError) -> bool:
    """DescribeModelPackageGroup's answer for a group that does not exist (a ValidationException on AWS)."""
    details = error.response.get("Error", {})
    message = str(details.get("Message", "")).lower()
    return details.get("Code") in _MISSING_CODES and ("does not exist" in message or "not found" in message)


def _group_names(sagemaker: Any) -> list[str]:
    """Every group's name, for suggestions; none when listing is not allowed (the suggestion is a bonus)."""
    try:
        pages = sagemaker.get_paginator("list_model_package_groups").paginate()
        return [
            group["ModelPackageGroupName"] for page in pages for group in page["ModelPackageGroupSummaryList"]
        ]
    except ClientError:
        return []


def find_pipeline(aws: Aws, name: str) -> Pipeline:
    sagemaker = aws.client("sagemaker")
    if not _GROUP_NAME.match(name):
        raise CliError(not_found_message(name, aws.where, _group_names(sagemaker)))
    try:
        group = sagemaker.describe_model_package_group(ModelPackageGroupName=name)
    except ClientError as error:
        if not is_missing_group(error):
            raise
        raise CliError(not_found_message(name, aws.where, _group_names(sagemaker))) from None
    arn = group["ModelPackageGroupArn"]
    pages = sagemaker.get_paginator("list_tags").paginate(ResourceArn=arn)
    tags = {tag["Key"]: tag["Value"] for page in pages for tag in page.get("Tags", [])}
    return pipeline_from_tags(name, aws.where, arn, tags)
