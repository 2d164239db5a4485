"""IAM is enforced offline where AWS enforces it: one permission removed per component, one run each.

The demo configuration is deployed to a local cloud of its own. Each test takes one statement (or one
action) out of a deployed role policy, through the IAM API as an administrator would (the module is
not edited), runs what uses it, checks the failure names the action and the resource and appears where
AWS reports it, and puts the policy back.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from localcloud import config
from localcloud.tools.run_follower import RunResult, upload_and_follow
from localcloud.tools.terraform import LocalTerraform
from sample_data import write_churn_csv

pytestmark = pytest.mark.e2e

PIPELINE = "churn-xgboost"
RUN_TIMEOUT_SECONDS = 300


@dataclass
class Deployment:
    port: int
    outputs: dict[str, Any]

    def client(self, service: str) -> Any:
        return config.boto3_client(service, self.port)

    def role_name(self, component: str) -> str:
        """The deployed role of a component, read from the resource that uses it."""
        arn = {
            "trigger": lambda: self.client("lambda").get_function(
                FunctionName=self.outputs["trigger_function_name"]
            )["Configuration"]["Role"],
            "glue": lambda: self.client("glue").get_job(JobName=self.outputs["glue_job_name"])["Job"]["Role"],
            "step_function": lambda: self.client("stepfunctions").describe_state_machine(
                stateMachineArn=self.outputs["state_machine_arn"]
            )["roleArn"],
            "sagemaker": lambda: self.outputs["sagemaker_role_arn"],
        }[component]()
        return arn.rsplit("/", 1)[-1]


@pytest.fixture(scope="module")
def deployment(cloud_port: int) -> Iterator[Deployment]:
    terraform = LocalTerraform(
        endpoint_url=config.endpoint_url(cloud_port), name=f"e2e-iam-{uuid.uuid4().hex[:8]}"
    )
    terraform.init(fresh_state=True)
    terraform.apply()
    try:
        yield Deployment(port=cloud_port, outputs=terraform.outputs()["pipelines"][PIPELINE])
    finally:
        # No run of this file reaches the endpoint, so there is nothing to destroy but the local cloud itself,
        # which stops with the module.
        terraform.discard()


@pytest.fixture(scope="module")
def upload(deployment: Deployment, tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], RunResult]:
    data: Path = tmp_path_factory.mktemp("iam-data") / "churn.csv"
    write_churn_csv(data, rows=600, seed=3)

    def run(file_name: str) -> RunResult:
        return upload_and_follow(
            deployment.client("s3"),
            deployment.client("stepfunctions"),
            deployment.outputs,
            file_name,
            data.read_bytes(),
            timeout=RUN_TIMEOUT_SECONDS,
        )

    return run


@contextmanager
def policy_without(
    deployment: Deployment, component: str, *, sid: str, action: str | None = None
) -> Iterator[str]:
    """The role policy without statement `sid` (or only without `action` in it); restored afterwards."""
    iam = deployment.client("iam")
    role = deployment.role_name(component)
    [policy_name] = iam.list_role_policies(RoleName=role)["PolicyNames"]
    original = iam.get_role_policy(RoleName=role, PolicyName=policy_name)["PolicyDocument"]
    document = json.loads(original) if isinstance(original, str) else original
    reduced: list[dict[str, Any]] = []
    for statement in document["Statement"]:
        if statement.get("Sid") != sid:
            reduced.append(statement)
        elif action is not None:
            actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
            assert action in actions, f"{sid} of {role} does not grant {action}"
            reduced.append({**statement, "Action": [a for a in actions if a != action]})
    assert len(reduced) == len(document["Statement"]) - (action is None), f"{role} has no statement {sid}"
    iam.put_role_policy(
        RoleName=role, PolicyName=policy_name, PolicyDocument=json.dumps({**document, "Statement": reduced})
    )
    try:
        yield f"arn:aws:sts::{config.ACCOUNT_ID}:assumed-role/{role}/"
    finally:
        iam.put_role_policy(RoleName=role, PolicyName=policy_name, PolicyDocument=json.dumps(document))


def _denied(action: str, resource: str) -> str:
    return f'is not authorized to perform: {action} on resource: "{resource}"'


def _next_failure_record(deployment: Deployment, *, timeout: float) -> dict[str, Any]:
    sqs = deployment.client("sqs")
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        messages = sqs.receive_message(
            QueueUrl=deployment.outputs["failure_queue_url"], MaxNumberOfMessages=1, WaitTimeSeconds=1
        ).get("Messages", [])
        if messages:
            return json.loads(messages[0]["Body"])
    raise AssertionError(f"no failed event reached the failure queue within {timeout} s")


def test_trigger_without_start_execution_fails_the_invocation_with_access_denied(
    deployment: Deployment,
) -> None:
    bucket = deployment.outputs["bucket_name"]
    event = {
        "Records": [
            {
                "eventSource": "aws:s3",
                "eventName": "ObjectCreated:Put",
                "s3": {
                    "bucket": {"name": bucket},
                    "object": {
                        "key": "input/direct.csv",
                        "size": 10,
                        "eTag": "0cc175b9c0f1b6a8",
                        "sequencer": "0A1",
                    },
                },
            }
        ]
    }
    with policy_without(deployment, "trigger", sid="StartPipelineRuns") as principal:
        response = deployment.client("lambda").invoke(
            FunctionName=deployment.outputs["trigger_function_name"], Payload=json.dumps(event).encode()
        )
        # An upload invokes the trigger asynchronously: after its retries, Lambda sends the event and the
        # error to the on-failure destination, with the function's role (its SendFailedEvents grant).
        deployment.client("s3").put_object(Bucket=bucket, Key="input/never-started.csv", Body=b"1,2\n")
        failure_record = _next_failure_record(deployment, timeout=90)
    error = json.loads(response["Payload"].read())
    assert response["FunctionError"] == "Unhandled"
    assert "AccessDeniedException" in error["errorMessage"]
    assert principal in error["errorMessage"]
    assert _denied("states:StartExecution", deployment.outputs["state_machine_arn"]) in error["errorMessage"]
    assert failure_record["requestContext"]["condition"] == "RetriesExhausted"
    assert failure_record["requestPayload"]["Records"][0]["s3"]["object"]["key"] == "input/never-started.csv"
    assert "AccessDeniedException" in failure_record["responsePayload"]["errorMessage"]


def test_glue_role_without_put_object_fails_the_job_run_with_access_denied(
    deployment: Deployment, upload: Callable[[str], RunResult]
) -> None:
    with policy_without(deployment, "glue", sid="WriteRunOutput", action="s3:PutObject") as principal:
        result = upload("glue-denied.csv")
    assert (result.status, result.error) == ("FAILED", "EtlFailed")
    job_run = json.loads(result.cause.split(": ", 1)[1])  # type: ignore[union-attr]
    assert job_run["JobRunState"] == "FAILED"
    message = job_run["ErrorMessage"]
    assert "AccessDenied" in message and principal in message
    run_id = result.run_input["run_id"]
    assert (
        f'perform: s3:PutObject on resource: "arn:aws:s3:::{deployment.outputs["bucket_name"]}/runs/{run_id}/'
        in message
    )


def test_state_machine_without_pass_role_fails_the_training_step_with_access_denied(
    deployment: Deployment, upload: Callable[[str], RunResult]
) -> None:
    with policy_without(deployment, "step_function", sid="PassSageMakerRole") as principal:
        result = upload("passrole-denied.csv")
    assert (result.status, result.error) == ("FAILED", "TrainingFailed")
    assert "SageMaker.AmazonSageMakerException" in result.cause  # type: ignore[operator]
    assert "AccessDeniedException" in result.cause and principal in result.cause  # type: ignore[operator]
    assert _denied("iam:PassRole", deployment.outputs["sagemaker_role_arn"]) in result.cause  # type: ignore[operator]


def test_sagemaker_role_without_read_access_fails_the_training_job_with_access_denied(
    deployment: Deployment, upload: Callable[[str], RunResult]
) -> None:
    with policy_without(deployment, "sagemaker", sid="ReadChannelsAndModels") as principal:
        result = upload("sagemaker-denied.csv")
    assert (result.status, result.error) == ("FAILED", "TrainingFailed")
    job_name = result.run_input["names"]["training_job"]
    job = deployment.client("sagemaker").describe_training_job(TrainingJobName=job_name)
    assert job["TrainingJobStatus"] == "Failed"
    reason = job["FailureReason"]
    assert reason.startswith("ClientError: Data download failed:") and principal in reason
    assert (
        f'perform: s3:GetObject on resource: "arn:aws:s3:::{deployment.outputs["bucket_name"]}/runs/'
        in reason
    )


def test_an_explicit_deny_in_the_bucket_policy_stops_the_glue_role(
    deployment: Deployment, upload: Callable[[str], RunResult]
) -> None:
    s3 = deployment.client("s3")
    bucket = deployment.outputs["bucket_name"]
    original = s3.get_bucket_policy(Bucket=bucket)["Policy"]
    document = json.loads(original)
    glue_role_arn = f"arn:aws:iam::{config.ACCOUNT_ID}:role/{deployment.role_name('glue')}"
    deny = {
        "Sid": "QuarantineInput",
        "Effect": "Deny",
        "Principal": {"AWS": glue_role_arn},
        "Action": "s3:GetObject",
        "Resource": f"arn:aws:s3:::{bucket}/input/*",
    }
    s3.put_bucket_policy(
        Bucket=bucket, Policy=json.dumps({**document, "Statement": [*document["Statement"], deny]})
    )
    try:
        result = upload("quarantined.csv")
    finally:
        s3.put_bucket_policy(Bucket=bucket, Policy=original)
    assert (result.status, result.error) == ("FAILED", "EtlFailed")
    message = json.loads(result.cause.split(": ", 1)[1])["ErrorMessage"]  # type: ignore[union-attr]
    assert "with an explicit deny in a resource-based policy" in message
    assert f'perform: s3:GetObject on resource: "arn:aws:s3:::{bucket}/input/quarantined.csv"' in message
