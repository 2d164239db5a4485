"""`mlops-pipeline versions` against the local cloud: a pipeline's versions with their provenance, and which
one its endpoint serves (or deploys), read through the endpoint, its config and the model's package."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass

import pytest

from localcloud import config
from localcloud.server import LocalCloud
from tests.pipeline_cli.cli_world import World
from tests.pipeline_cli.conftest import AWS_ENVIRONMENT, Result


@dataclass(frozen=True)
class Deployed:
    name: str
    arns: list[str]


def _rows(out: str) -> dict[str, str]:
    """The table's rows by version number (after the two header lines and the column titles)."""
    return {line.split()[0]: line for line in out.splitlines()[3:]}


@pytest.fixture(scope="module")
def churn(world: World) -> Deployed:
    """Versions 1 (Approved, serving), 2 (Rejected by the gate), 3 (pending), 4 (no quality gate)."""
    name = world.pipeline(f"churn-{os.urandom(4).hex()}", approval_mode="manual")
    arns = [
        world.register(name, "Approved", "churn-data-1111111111", "0.0533"),
        world.register(name, "Rejected", "churn-data-2222222222", "0.31"),
        world.register(name, "PendingManualApproval", "churn-data-3333333333", "0.04"),
        world.register(name, "Approved", "churn-data-4444444444", metric_value=None),
    ]
    world.deploy(name, arns[0])
    return Deployed(name, arns)


def test_versions_newest_first_with_status_metric_run_and_the_serving_one(
    cli: Callable[..., Result], churn: Deployed
) -> None:
    result = cli("versions", "--pipeline", churn.name)

    assert (result.code, result.err) == (0, "")
    lines = result.out.splitlines()
    assert lines[0].startswith(f"pipeline {churn.name} in us-east-1 at http://127.0.0.1:")
    assert lines[0].endswith("approval mode manual")
    assert lines[1] == f"endpoint {churn.name}-endpoint: InService, serving version 1"
    assert lines[2].split() == ["VERSION", "STATUS", "METRIC", "CREATED", "(UTC)", "RUN", "ID"]
    rows = _rows(result.out)
    assert list(rows) == ["4", "3", "2", "1"]
    assert rows["1"].split()[1:3] == ["Approved", "validation:error=0.0533"]
    assert rows["1"].endswith("churn-data-1111111111  <- serving")
    assert rows["2"].split()[1:3] == ["Rejected", "validation:error=0.31"]
    assert rows["3"].split()[1:3] == ["PendingManualApproval", "validation:error=0.04"]
    assert rows["4"].split()[1:3] == ["Approved", "-"]
    assert [number for number, row in rows.items() if "<-" in row] == ["1"]


def test_limit_shows_the_newest_and_still_names_the_serving_version(
    cli: Callable[..., Result], churn: Deployed
) -> None:
    result = cli("versions", "--pipeline", churn.name, "--limit", "2")

    assert result.code == 0
    assert list(_rows(result.out)) == ["4", "3"]
    assert "serving version 1 (not among those shown: raise --limit)" in result.out


def test_json_output(cli: Callable[..., Result], churn: Deployed) -> None:
    result = cli("versions", "--pipeline", churn.name, "--json")

    assert result.code == 0
    document = json.loads(result.out)
    assert document["pipeline"] == churn.name
    assert document["approval_mode"] == "manual"
    assert document["endpoint"] == {
        "name": f"{churn.name}-endpoint",
        "status": "InService",
        "serving_model_package_arn": churn.arns[0],
        "serving_version": 1,
        "pending_model_package_arn": None,
        "pending_version": None,
        "failure_reason": None,
    }
    versions = {version["version"]: version for version in document["versions"]}
    assert list(versions) == [4, 3, 2, 1]
    assert versions[2]["metric"] == {"name": "validation:error", "value": 0.31}
    assert versions[2]["approval_status"] == "Rejected"
    assert (
        versions[2]["description"]
        == "Failed the quality gate: validation:error = 0.31, required LessThan 0.1"
    )
    assert versions[2]["training_job"] == f"{churn.name}--churn-data-2222222222"
    assert versions[4]["metric"] is None
    assert [version["endpoint_role"] for version in document["versions"]] == [None, None, None, "serving"]


def test_before_the_first_deployment_no_version_serves(cli: Callable[..., Result], world: World) -> None:
    name = world.pipeline(f"fresh-{os.urandom(4).hex()}", approval_mode="auto")
    world.register(name, "Approved", "fresh-1234567890")

    result = cli("versions", "--pipeline", name)

    assert result.code == 0
    assert result.out.splitlines()[1] == f"endpoint {name}-endpoint: does not exist yet, no version serves"
    assert "<-" not in result.out


def test_during_an_update_shows_the_serving_and_the_deploying_version(
    cli: Callable[..., Result], world: World
) -> None:
    name = world.pipeline(f"update-{os.urandom(4).hex()}")
    first = world.register(name, "Approved", "update-1111111111")
    second = world.register(name, "Approved", "update-2222222222")
    world.deploy(name, first)
    world.start_slow_update(name, second)  # stays Updating for its 10-minute bake

    result = cli("versions", "--pipeline", name)

    assert result.code == 0
    assert result.out.splitlines()[1] == (
        f"endpoint {name}-endpoint: Updating, serving version 1, deploying version 2"
    )
    rows = _rows(result.out)
    assert rows["1"].endswith("<- serving (endpoint Updating)")
    assert rows["2"].endswith("<- deploying (endpoint Updating)")


def test_python_dash_m_runs_the_cli(local_cloud: LocalCloud, churn: Deployed) -> None:
    environment = {name: value for name, value in os.environ.items() if name not in AWS_ENVIRONMENT}
    environment |= {"AWS_EC2_METADATA_DISABLED": "true", "AWS_CONFIG_FILE": os.devnull}
    environment |= {"AWS_SHARED_CREDENTIALS_FILE": os.devnull}
    command = ["versions", "--pipeline", churn.name, "--endpoint-url", local_cloud.endpoint_url]
    completed = subprocess.run(
        [sys.executable, "-m", "pipeline_cli", *command],
        capture_output=True,
        text=True,
        timeout=60,
        env=environment,
        cwd=config.PROJECT_ROOT,
    )
    assert completed.returncode == 0, completed.stderr
    assert f"pipeline {churn.name} in us-east-1 at {local_cloud.endpoint_url}" in completed.stdout
    assert "<- serving" in completed.stdout
