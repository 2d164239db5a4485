"""End to end, offline: a burst of uploads, and the newest upload's model ends up serving.

Issue 10, item 4. A first upload creates the endpoint; then several uploads with distinct data arrive at once.
Their runs overlap; each claims the endpoint in the deployments table (DynamoDB conditional write on the
upload's order key) and the state machine waits for another run's deployment instead of failing. Expected:
no run fails; the newest upload's run (greatest order key: S3 event time, then sequencer, then key) deploys
last and its model serves; every other run deployed before it or ended `Superseded`, naming a newer run.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from localcloud import config
from localcloud.tools.run_follower import RunResult, upload_and_follow
from localcloud.tools.serving import served_container
from localcloud.tools.terraform import LocalTerraform
from sample_data import write_churn_csv
from tests.e2e.deployment import Deployment, destroy

pytestmark = pytest.mark.e2e

PIPELINE = "churn-xgboost"
RUN_TIMEOUT_SECONDS = 600
ROWS = 1000
BURST = 4


@pytest.fixture(scope="module")
def deployment(cloud_port: int) -> Iterator[Deployment]:
    terraform = LocalTerraform(
        endpoint_url=config.endpoint_url(cloud_port), name=f"e2e-burst-{uuid.uuid4().hex[:8]}"
    )
    terraform.init(fresh_state=True)
    terraform.apply()
    outputs = terraform.outputs()["pipelines"][PIPELINE]
    yield Deployment(terraform=terraform, port=cloud_port, outputs=outputs)


def _csv(directory: Path, name: str, seed: int) -> bytes:
    path = directory / name
    write_churn_csv(path, rows=ROWS, seed=seed)
    return path.read_bytes()


def _follow(deployment: Deployment, file_name: str, body: bytes) -> RunResult:
    # Own clients per thread: boto3 clients are thread-safe, but separate ones keep the uploads independent.
    return upload_and_follow(
        deployment.client("s3"),
        deployment.client("stepfunctions"),
        deployment.outputs,
        file_name,
        body,
        timeout=RUN_TIMEOUT_SECONDS,
        poll_seconds=0.5,
    )


@pytest.fixture(scope="module")
def first_run(deployment: Deployment, tmp_path_factory: pytest.TempPathFactory) -> RunResult:
    directory = tmp_path_factory.mktemp("burst-first")
    return _follow(deployment, "burst-first.csv", _csv(directory, "first.csv", seed=100))


@pytest.fixture(scope="module")
def burst(
    deployment: Deployment, first_run: RunResult, tmp_path_factory: pytest.TempPathFactory
) -> list[RunResult]:
    directory = tmp_path_factory.mktemp("burst")
    bodies = {
        f"burst-{index}.csv": _csv(directory, f"{index}.csv", seed=200 + index) for index in range(BURST)
    }
    with ThreadPoolExecutor(max_workers=BURST) as pool:
        futures = [pool.submit(_follow, deployment, name, body) for name, body in bodies.items()]
        return [future.result() for future in futures]


def _deploy_finished(result: RunResult) -> Any:
    """When the run's deployment finished: the time its final Summarize state was entered."""
    (summarize,) = [state for state in result.states if state.name == "Summarize"]
    return summarize.entered


def test_first_upload_creates_the_endpoint(first_run: RunResult) -> None:
    assert first_run.status == "SUCCEEDED", f"{first_run.error}: {first_run.cause}"
    assert first_run.output["outcome"] == "Deployed"
    assert first_run.output["endpoint_action"] == "created"


def test_no_run_of_the_burst_fails(burst: list[RunResult]) -> None:
    failures = [(result.run_input["run_id"], result.error, result.cause) for result in burst]
    assert all(result.status == "SUCCEEDED" for result in burst), failures
    assert {result.output["outcome"] for result in burst} <= {"Deployed", "Superseded"}


def test_the_newest_upload_deploys_last_and_serves(deployment: Deployment, burst: list[RunResult]) -> None:
    newest = max(burst, key=lambda result: result.run_input["order_key"])
    assert newest.output["outcome"] == "Deployed", newest.output
    deployed = [result for result in burst if result.output["outcome"] == "Deployed"]
    assert max(deployed, key=_deploy_finished) is newest

    sagemaker = deployment.client("sagemaker")
    endpoint = sagemaker.describe_endpoint(EndpointName=deployment.outputs["endpoint_name"])
    assert endpoint["EndpointStatus"] == "InService"
    assert endpoint["EndpointConfigName"] == newest.run_input["names"]["endpoint_config"]
    served = served_container(sagemaker, deployment.outputs["endpoint_name"])
    assert newest.run_input["run_id"] in served["ModelDataUrl"]
    assert served["ModelPackageArn"] == newest.output["model_package_arn"]


def test_every_other_run_deployed_before_or_was_superseded_by_a_newer_run(burst: list[RunResult]) -> None:
    order_keys = {result.run_input["run_id"]: result.run_input["order_key"] for result in burst}
    for result in burst:
        if result.output["outcome"] != "Superseded":
            continue
        mine = result.run_input["order_key"]
        superseded_by = result.output["superseded_by"]
        assert superseded_by["order_key"] > mine, result.output
        assert superseded_by["run_id"] in order_keys, superseded_by
        assert order_keys[superseded_by["run_id"]] == superseded_by["order_key"]
        assert result.output["endpoint_action"] == "none"


def test_the_claim_names_the_newest_run(deployment: Deployment, burst: list[RunResult]) -> None:
    newest = max(burst, key=lambda result: result.run_input["order_key"])
    item = deployment.client("dynamodb").get_item(
        TableName=deployment.outputs["deployments_table_name"],
        Key={"endpoint_name": {"S": deployment.outputs["endpoint_name"]}},
        ConsistentRead=True,
    )["Item"]
    assert item["run_id"]["S"] == newest.run_input["run_id"]
    assert item["order_key"]["S"] == newest.run_input["order_key"]


def test_destroy_removes_everything(deployment: Deployment) -> None:
    outputs = deployment.outputs
    destroy(deployment, PIPELINE)

    tables = deployment.client("dynamodb").list_tables()["TableNames"]
    assert outputs["deployments_table_name"] not in tables
    buckets = [bucket["Name"] for bucket in deployment.client("s3").list_buckets()["Buckets"]]
    assert outputs["bucket_name"] not in buckets
