"""Approval in the state machine: manual mode stops at the registry; an approval run deploys that version.

Executed in moto's interpreter with scripted Task results (tests/statemachine_fixtures/mocked_execution.py).
"""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from statemachine_fixtures.mocked_execution import ExecutionResult, Throw, execute
from statemachine_fixtures.template_values import template_values

from statemachine.render import render_definition

PACKAGE_V2 = "arn:aws:sagemaker:us-east-1:123456789012:model-package/churn-xgboost/2"
PACKAGE_V5 = "arn:aws:sagemaker:us-east-1:123456789012:model-package/churn-xgboost/5"
MANUAL = {"manual": True, "status_when_passed": "PendingManualApproval"}

UPLOAD_RUN = {
    "run_id": "churn-3f9a1c2b7d",
    "order_key": "2026-11-25T21:15:02.123Z|0055AED6DCD90281E500000000000000|input/churn.csv",
    "source": {
        "bucket": "b",
        "key": "input/churn.csv",
        "version_id": "v1",
        "size": 10,
        "etag": "e",
        "uri": "s3://b/input/churn.csv",
    },
    "names": {
        "execution": "churn-3f9a1c2b7d",
        "training_job": "churn-xgboost--churn-3f9a1c2b7d",
        "model": "churn-xgboost--churn-3f9a1c2b7d",
        "endpoint_config": "churn-xgboost--churn-3f9a1c2b7d",
    },
    "outputs": {
        "run_prefix": "s3://b/runs/churn-3f9a1c2b7d/",
        "train": "s3://b/runs/churn-3f9a1c2b7d/etl/train/",
        "validation": "s3://b/runs/churn-3f9a1c2b7d/etl/validation/",
        "rejected": "s3://b/runs/churn-3f9a1c2b7d/etl/rejected/",
        "manifest": "s3://b/runs/churn-3f9a1c2b7d/etl/manifest.json",
        "evaluation": "s3://b/runs/churn-3f9a1c2b7d/evaluation.json",
        "model": "s3://b/runs/churn-3f9a1c2b7d/model/",
    },
    "output_keys": {
        "manifest": "runs/churn-3f9a1c2b7d/etl/manifest.json",
        "evaluation": "runs/churn-3f9a1c2b7d/evaluation.json",
    },
    "started_by": {"kind": "upload", "source_uri": "s3://b/input/churn.csv"},
}
# As lambdas/trigger/approvals.py builds it.
APPROVAL_RUN = {
    "run_id": "approved-v2-0123456789",
    "order_key": "2026-11-28T09:15:02.000Z|00000000000000000000000000000000|" + PACKAGE_V2,
    "approval": {
        "model_package_arn": PACKAGE_V2,
        "model_package_version": 2,
        "approval_description": "rollback to v2",
        "event_id": "ev-1",
        "event_time": "2026-11-28T09:15:02Z",
    },
    "names": {
        "execution": "approved-v2-0123456789",
        "model": "churn-xgboost--approved-v2-0123456789",
        "endpoint_config": "churn-xgboost--approved-v2-0123456789",
    },
    "registry": {"arn": PACKAGE_V2},
    "started_by": {
        "kind": "approval",
        "model_package_arn": PACKAGE_V2,
        "approval_description": "rollback to v2",
        "event_time": "2026-11-28T09:15:02Z",
    },
}
V2_DATA = "s3://b/runs/churn-old-aaaaaaaaaa/model/churn-xgboost--churn-old-aaaaaaaaaa/output/model.tar.gz"


def _package(status: str, metadata: dict[str, str] | None = None) -> dict[str, Any]:
    return {
        "ModelPackageArn": PACKAGE_V2,
        "ModelApprovalStatus": status,
        "InferenceSpecification": {"Containers": [{"Image": "img", "ModelDataUrl": V2_DATA}]},
        "CustomerMetadataProperties": metadata
        if metadata is not None
        else {
            "run_id": "churn-old-aaaaaaaaaa",
            "training_job": "churn-xgboost--churn-old-aaaaaaaaaa",
            "gate_metric_name": "validation:error",
            "gate_metric_value": "0.05",
            "gate_verdict": "Passed",
        },
    }


def _endpoint(status: str, config: str) -> dict[str, Any]:
    return {"EndpointName": "churn-xgboost-endpoint", "EndpointStatus": status, "EndpointConfigName": config}


def _responses(**overrides: list[Any]) -> dict[str, list[Any]]:
    config = APPROVAL_RUN["names"]["endpoint_config"]
    responses: dict[str, list[Any]] = {
        "RunEtl": [{"Id": "jr_1", "JobRunState": "SUCCEEDED"}],
        "Train": [
            {
                "TrainingJobName": UPLOAD_RUN["names"]["training_job"],
                "ModelArtifacts": {
                    "S3ModelArtifacts": "s3://b/runs/churn-3f9a1c2b7d/model/m/output/model.tar.gz"
                },
                "FinalMetricDataList": [{"MetricName": "validation:error", "Value": 0.04}],
            }
        ],
        "ReadEtlManifest": [
            {
                "Body": json.dumps(
                    {
                        "rows": {"train": 8, "validation": 2, "rejected": 0},
                        "lines": {},
                        "rejected_by_reason": {},
                    }
                )
            }
        ],
        "WriteEvaluation": [{}],
        "RegisterModel": [{"ModelPackageArn": PACKAGE_V5}],
        "AnnounceAwaitingApproval": [{"Entries": [{"EventId": "e"}], "FailedEntryCount": 0}],
        "AnnounceDeployed": [{"Entries": [{"EventId": "e"}], "FailedEntryCount": 0}],
        "DescribeApprovedPackage": [_package("Approved")],
        "CreateModel": [{"ModelArn": "m"}],
        "CreateEndpointConfig": [{"EndpointConfigArn": "c"}],
        "ClaimEndpoint": [{}],
        "FindEndpoint": [{"Endpoints": [{"EndpointName": "churn-xgboost-endpoint"}]}],
        "VerifyClaim": [
            {
                "Item": {
                    "run_id": {"S": APPROVAL_RUN["run_id"]},
                    "order_key": {"S": "k"},
                    "execution_arn": {"S": "x"},
                }
            }
        ],
        "DescribeEndpointBeforeUpdate": [_endpoint("InService", "churn-xgboost--churn-newer-bbbbbbbbbb")],
        "UpdateEndpoint": [{"EndpointArn": "arn"}],
        "DescribeEndpoint": [_endpoint("Updating", config), _endpoint("InService", config)],
        "DescribeRollbackAlarms": [{"MetricAlarms": []}],
    }
    responses.update(overrides)
    return responses


def _run(
    monkeypatch: pytest.MonkeyPatch,
    run_input: dict[str, Any],
    responses: dict[str, list[Any]],
    **overrides: Any,
) -> ExecutionResult:
    variables = template_values("churn-xgboost", **overrides)
    variables["endpoint"].update(poll_interval_seconds=1)
    return execute(monkeypatch, render_definition(variables), copy.deepcopy(run_input), responses)


def _output(result: ExecutionResult) -> dict[str, Any]:
    return json.loads(result.output) if isinstance(result.output, str) else result.output


def test_manual_mode_registers_a_passing_model_pending_and_deploys_nothing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    result = _run(monkeypatch, UPLOAD_RUN, _responses(), approval=MANUAL)
    assert result.status == "SUCCEEDED", (result.error, result.cause)
    output = _output(result)
    assert output["outcome"] == "AwaitingApproval"
    assert (output["model_package_arn"], output["model_package_version"]) == (PACKAGE_V5, 5)
    (registration,) = result.sent("createModelPackage")
    assert registration["ModelApprovalStatus"] == "PendingManualApproval"
    assert registration["CustomerMetadataProperties"]["gate_verdict"] == "Passed"
    assert result.scheduled("createModel") == 0 and result.scheduled("updateItem") == 0
    (announcement,) = result.sent("putEvents")
    (entry,) = announcement["Entries"]
    assert entry["DetailType"] == "Model Awaiting Approval"
    detail = entry["Detail"] if isinstance(entry["Detail"], dict) else json.loads(entry["Detail"])
    assert detail["model_package_version"] == 5 and detail["metric"]["value"] == 0.04


def test_manual_mode_still_fails_a_model_the_gate_rejects(monkeypatch: pytest.MonkeyPatch) -> None:
    rejected = _responses()
    rejected["Train"][0]["FinalMetricDataList"] = [{"MetricName": "validation:error", "Value": 0.5}]
    result = _run(monkeypatch, UPLOAD_RUN, rejected, approval=MANUAL)
    assert (result.status, result.error) == ("FAILED", "ModelRejected")
    (registration,) = result.sent("createModelPackage")
    assert registration["ModelApprovalStatus"] == "Rejected"
    assert result.sent("putEvents") == []


def test_an_approval_run_deploys_exactly_the_approved_version_without_training(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    result = _run(monkeypatch, APPROVAL_RUN, _responses(), approval=MANUAL)
    assert result.status == "SUCCEEDED", (result.error, result.cause)
    assert result.scheduled("arn:aws:states:::glue:startJobRun.sync") == 0
    assert result.sent("createModelPackage") == []
    (model,) = result.sent("createModel")
    assert model["PrimaryContainer"] == {"ModelPackageName": PACKAGE_V2}
    assert model["ModelName"] == APPROVAL_RUN["names"]["model"]
    # It claims the endpoint like any deployment, recording that an approval started it.
    (claim,) = result.sent("updateItem")
    assert claim["ExpressionAttributeValues"][":started_by"] == {"S": "approval"}
    assert claim["ExpressionAttributeValues"][":mine"] == {"S": APPROVAL_RUN["order_key"]}
    output = _output(result)
    assert output["outcome"] == "Deployed"
    assert output["started_by"]["kind"] == "approval"
    assert (output["model_package_arn"], output["model_package_version"]) == (PACKAGE_V2, 2)
    assert output["metric"] == {"name": "validation:error", "value": 0.05}
    assert output["model_artifacts"] == V2_DATA


def test_an_approval_withdrawn_before_the_run_deploys_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    result = _run(
        monkeypatch, APPROVAL_RUN, _responses(DescribeApprovedPackage=[_package("Rejected")]), approval=MANUAL
    )
    assert (result.status, result.error) == ("FAILED", "ApprovalWithdrawn")
    assert PACKAGE_V2 in result.cause and "Rejected" in result.cause
    assert result.sent("createModel") == []


def test_an_approved_version_of_a_pipeline_without_gate_deploys_without_a_metric(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    without_gate = _package("Approved", {"run_id": "r", "training_job": "t", "gate_verdict": "NoGate"})
    result = _run(
        monkeypatch, APPROVAL_RUN, _responses(DescribeApprovedPackage=[without_gate]), approval=MANUAL
    )
    assert result.status == "SUCCEEDED", (result.error, result.cause)
    assert _output(result)["metric"] is None


def test_an_unreadable_package_fails_the_approval_run_by_name(monkeypatch: pytest.MonkeyPatch) -> None:
    missing = Throw("SageMaker.ValidationException", "Model package does not exist")
    result = _run(monkeypatch, APPROVAL_RUN, _responses(DescribeApprovedPackage=[missing]), approval=MANUAL)
    assert (result.status, result.error) == ("FAILED", "ApprovedModelReadFailed")
    assert "does not exist" in result.cause
