"""Approval runs: a person approved a model version, so the pipeline deploys exactly that version.

The module's approval rule (manual approval mode) sends the SageMaker event "SageMaker Model Package State
Change" of this pipeline's group with `ModelApprovalStatus` Approved. The run it starts skips ETL, training
and the gate and deploys the approved package through the same deployment states as an upload's run.

Its names follow the upload's rules: run id `approved-v<version>-<10 hex>`, where the hash covers the package
ARN and the event id, so a re-delivered event (same id) maps to the same execution name and starts nothing
twice, while approving the same version again later (a new event) deploys it again. Its order key is the
approval's time: an approval is a newer decision than every upload before it, so it deploys even when a newer
upload's model serves, and an upload that arrives after it wins again.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from trigger.events import EventError
from trigger.naming import (
    HASH_LENGTH,
    PIPELINE_NAME_SEPARATOR,
    RunNames,
    validate_names,
)
from trigger.ordering import order_key

MODEL_PACKAGE_STATE_CHANGE = "SageMaker Model Package State Change"
SAGEMAKER_SOURCE = "aws.sagemaker"
APPROVED = "Approved"
MODEL_PACKAGE_ARN_PATTERN = re.compile(
    r"^arn:aws[a-z-]*:sagemaker:[a-z0-9-]+:\d{12}:model-package/(?P<group>[^/]+)/(?P<version>\d+)$"
)


@dataclass(frozen=True)
class ApprovedVersion:
    model_package_arn: str
    group: str
    version: int
    approval_description: str | None
    event_id: str
    event_time: str | None


def is_eventbridge_event(event: Any) -> bool:
    """An EventBridge event (as a Lambda target receives it) rather than an S3 notification."""
    return isinstance(event, Mapping) and "detail-type" in event and "Records" not in event


def approved_version(event: Mapping[str, Any], group_name: str) -> ApprovedVersion:
    """The approved version the event announces; an EventError naming the field when it is not one."""
    if event.get("source") != SAGEMAKER_SOURCE or event.get("detail-type") != MODEL_PACKAGE_STATE_CHANGE:
        raise EventError(
            f"event source {event.get('source')!r} / detail-type {event.get('detail-type')!r} is not "
            f"{SAGEMAKER_SOURCE!r} / {MODEL_PACKAGE_STATE_CHANGE!r}: the trigger starts runs only for "
            "S3 uploads and for approved model versions"
        )
    detail = event.get("detail")
    if not isinstance(detail, Mapping):
        raise EventError("event.detail is missing or not an object")
    arn = detail.get("ModelPackageArn")
    match = MODEL_PACKAGE_ARN_PATTERN.match(arn) if isinstance(arn, str) else None
    if match is None:
        raise EventError(f"event.detail.ModelPackageArn {arn!r} is not the ARN of a versioned model package")
    group = detail.get("ModelPackageGroupName", match["group"])
    if match["group"] != group_name or group != group_name:
        raise EventError(
            f"model package {arn} of group {group!r} does not belong to this pipeline's group "
            f"{group_name!r}: the approval rule must filter on ModelPackageGroupName"
        )
    status = detail.get("ModelApprovalStatus")
    if status != APPROVED:
        raise EventError(
            f"model package {arn} changed to ModelApprovalStatus {status!r}, not {APPROVED!r}: the approval "
            "rule must filter on ModelApprovalStatus Approved"
        )
    event_id = event.get("id")
    if not isinstance(event_id, str) or not event_id:
        raise EventError("event.id is missing: it is what makes a re-delivered approval start nothing twice")
    description = detail.get("ApprovalDescription")
    event_time = event.get("time")
    return ApprovedVersion(
        model_package_arn=arn,
        group=match["group"],
        version=int(match["version"]),
        approval_description=description if isinstance(description, str) else None,
        event_id=event_id,
        event_time=event_time if isinstance(event_time, str) else None,
    )


def approval_names(pipeline_name: str, approved: ApprovedVersion) -> RunNames:
    material = json.dumps([approved.model_package_arn, approved.event_id]).encode("utf-8")
    run_id = f"approved-v{approved.version}-{hashlib.sha256(material).hexdigest()[:HASH_LENGTH]}"
    sagemaker_name = f"{pipeline_name}{PIPELINE_NAME_SEPARATOR}{run_id}"
    names = RunNames(
        run_id=run_id,
        execution=run_id,
        training_job=sagemaker_name,
        model=sagemaker_name,
        endpoint_config=sagemaker_name,
    )
    validate_names(names)
    return names


def build_approval_run_input(approved: ApprovedVersion, names: RunNames) -> dict[str, Any]:
    """The run input of an approval run (statemachine/README.md, "Approval runs")."""
    return {
        "run_id": names.run_id,
        "order_key": order_key(approved.event_time, None, approved.model_package_arn),
        "approval": {
            "model_package_arn": approved.model_package_arn,
            "model_package_version": approved.version,
            "approval_description": approved.approval_description,
            "event_id": approved.event_id,
            "event_time": approved.event_time,
        },
        "names": {
            "execution": names.execution,
            "model": names.model,
            "endpoint_config": names.endpoint_config,
        },
        "registry": {"arn": approved.model_package_arn},
        "started_by": {
            "kind": "approval",
            "model_package_arn": approved.model_package_arn,
            "approval_description": approved.approval_description,
            "event_time": approved.event_time,
        },
    }
