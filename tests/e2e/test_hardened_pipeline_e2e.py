"""The hardened deployment, offline: a customer managed KMS key, a permissions boundary and an IAM path.

The demo configuration is applied with one more var file that gives the demo's pipeline a `security`
object: the bucket is SSE-KMS with the key (and a bucket key), log groups, the failure queue and SageMaker
use it too, and every role has the boundary and the path. S3's KMS calls are authorized as the caller's
role against its policies and the key policy (localcloud/iam/s3_kms.py), so one run shows the module's
KMS grants are enough, and a run without the Glue role's KMS statement shows they are needed.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from localcloud import config
from localcloud.tools.run_follower import RunResult, upload_and_follow
from sample_data import write_churn_csv
from tests.e2e.deployment import Deployment, deploy_demo_variant, destroy

pytestmark = pytest.mark.e2e

PIPELINE = "churn-xgboost"
RUN_TIMEOUT_SECONDS = 300
IAM_PATH = "/pipelines/"


@dataclass
class HardenedDeployment(Deployment):
    key_arn: str
    boundary_arn: str


def _boundary(iam: Any, name: str) -> str:
    """A managed policy as permissions boundary: what the pipeline's services may do at most."""
    services = [
        "s3",
        "kms",
        "logs",
        "cloudwatch",
        "states",
        "events",
        "sqs",
        "glue",
        "sagemaker",
        "ecr",
        "ec2",
        "dynamodb",  # the endpoint claim of a run (a boundary without it denies ClaimEndpoint, as on AWS)
    ]
    actions = [f"{service}:*" for service in services] + ["xray:Put*", "iam:PassRole"]
    document = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": actions, "Resource": "*"}],
    }
    return iam.create_policy(PolicyName=name, PolicyDocument=json.dumps(document))["Policy"]["Arn"]


@pytest.fixture(scope="module")
def deployment(cloud_port: int, tmp_path_factory: pytest.TempPathFactory) -> Iterator[HardenedDeployment]:
    name = f"e2e-hardened-{uuid.uuid4().hex[:8]}"
    # Created first with the administrator keys, as a platform team would provide them.
    key_arn = config.boto3_client("kms", cloud_port).create_key(Description="pipeline key")["KeyMetadata"][
        "Arn"
    ]
    boundary_arn = _boundary(config.boto3_client("iam", cloud_port), f"{name}-boundary")

    security = {"kms_key_arn": key_arn, "permissions_boundary_arn": boundary_arn, "iam_path": IAM_PATH}
    deployed = deploy_demo_variant(
        cloud_port, "e2e-hardened", tmp_path_factory.mktemp("hardened"), PIPELINE, {"security": security}
    )
    yield HardenedDeployment(deployed.terraform, cloud_port, deployed.outputs, key_arn, boundary_arn)
    # The destroy test removes the working copy; if it did not run, the state stays for inspection.


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    path = tmp_path_factory.mktemp("hardened-data") / "churn.csv"
    write_churn_csv(path, rows=3000, seed=11)
    return path.read_bytes()


def _run_upload(deployment: HardenedDeployment, file_name: str, body: bytes) -> RunResult:
    return upload_and_follow(
        deployment.client("s3"),
        deployment.client("stepfunctions"),
        deployment.outputs,
        file_name,
        body,
        timeout=RUN_TIMEOUT_SECONDS,
    )


@pytest.fixture(scope="module")
def first_run(deployment: HardenedDeployment, data: bytes) -> RunResult:
    return _run_upload(deployment, "hardened.csv", data)


def test_roles_have_the_boundary_and_the_path(deployment: HardenedDeployment) -> None:
    role_arn = deployment.outputs["sagemaker_role_arn"]
    role = deployment.client("iam").get_role(RoleName=role_arn.rsplit("/", 1)[-1])["Role"]
    assert role["Path"] == IAM_PATH
    assert f":role{IAM_PATH}" in role_arn
    assert role["PermissionsBoundary"]["PermissionsBoundaryArn"] == deployment.boundary_arn


def test_a_run_succeeds_and_the_endpoint_serves_predictions(
    deployment: HardenedDeployment, first_run: RunResult, data: bytes
) -> None:
    assert first_run.status == "SUCCEEDED", (first_run.error, first_run.cause)
    row = data.decode().splitlines()[0].split(",", 1)[1]  # the features, without the label
    response = deployment.client("sagemaker-runtime").invoke_endpoint(
        EndpointName=deployment.outputs["endpoint_name"], ContentType="text/csv", Body=row.encode()
    )
    assert 0.0 <= float(response["Body"].read().decode().strip()) <= 1.0


def test_etl_output_and_model_are_stored_sse_kms_with_the_key(
    deployment: HardenedDeployment, first_run: RunResult
) -> None:
    s3 = deployment.client("s3")
    bucket = deployment.outputs["bucket_name"]
    run_prefix = f"runs/{first_run.run_input['run_id']}/"
    keys = [item["Key"] for item in s3.list_objects_v2(Bucket=bucket, Prefix=run_prefix)["Contents"]]
    etl_objects = [
        key for key in keys if key.startswith(f"{run_prefix}etl/") and not key.endswith("$folder$")
    ]
    model_objects = [key for key in keys if key.startswith(f"{run_prefix}model/")]
    assert etl_objects and model_objects, keys
    for key in etl_objects + model_objects:
        head = s3.head_object(Bucket=bucket, Key=key)
        assert (head["ServerSideEncryption"], head["SSEKMSKeyId"]) == ("aws:kms", deployment.key_arn), key


def test_glue_role_without_its_kms_statement_fails_at_etl_with_access_denied(
    deployment: HardenedDeployment, first_run: RunResult, data: bytes
) -> None:
    iam = deployment.client("iam")
    job = deployment.client("glue").get_job(JobName=deployment.outputs["glue_job_name"])["Job"]
    role = job["Role"].rsplit("/", 1)[-1]
    [policy_name] = iam.list_role_policies(RoleName=role)["PolicyNames"]
    original = iam.get_role_policy(RoleName=role, PolicyName=policy_name)["PolicyDocument"]
    document = json.loads(original) if isinstance(original, str) else original
    reduced = [statement for statement in document["Statement"] if statement.get("Sid") != "UseBucketKey"]
    assert len(reduced) == len(document["Statement"]) - 1, f"{role} has no statement UseBucketKey"
    iam.put_role_policy(
        RoleName=role, PolicyName=policy_name, PolicyDocument=json.dumps({**document, "Statement": reduced})
    )
    try:
        result = _run_upload(deployment, "hardened-no-kms.csv", data)
    finally:
        iam.put_role_policy(RoleName=role, PolicyName=policy_name, PolicyDocument=json.dumps(document))
    assert (result.status, result.error) == ("FAILED", "EtlFailed")
    job_run = json.loads(result.cause.split(": ", 1)[1])  # type: ignore[union-attr]
    message = job_run["ErrorMessage"]
    assert "AccessDenied" in message
    assert f"arn:aws:sts::{config.ACCOUNT_ID}:assumed-role/{role}/" in message
    assert f'kms:Decrypt on resource: "{deployment.key_arn}"' in message


def test_destroy_removes_everything(deployment: HardenedDeployment) -> None:
    outputs = deployment.outputs
    destroy(deployment, PIPELINE)

    buckets = [bucket["Name"] for bucket in deployment.client("s3").list_buckets()["Buckets"]]
    assert outputs["bucket_name"] not in buckets
