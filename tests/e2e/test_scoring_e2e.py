"""Batch scoring on upload, offline: the demo pipeline with `scoring = { prefix = "score/" }`.

Before any model: a scoring upload fails NoModelToScoreWith. After a training run: a features-only CSV
under `score/` is scored by a batch transform job with the endpoint's model, one prediction per row in
order, equal to that model loaded here, with its manifest; a re-delivered event starts nothing; a bad file
fails naming the file and SageMaker's reason and writes no manifest; a blank file fails EmptyInput; with
`join_input` each output line is its input row plus the prediction; with the endpoint gone, the newest
Approved version scores.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from localcloud.s3_uri import split_s3_uri
from localcloud.tools.demo_scoring import upload_and_follow_scoring
from localcloud.tools.run_follower import RunResult
from sample_data import write_churn_csv
from tests.e2e.deployment import (
    Deployment,
    deploy_demo_variant,
    destroy,
    model_predictions,
    upload_generated,
)

pytestmark = pytest.mark.e2e

PIPELINE = "churn-xgboost"
RUN_TIMEOUT_SECONDS = 300
# About 1.3 MB: more than one 1 MB mini-batch (max_payload_mb = 1), so the order is kept across requests.
SCORING_ROWS = 8000


@pytest.fixture(scope="module")
def deployment(cloud_port: int, tmp_path_factory: pytest.TempPathFactory) -> Deployment:
    return deploy_demo_variant(
        cloud_port,
        "e2e-scoring",
        tmp_path_factory.mktemp("scoring"),
        PIPELINE,
        {"scoring": {"prefix": "score/", "max_payload_mb": 1}},
    )


def score(deployment: Deployment, file_name: str, body: bytes) -> RunResult:
    """Upload `body` as `score/<file_name>` and follow the scoring run it starts."""
    return upload_and_follow_scoring(
        deployment.client("s3"),
        deployment.client("stepfunctions"),
        deployment.outputs,
        file_name,
        body,
        timeout=RUN_TIMEOUT_SECONDS,
    )


def read_object(deployment: Deployment, uri: str) -> bytes:
    bucket, key = split_s3_uri(uri)
    return deployment.client("s3").get_object(Bucket=bucket, Key=key)["Body"].read()


def manifest_exists(deployment: Deployment, result: RunResult) -> bool:
    bucket, key = split_s3_uri(result.run_input["outputs"]["manifest"])
    listed = deployment.client("s3").list_objects_v2(Bucket=bucket, Prefix=key)
    return listed.get("KeyCount", 0) > 0


def features(tmp_path: Path, rows: int, seed: int) -> Path:
    path = tmp_path / f"features-{seed}.csv"
    write_churn_csv(path, rows=rows, seed=seed, features_only=True)
    return path


@pytest.fixture(scope="module")
def trained(deployment: Deployment, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    result, _ = upload_generated(
        deployment, tmp_path_factory.mktemp("scoring-train"), "train.csv", 41, RUN_TIMEOUT_SECONDS
    )
    assert result.status == "SUCCEEDED", (result.error, result.cause)
    assert result.output is not None
    return result.output


def test_before_any_model_scoring_fails_naming_the_endpoint_and_the_group(deployment: Deployment) -> None:
    result = score(deployment, "too-early.csv", b"1,2,3\n")
    assert (result.status, result.error) == ("FAILED", "NoModelToScoreWith"), result.cause
    assert "endpoint churn-xgboost-endpoint serves no model" in (result.cause or "")
    assert "model package group churn-xgboost has no Approved version" in (result.cause or "")
    assert not manifest_exists(deployment, result)


def test_a_scoring_upload_writes_one_prediction_per_row_with_the_serving_model(
    deployment: Deployment, trained: dict[str, Any], tmp_path: Path
) -> None:
    data = features(tmp_path, SCORING_ROWS, seed=42)
    result = score(deployment, "2026/customers.csv", data.read_bytes())
    assert result.status == "SUCCEEDED", (result.error, result.cause)

    run_id = result.run_input["run_id"]
    predictions_uri = f"{deployment.outputs['predictions_s3_uri']}{run_id}/customers.csv.out"
    lines = read_object(deployment, predictions_uri).decode().splitlines()
    assert len(lines) == SCORING_ROWS
    rows = np.loadtxt(data, delimiter=",")
    np.testing.assert_allclose(
        np.array([float(line) for line in lines]),
        model_predictions(deployment, trained["model_artifacts"], rows),
        rtol=1e-6,
    )

    manifest = json.loads(read_object(deployment, result.run_input["outputs"]["manifest"]))
    assert manifest == result.output["manifest"]
    assert (manifest["rows_in"], manifest["rows_out"]) == (SCORING_ROWS, SCORING_ROWS)
    assert manifest["model"] == {
        "source": "endpoint",
        "name": trained["model_name"],
        "endpoint": deployment.outputs["endpoint_name"],
        "endpoint_config": trained["endpoint_config_name"],
    }
    assert manifest["source"]["key"] == "score/2026/customers.csv"
    assert manifest["source"]["version_id"] == result.run_input["source"]["version_id"]
    assert manifest["predictions_uri"] == predictions_uri
    assert manifest["transform_job"] == f"{PIPELINE}--{run_id}"
    assert manifest["join_input"] is False
    job = deployment.client("sagemaker").describe_transform_job(TransformJobName=manifest["transform_job"])
    assert job["ModelName"] == trained["model_name"]
    assert (job["BatchStrategy"], job["MaxPayloadInMB"]) == ("MultiRecord", 1)
    assert len(data.read_bytes()) > 1024 * 1024


def test_a_redelivered_scoring_event_starts_nothing_twice(
    deployment: Deployment, trained: dict[str, Any], tmp_path: Path
) -> None:
    result = score(deployment, "twice.csv", features(tmp_path, 50, seed=46).read_bytes())
    assert result.status == "SUCCEEDED", (result.error, result.cause)
    source = result.run_input["source"]
    record = {
        "eventVersion": "2.1",
        "eventSource": "aws:s3",
        "eventTime": "2026-11-28T04:00:00.000Z",
        "eventName": "ObjectCreated:Put",
        "s3": {
            "bucket": {"name": source["bucket"]},
            "object": {
                "key": source["key"],
                "size": source["size"],
                "eTag": source["etag"],
                "versionId": source["version_id"],
            },
        },
    }
    response = deployment.client("lambda").invoke(
        FunctionName=deployment.outputs["trigger_function_name"],
        Payload=json.dumps({"Records": [record]}).encode(),
    )
    summary = json.loads(response["Payload"].read())
    assert "FunctionError" not in response, summary
    assert summary["started"] == []
    assert [(d["kind"], d["run_id"]) for d in summary["duplicates"]] == [
        ("scoring", result.run_input["run_id"])
    ]
    executions = deployment.client("stepfunctions").list_executions(
        stateMachineArn=deployment.outputs["scoring_state_machine_arn"]
    )["executions"]
    assert [e["name"] for e in executions].count(result.run_input["run_id"]) == 1


def test_a_file_with_a_bad_value_fails_naming_the_file_and_the_reason(
    deployment: Deployment, trained: dict[str, Any], tmp_path: Path
) -> None:
    good = features(tmp_path, 20, seed=43).read_text().splitlines()
    cells = good[7].split(",")
    cells[3] = "n/a"
    good[7] = ",".join(cells)
    result = score(deployment, "bad.csv", ("\n".join(good) + "\n").encode())
    assert (result.status, result.error) == ("FAILED", "ScoringFailed"), result.cause
    cause = result.cause or ""
    assert "score/bad.csv" in cause
    assert "ClientError" in cause or "AlgorithmError" in cause, cause
    assert not manifest_exists(deployment, result)


def test_a_file_without_rows_fails_empty_input(deployment: Deployment, trained: dict[str, Any]) -> None:
    result = score(deployment, "blank.csv", b"\n\n")
    assert (result.status, result.error) == ("FAILED", "EmptyInput"), result.cause
    assert "score/blank.csv has no rows to score" in (result.cause or "")
    assert not manifest_exists(deployment, result)


def test_join_input_puts_each_prediction_beside_its_row(
    deployment: Deployment, trained: dict[str, Any], tmp_path: Path
) -> None:
    variant = Path(deployment.terraform.var_files[-1])
    settings = json.loads(variant.read_text())
    settings["pipelines"][PIPELINE]["scoring"]["join_input"] = True
    variant.write_text(json.dumps(settings), encoding="utf-8")
    deployment.terraform.apply()

    data = features(tmp_path, 300, seed=44)
    result = score(deployment, "joined.csv", data.read_bytes())
    assert result.status == "SUCCEEDED", (result.error, result.cause)
    assert result.output["manifest"]["join_input"] is True
    lines = read_object(deployment, result.output["manifest"]["predictions_uri"]).decode().splitlines()
    inputs = data.read_text().splitlines()
    assert len(lines) == len(inputs)
    predictions = []
    for line, row in zip(lines, inputs, strict=True):
        joined_row, _, prediction = line.rpartition(",")
        assert joined_row == row
        predictions.append(float(prediction))
    np.testing.assert_allclose(
        predictions,
        model_predictions(deployment, trained["model_artifacts"], np.loadtxt(data, delimiter=",")),
        rtol=1e-6,
    )


def test_without_the_endpoint_the_newest_approved_version_scores(
    deployment: Deployment, trained: dict[str, Any], tmp_path: Path
) -> None:
    sagemaker = deployment.client("sagemaker")
    sagemaker.delete_endpoint(EndpointName=deployment.outputs["endpoint_name"])
    data = features(tmp_path, 100, seed=45)
    result = score(deployment, "after-delete.csv", data.read_bytes())
    assert result.status == "SUCCEEDED", (result.error, result.cause)
    model = result.output["manifest"]["model"]
    assert model["source"] == "registry"
    assert model["model_package_arn"] == trained["model_package_arn"]
    assert model["name"] == f"{PIPELINE}--{result.run_input['run_id']}"
    # join_input is still on (the test above): the prediction is each line's last column.
    assert result.output["manifest"]["join_input"] is True
    lines = read_object(deployment, result.output["manifest"]["predictions_uri"]).decode().splitlines()
    np.testing.assert_allclose(
        [float(line.rpartition(",")[2]) for line in lines],
        model_predictions(deployment, trained["model_artifacts"], np.loadtxt(data, delimiter=",")),
        rtol=1e-6,
    )


def test_destroy_removes_everything(deployment: Deployment) -> None:
    destroy(deployment, PIPELINE)
    assert deployment.client("stepfunctions").list_state_machines()["stateMachines"] == []
