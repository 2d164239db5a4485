"""Approval runs: the trigger turns an approved model version's event into one idempotent deployment run."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from trigger.approvals import approval_names, approved_version, build_approval_run_input, is_eventbridge_event
from trigger.config import Config
from trigger.events import EventError
from trigger.naming import RUN_ID_PATTERN, SAGEMAKER_NAME_PATTERN
from trigger.process import process_event
from trigger_test_support import PIPELINE_NAME

PACKAGE_ARN = f"arn:aws:sagemaker:us-east-1:123456789012:model-package/{PIPELINE_NAME}/3"
APPROVAL_EVENT: dict[str, Any] = {
    "version": "0",
    "id": "2f3c5e0a-6d2b-4f5e-9a49-0c8f3b1d2e77",
    "detail-type": "SageMaker Model Package State Change",
    "source": "aws.sagemaker",
    "account": "123456789012",
    "time": "2026-11-28T09:15:02Z",
    "region": "us-east-1",
    "resources": [PACKAGE_ARN],
    "detail": {
        "ModelPackageGroupName": PIPELINE_NAME,
        "ModelPackageVersion": 3,
        "ModelPackageArn": PACKAGE_ARN,
        "ModelApprovalStatus": "Approved",
        "ApprovalDescription": "looked at the evaluation: fine",
    },
}


def event(**changes: Any) -> dict[str, Any]:
    changed = copy.deepcopy(APPROVAL_EVENT)
    for path, value in changes.items():
        target = changed
        *parents, last = path.split("__")
        for parent in parents:
            target = target[parent]
        target[last] = value
    return changed


def test_an_approved_version_is_read_from_the_event() -> None:
    approved = approved_version(APPROVAL_EVENT, PIPELINE_NAME)
    assert (approved.model_package_arn, approved.group, approved.version) == (PACKAGE_ARN, PIPELINE_NAME, 3)
    assert approved.approval_description == "looked at the evaluation: fine"


@pytest.mark.parametrize(
    ("changes", "named"),
    [
        ({"source": "aws.s3"}, "is not 'aws.sagemaker'"),
        ({"detail__ModelApprovalStatus": "PendingManualApproval"}, "PendingManualApproval"),
        ({"detail__ModelApprovalStatus": "Rejected"}, "'Rejected'"),
        (
            {"detail__ModelPackageArn": PACKAGE_ARN.replace(PIPELINE_NAME, "other-pipeline")},
            "does not belong to this pipeline's group",
        ),
        ({"detail__ModelPackageGroupName": "other-pipeline"}, "does not belong to this pipeline's group"),
        (
            {"detail__ModelPackageArn": "arn:aws:sagemaker:us-east-1:123456789012:model-package/unversioned"},
            "versioned",
        ),
        ({"id": ""}, "event.id"),
    ],
)
def test_an_event_that_is_not_this_pipelines_approval_is_refused_by_name(
    changes: dict[str, Any], named: str
) -> None:
    with pytest.raises(EventError, match=named.replace("(", r"\(")):
        approved_version(event(**changes), PIPELINE_NAME)


def test_names_are_valid_and_a_redelivery_maps_to_the_same_run() -> None:
    first = approval_names(PIPELINE_NAME, approved_version(APPROVAL_EVENT, PIPELINE_NAME))
    again = approval_names(PIPELINE_NAME, approved_version(event(), PIPELINE_NAME))
    later = approval_names(PIPELINE_NAME, approved_version(event(id="another-approval"), PIPELINE_NAME))
    assert first == again
    assert later.run_id != first.run_id
    assert first.run_id.startswith("approved-v3-") and RUN_ID_PATTERN.match(first.run_id)
    assert SAGEMAKER_NAME_PATTERN.match(first.model) and len(first.model) <= 63
    assert first.model == f"{PIPELINE_NAME}--{first.run_id}"


def test_the_run_input_names_the_package_and_orders_by_the_approval_time() -> None:
    approved = approved_version(APPROVAL_EVENT, PIPELINE_NAME)
    run_input = build_approval_run_input(approved, approval_names(PIPELINE_NAME, approved))
    assert run_input["registry"] == {"arn": PACKAGE_ARN}
    assert run_input["approval"]["model_package_version"] == 3
    assert run_input["started_by"]["kind"] == "approval"
    # Later than any upload before 09:15:02, earlier than any after it.
    assert "2026-11-28T09:15:01.999Z" < run_input["order_key"] < "2026-11-28T09:15:02.001Z"


def test_eventbridge_events_and_s3_notifications_are_told_apart() -> None:
    assert is_eventbridge_event(APPROVAL_EVENT)
    assert not is_eventbridge_event({"Records": []})


def test_the_handler_starts_one_execution_per_approval_event(config: Config, stepfunctions: Any) -> None:
    first = process_event(APPROVAL_EVENT, config=config, stepfunctions=stepfunctions)
    again = process_event(APPROVAL_EVENT, config=config, stepfunctions=stepfunctions)
    assert first["approval"]["status"] == "started"
    # Step Functions returns the open execution for the same name and input (or refuses a closed one's name):
    # either way one execution.
    assert again["approval"]["run_id"] == first["approval"]["run_id"]
    listed = stepfunctions.list_executions(stateMachineArn=config.state_machine_arn)["executions"]
    assert [e["name"] for e in listed] == [first["approval"]["run_id"]]
    started = json.loads(stepfunctions.describe_execution(executionArn=listed[0]["executionArn"])["input"])
    assert started["registry"]["arn"] == PACKAGE_ARN


def test_the_handler_raises_on_another_groups_event(config: Config, stepfunctions: Any) -> None:
    with pytest.raises(EventError, match="other-pipeline"):
        process_event(
            event(detail__ModelPackageGroupName="other-pipeline"), config=config, stepfunctions=stepfunctions
        )
    assert stepfunctions.list_executions(stateMachineArn=config.state_machine_arn)["executions"] == []
