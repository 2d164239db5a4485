"""The scoring state machine (statemachine/scoring.asl.json.tftpl) as rendered: valid ASL, its transform
job, and its paths run in the interpreter with scripted task results
(tests/statemachine_fixtures/mocked_execution.py)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from statemachine.render import SCORING_TEMPLATE_PATH, render_definition
from tests.statemachine_fixtures.mocked_execution import ExecutionResult, Throw, execute
from tests.statemachine_fixtures.scoring_values import SCORING_CASES, scoring_values

REPO_ROOT = Path(__file__).resolve().parents[1]
ASL_VALIDATOR = REPO_ROOT / "node_modules" / ".bin" / "asl-validator"
BUCKET = "churn-xgboost-123456789012-us-east-1"
RUN_ID = "customers-0123456789"
MODEL_OF_THE_ENDPOINT = "churn-xgboost--train-abcdef0123"
PACKAGE_ARN = "arn:aws:sagemaker:us-east-1:123456789012:model-package/churn-xgboost/7"

RUN_INPUT: dict[str, Any] = {
    "run_id": RUN_ID,
    "source": {
        "bucket": BUCKET,
        "key": "score/customers.csv",
        "version_id": "v1",
        "size": 12,
        "etag": "e1",
        "uri": f"s3://{BUCKET}/score/customers.csv",
    },
    "names": {
        "execution": RUN_ID,
        "transform_job": f"churn-xgboost--{RUN_ID}",
        "model": f"churn-xgboost--{RUN_ID}",
    },
    "outputs": {
        "manifest": f"s3://{BUCKET}/predictions/{RUN_ID}/manifest.json",
        "predictions": f"s3://{BUCKET}/predictions/{RUN_ID}/customers.csv.out",
        "predictions_prefix": f"s3://{BUCKET}/predictions/{RUN_ID}/",
        "transform_input": f"s3://{BUCKET}/runs/{RUN_ID}/scoring/transform-input.manifest",
    },
    "output_keys": {
        "manifest": f"predictions/{RUN_ID}/manifest.json",
        "predictions": f"predictions/{RUN_ID}/customers.csv.out",
        "predictions_prefix": f"predictions/{RUN_ID}/",
        "transform_input": f"runs/{RUN_ID}/scoring/transform-input.manifest",
    },
    "transform_input_entries": [{"prefix": f"s3://{BUCKET}/score/"}, "customers.csv"],
    "started_by": {"kind": "upload", "source_uri": f"s3://{BUCKET}/score/customers.csv"},
}


def _definition(**changes: Any) -> str:
    return render_definition(scoring_values(**changes), SCORING_TEMPLATE_PATH)


def _rows(count: int) -> dict[str, Any]:
    return {"StatusCode": 200, "Payload": {"rows": count}}


def _lambda_error(error: str, message: str) -> Throw:
    return Throw(error, json.dumps({"errorType": error, "errorMessage": message, "stackTrace": []}))


SERVING_ENDPOINT = {
    "FindEndpoint": [{"Endpoints": [{"EndpointName": "churn-xgboost-endpoint"}]}],
    "DescribeServingEndpoint": [
        {"EndpointStatus": "Updating", "EndpointConfigName": "churn-xgboost--train-abcdef0123"}
    ],
    "DescribeServingEndpointConfig": [
        {
            "EndpointConfigName": "churn-xgboost--train-abcdef0123",
            "ProductionVariants": [{"VariantName": "AllTraffic", "ModelName": MODEL_OF_THE_ENDPOINT}],
        }
    ],
}
NO_ENDPOINT = {"FindEndpoint": [{"Endpoints": [{"EndpointName": "churn-xgboost-endpoint-old"}]}]}
COMPLETED_JOB = {
    "TransformJobName": f"churn-xgboost--{RUN_ID}",
    "TransformJobArn": f"arn:aws:sagemaker:us-east-1:123456789012:transform-job/churn-xgboost--{RUN_ID}",
    "TransformJobStatus": "Completed",
}
WRITES = {"WriteTransformInput": [{}], "WriteManifest": [{}]}


def _run(monkeypatch: pytest.MonkeyPatch, responses: dict[str, Any], **changes: Any) -> ExecutionResult:
    return execute(monkeypatch, _definition(**changes), RUN_INPUT, responses)


def test_rendered_scoring_definitions_pass_asl_validator() -> None:
    if not ASL_VALIDATOR.exists():
        pytest.fail(f"{ASL_VALIDATOR} is missing: run `make venv` (npm ci) first")
    definitions = [render_definition(values, SCORING_TEMPLATE_PATH) for values in SCORING_CASES.values()]
    arguments = [argument for definition in definitions for argument in ("--json-definition", definition)]
    result = subprocess.run([str(ASL_VALIDATOR), *arguments], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.count("is valid") == len(definitions), result.stdout


def test_every_transition_targets_an_existing_state_and_every_state_is_reachable() -> None:
    for values in SCORING_CASES.values():
        definition = json.loads(render_definition(values, SCORING_TEMPLATE_PATH))
        states = definition["States"]
        targets: dict[str, set[str]] = {}
        for name, state in states.items():
            nexts = {state.get("Next"), state.get("Default")}
            nexts |= {choice["Next"] for choice in state.get("Choices", [])}
            nexts |= {catcher["Next"] for catcher in state.get("Catch", [])}
            targets[name] = {target for target in nexts if target is not None}
            assert targets[name] <= states.keys(), f"{name} points to a missing state"
        reachable, frontier = set(), [definition["StartAt"]]
        while frontier:
            name = frontier.pop()
            if name not in reachable:
                reachable.add(name)
                frontier.extend(targets[name])
        assert reachable == set(states), f"unreachable: {set(states) - reachable}"


def test_the_transform_job_reads_the_uploaded_object_only_in_line_records() -> None:
    states = json.loads(_definition())["States"]
    transform = states["Transform"]
    assert transform["Resource"] == "arn:aws:states:::sagemaker:createTransformJob.sync"
    parameters = transform["Parameters"]
    assert parameters["TransformInput"]["DataSource"]["S3DataSource"]["S3DataType"] == "ManifestFile"
    assert parameters["TransformInput"]["SplitType"] == "Line"
    assert parameters["TransformOutput"]["AssembleWith"] == "Line"
    assert (parameters["BatchStrategy"], parameters["MaxPayloadInMB"]) == ("MultiRecord", 6)
    assert "DataProcessing" not in parameters  # JoinSource None
    joined = json.loads(_definition(scoring={"join_input": True}))["States"]["Transform"]["Parameters"]
    assert joined["DataProcessing"] == {"JoinSource": "Input"}
    assert json.loads(_definition(scoring={"join_input": True}))["States"]["BuildManifest"]["Parameters"][
        "join_input"
    ]


def test_the_endpoints_current_model_scores_and_the_manifest_says_so(monkeypatch: pytest.MonkeyPatch) -> None:
    result = _run(
        monkeypatch,
        {
            "CountInputRows": [_rows(3)],
            **SERVING_ENDPOINT,
            **WRITES,
            "Transform": [COMPLETED_JOB],
            "CountPredictions": [_rows(3)],
        },
    )
    assert result.status == "SUCCEEDED", (result.error, result.cause)
    assert "CreateModelFromVersion" not in result.entered()
    (job,) = result.sent("createTransformJob.sync")
    assert job["ModelName"] == MODEL_OF_THE_ENDPOINT
    (transform_input,) = result.sent("putObject")[:1]
    assert json.loads(transform_input["Body"]) == RUN_INPUT["transform_input_entries"]
    manifest_write = result.sent("putObject")[1]
    assert manifest_write["Key"] == f"predictions/{RUN_ID}/manifest.json"
    manifest = json.loads(manifest_write["Body"])
    assert manifest["model"] == {
        "source": "endpoint",
        "name": MODEL_OF_THE_ENDPOINT,
        "endpoint": "churn-xgboost-endpoint",
        "endpoint_config": "churn-xgboost--train-abcdef0123",
    }
    assert (manifest["rows_in"], manifest["rows_out"]) == (3, 3)
    assert manifest["source"]["version_id"] == "v1"
    assert manifest["predictions_uri"] == RUN_INPUT["outputs"]["predictions"]
    assert manifest["transform_job"] == f"churn-xgboost--{RUN_ID}"
    assert manifest["join_input"] is False
    assert result.output["manifest_uri"] == RUN_INPUT["outputs"]["manifest"]


def test_without_endpoint_the_newest_approved_version_scores(monkeypatch: pytest.MonkeyPatch) -> None:
    result = _run(
        monkeypatch,
        {
            "CountInputRows": [_rows(2)],
            **NO_ENDPOINT,
            "FindApprovedVersion": [
                {"ModelPackageSummaryList": [{"ModelPackageArn": PACKAGE_ARN, "ModelPackageVersion": 7}]}
            ],
            "CreateModelFromVersion": [{"ModelArn": "arn"}],
            **WRITES,
            "Transform": [COMPLETED_JOB],
            "CountPredictions": [_rows(2)],
        },
    )
    assert result.status == "SUCCEEDED", (result.error, result.cause)
    (listed,) = result.sent("listModelPackages")
    assert listed == {
        "ModelPackageGroupName": "churn-xgboost",
        "ModelApprovalStatus": "Approved",
        "SortBy": "CreationTime",
        "SortOrder": "Descending",
        "MaxResults": 1,
    }
    (created,) = result.sent("createModel")
    assert created["ModelName"] == f"churn-xgboost--{RUN_ID}"
    assert created["PrimaryContainer"] == {"ModelPackageName": PACKAGE_ARN}
    (job,) = result.sent("createTransformJob.sync")
    assert job["ModelName"] == f"churn-xgboost--{RUN_ID}"
    assert result.output["manifest"]["model"] == {
        "source": "registry",
        "name": f"churn-xgboost--{RUN_ID}",
        "model_package_arn": PACKAGE_ARN,
        "model_package_version": 7,
    }


def test_an_endpoint_that_serves_nothing_falls_back_to_the_registry(monkeypatch: pytest.MonkeyPatch) -> None:
    result = _run(
        monkeypatch,
        {
            "CountInputRows": [_rows(2)],
            "FindEndpoint": SERVING_ENDPOINT["FindEndpoint"],
            "DescribeServingEndpoint": [{"EndpointStatus": "Failed", "EndpointConfigName": "x"}],
            "FindApprovedVersion": [{"ModelPackageSummaryList": []}],
        },
    )
    assert (result.status, result.error) == ("FAILED", "NoModelToScoreWith")
    assert "endpoint churn-xgboost-endpoint serves no model" in result.cause
    assert "model package group churn-xgboost has no Approved version" in result.cause
    assert "score/customers.csv" in result.cause


def test_a_failed_transform_job_fails_the_run_with_its_reason_and_writes_no_manifest(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    reason = (
        "ClientError: See job logs for more information. churn/score/customers.csv: Bad HTTP status received "
        "from algorithm: 400 Message: Unable to evaluate payload provided"
    )
    description = {**COMPLETED_JOB, "TransformJobStatus": "Failed", "FailureReason": reason}
    result = _run(
        monkeypatch,
        {
            "CountInputRows": [_rows(3)],
            **SERVING_ENDPOINT,
            **WRITES,
            "Transform": [Throw("States.TaskFailed", json.dumps(description))],
        },
    )
    assert (result.status, result.error) == ("FAILED", "ScoringFailed")
    assert f"Scoring s3://{BUCKET}/score/customers.csv failed" in result.cause
    assert reason in result.cause
    assert "WriteManifest" not in result.entered()


def test_fewer_predictions_than_rows_fail_the_run(monkeypatch: pytest.MonkeyPatch) -> None:
    result = _run(
        monkeypatch,
        {
            "CountInputRows": [_rows(5)],
            **SERVING_ENDPOINT,
            **WRITES,
            "Transform": [COMPLETED_JOB],
            "CountPredictions": [_rows(4)],
        },
    )
    assert (result.status, result.error) == ("FAILED", "PredictionCountMismatch")
    assert "wrote 4 predictions" in result.cause and "for 5 input rows" in result.cause
    assert "WriteManifest" not in result.entered()


@pytest.mark.parametrize("error", ["EmptyInput", "SourceChanged"])
def test_the_counters_errors_end_the_run_with_their_message(
    monkeypatch: pytest.MonkeyPatch, error: str
) -> None:
    message = f"s3://{BUCKET}/score/customers.csv: the reason"
    result = _run(monkeypatch, {"CountInputRows": [_lambda_error(error, message)]})
    assert (result.status, result.error, result.cause) == ("FAILED", error, message)
    assert "Transform" not in result.entered()
