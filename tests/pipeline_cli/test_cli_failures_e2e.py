"""What a person sees when the CLI cannot do what was asked: a wrong pipeline name, a group an older module
left untagged, credentials that may not read the registry, no credentials, a cloud that does not answer.
One line on stderr each, never a traceback; exit 2 for what the user asked, 1 for the environment."""

from __future__ import annotations

import json
import os
import socket
from collections.abc import Callable
from typing import Any

import pytest

from localcloud.iam import role_sessions
from localcloud.server import LocalCloud
from pipeline_cli.pipeline import APPROVAL_MODE_TAG, ENDPOINT_TAG
from tests.pipeline_cli.cli_world import World
from tests.pipeline_cli.conftest import Result


def _one_line(result: Result) -> str:
    assert result.out == ""
    assert "Traceback" not in result.err
    assert result.err.count("\n") == 1, result.err
    return result.err.rstrip("\n")


@pytest.fixture(scope="module")
def fraud(world: World) -> str:
    return world.pipeline(f"fraud-detector-{os.urandom(4).hex()}")


@pytest.mark.parametrize("command", ["versions", "runs", "approve", "reject"])
def test_a_wrong_pipeline_name_lists_the_closest_names(
    cli: Callable[..., Result], local_cloud: LocalCloud, fraud: str, command: str
) -> None:
    mistyped = fraud.replace("detector", "detectr")
    version = ["--version", "1"] if command in ("approve", "reject") else []

    result = cli(command, "--pipeline", mistyped, *version)

    assert result.code == 2
    line = _one_line(result)
    assert line.startswith(
        f"mlops-pipeline: no pipeline named {mistyped} in us-east-1 at {local_cloud.endpoint_url}: "
        f"no model package group {mistyped} (closest names: {fraud}"
    )


def test_a_name_no_group_can_have_is_not_found_either(cli: Callable[..., Result], fraud: str) -> None:
    result = cli("versions", "--pipeline", "fraud_detector")

    assert result.code == 2
    assert "no pipeline named fraud_detector in us-east-1" in _one_line(result)


def test_a_group_an_older_module_did_not_tag(
    cli: Callable[..., Result], local_cloud: LocalCloud, world: World
) -> None:
    name = f"old-{os.urandom(4).hex()}"
    world.sagemaker.create_model_package_group(ModelPackageGroupName=name)

    result = cli("versions", "--pipeline", name)

    assert result.code == 2
    assert _one_line(result) == (
        f"mlops-pipeline: pipeline {name} in us-east-1 at {local_cloud.endpoint_url}: model package group "
        f"{name} has no tag mlops-pipeline:endpoint-name, mlops-pipeline:state-machine-arn, "
        "mlops-pipeline:approval-mode; it was deployed by an older version of the mlops_pipeline module, "
        "which did not tag it: apply the current module (terraform apply) and try again"
    )


def test_a_group_missing_one_tag_names_only_that_one(cli: Callable[..., Result], world: World) -> None:
    name = world.pipeline(
        f"partial-{os.urandom(4).hex()}", tags={ENDPOINT_TAG: "partial-endpoint", APPROVAL_MODE_TAG: "auto"}
    )

    result = cli("runs", "--pipeline", name)

    assert result.code == 2
    assert "has no tag mlops-pipeline:state-machine-arn;" in _one_line(result)


def test_an_unknown_approval_mode(cli: Callable[..., Result], world: World) -> None:
    name = f"mode-{os.urandom(4).hex()}"
    world.pipeline(name)
    arn = world.sagemaker.describe_model_package_group(ModelPackageGroupName=name)["ModelPackageGroupArn"]
    world.sagemaker.add_tags(ResourceArn=arn, Tags=[{"Key": APPROVAL_MODE_TAG, "Value": "sometimes"}])

    result = cli("approve", "--pipeline", name, "--version", "1")

    assert result.code == 2
    assert "tag mlops-pipeline:approval-mode is 'sometimes', expected one of auto, manual" in _one_line(
        result
    )


def test_access_denied_is_one_line_naming_the_call(
    cli: Callable[..., Result], aws: Callable[[str], Any], fraud: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The local cloud enforces IAM for role sessions: the CLI runs with the credentials of a role that may
    read nothing of SageMaker, taken from the environment as boto3 takes them."""
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Service": "sagemaker.amazonaws.com"},
                "Action": "sts:AssumeRole",
            }
        ],
    }
    role_name = f"pipeline-cli-reader-{os.urandom(4).hex()}"
    role_arn = aws("iam").create_role(RoleName=role_name, AssumeRolePolicyDocument=json.dumps(trust))["Role"][
        "Arn"
    ]
    session = role_sessions.assume_role_as_service(role_arn, "sagemaker.amazonaws.com", "person")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", session.access_key_id)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", session.secret_access_key)
    monkeypatch.setenv("AWS_SESSION_TOKEN", session.session_token)

    result = cli("versions", "--pipeline", fraud)

    assert result.code == 1
    line = _one_line(result)
    assert line.startswith("mlops-pipeline: access denied calling DescribeModelPackageGroup: ")
    assert session.arn in line


def test_an_endpoint_that_does_not_answer(cli: Callable[..., Result]) -> None:
    with socket.socket() as probe:  # a port nothing listens on once the probe is closed
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = f"http://127.0.0.1:{port}"

    result = cli("versions", "--pipeline", "churn", endpoint_url=url)

    assert result.code == 1
    line = _one_line(result)
    assert line.startswith(f"mlops-pipeline: cannot reach {url} (")
    assert line.endswith("is the local cloud running? (.venv/bin/python -m localcloud start)")


def test_no_credentials_against_aws(cli: Callable[..., Result]) -> None:
    """Without --endpoint-url the local cloud's test credentials never stand in: the call fails before it
    leaves the machine."""
    result = cli("versions", "--pipeline", "churn", "--region", "eu-west-1", endpoint_url=None)

    assert result.code == 1
    assert _one_line(result).startswith(
        "mlops-pipeline: no usable AWS credentials (Unable to locate credentials)"
    )


def test_no_region_against_aws(cli: Callable[..., Result]) -> None:
    result = cli("runs", "--pipeline", "churn", endpoint_url=None)

    assert result.code == 2
    assert _one_line(result) == (
        "mlops-pipeline: no AWS region: pass --region, set AWS_REGION, or set a region in your AWS profile"
    )
