"""`mlops-pipeline approve` / `reject` against the local cloud: the registry changes as asked, nothing changes
when the version already has that status, and the output says what happens next for the pipeline's mode."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

import pytest

from tests.pipeline_cli.cli_world import World
from tests.pipeline_cli.conftest import Result


def _name(prefix: str) -> str:
    return f"{prefix}-{os.urandom(4).hex()}"


def _described(world: World, arn: str) -> dict[str, Any]:
    return world.sagemaker.describe_model_package(ModelPackageName=arn)


@pytest.fixture(scope="module")
def caller_arn(aws: Callable[[str], Any]) -> str:
    return aws("sts").get_caller_identity()["Arn"]


def test_approving_in_manual_mode_says_the_approval_rule_deploys_exactly_that_version(
    cli: Callable[..., Result], world: World, caller_arn: str
) -> None:
    name = world.pipeline(_name("manual"), approval_mode="manual")
    world.register(name, "Approved", "run-1111111111")
    pending = world.register(name, "PendingManualApproval", "run-2222222222", "0.04")

    result = cli("approve", "--pipeline", name, "--version", "2")

    assert (result.code, result.err) == (0, "")
    described = _described(world, pending)
    assert described["ModelApprovalStatus"] == "Approved"
    assert described["ApprovalDescription"] == f"Approved with mlops-pipeline by {caller_arn}"
    lines = result.out.splitlines()
    assert lines[0] == (
        f"Version 2 of {name}: PendingManualApproval -> Approved "
        f"(Approved with mlops-pipeline by {caller_arn})."
    )
    assert f"starts a run that deploys exactly version 2 to endpoint {name}-endpoint" in lines[1]
    assert lines[2].startswith(
        f"Follow it with: mlops-pipeline runs --pipeline {name} --endpoint-url http://"
    )


def test_approving_in_auto_mode_says_it_deploys_nothing_and_how_to_switch(
    cli: Callable[..., Result], world: World
) -> None:
    name = world.pipeline(_name("auto"), approval_mode="auto")
    rejected = world.register(name, "Rejected", "run-1111111111", "0.2")

    result = cli("approve", "--pipeline", name, "--version", "1", "--reason", "0.2 is fine for this segment")

    assert result.code == 0
    described = _described(world, rejected)
    assert described["ModelApprovalStatus"] == "Approved"
    assert described["ApprovalDescription"] == "0.2 is fine for this segment"
    assert "Approval mode auto: approving a version does not deploy it" in result.out
    assert "mlops-pipeline:approval-mode=manual" in result.out
    assert "Follow it with" not in result.out


@pytest.mark.parametrize(("command", "status"), [("approve", "Approved"), ("reject", "Rejected")])
def test_a_version_that_already_has_the_status_is_left_alone(
    cli: Callable[..., Result], world: World, command: str, status: str
) -> None:
    name = world.pipeline(_name("already"))
    arn = world.register(name, status, "run-1111111111")
    before = _described(world, arn)

    result = cli(command, "--pipeline", name, "--version", "1", "--reason", "again")

    assert result.code == 0
    assert result.out.strip() == f"Version 1 of {name} is already {status}; nothing changed."
    after = _described(world, arn)
    assert "ApprovalDescription" not in after
    assert after.get("LastModifiedTime") == before.get("LastModifiedTime")


def test_rejecting_the_serving_version_warns_that_it_stays_deployed(
    cli: Callable[..., Result], world: World
) -> None:
    name = world.pipeline(_name("serving"), approval_mode="auto")
    serving = world.register(name, "Approved", "run-1111111111")
    world.deploy(name, serving)
    config_before = world.sagemaker.describe_endpoint(EndpointName=f"{name}-endpoint")["EndpointConfigName"]

    result = cli("reject", "--pipeline", name, "--version", "1", "--reason", "drift in the new segment")

    assert result.code == 0
    assert _described(world, serving)["ModelApprovalStatus"] == "Rejected"
    assert result.out.splitlines()[1] == (
        f"Warning: endpoint {name}-endpoint serves version 1; rejecting it does not undeploy it. "
        "To replace it, upload new data: a run whose model passes the quality gate deploys it."
    )
    endpoint = world.sagemaker.describe_endpoint(EndpointName=f"{name}-endpoint")
    assert (endpoint["EndpointStatus"], endpoint["EndpointConfigName"]) == ("InService", config_before)


def test_rejecting_a_version_that_does_not_serve(cli: Callable[..., Result], world: World) -> None:
    name = world.pipeline(_name("pending"))
    pending = world.register(name, "PendingManualApproval", "run-1111111111")

    result = cli("reject", "--pipeline", name, "--version", "1")

    assert result.code == 0
    assert _described(world, pending)["ModelApprovalStatus"] == "Rejected"
    assert result.out.splitlines()[1] == (
        f"Endpoint {name}-endpoint does not serve version 1; nothing else changes."
    )


def test_a_version_that_does_not_exist_lists_the_ones_that_do(
    cli: Callable[..., Result], world: World
) -> None:
    name = world.pipeline(_name("missing"))
    arns = [world.register(name, "PendingManualApproval", f"run-{n}000000000") for n in range(1, 4)]

    result = cli("approve", "--pipeline", name, "--version", "7")

    assert (result.code, result.out) == (2, "")
    assert result.err == f"mlops-pipeline: pipeline {name} has no version 7; its versions are 1-3\n"
    assert {_described(world, arn)["ModelApprovalStatus"] for arn in arns} == {"PendingManualApproval"}


def test_a_pipeline_without_versions(cli: Callable[..., Result], world: World) -> None:
    name = world.pipeline(_name("empty"))

    result = cli("reject", "--pipeline", name, "--version", "1")

    assert result.code == 2
    assert "has no model versions yet" in result.err


def test_a_reason_longer_than_sagemaker_keeps_is_refused_before_any_call(
    cli: Callable[..., Result], world: World
) -> None:
    name = world.pipeline(_name("reason"))
    arn = world.register(name, "PendingManualApproval", "run-1111111111")

    result = cli("approve", "--pipeline", name, "--version", "1", "--reason", "x" * 1025)

    assert result.code == 2
    assert "--reason is 1025 characters; SageMaker keeps at most 1024" in result.err
    assert _described(world, arn)["ModelApprovalStatus"] == "PendingManualApproval"
