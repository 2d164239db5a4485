"""`mlops-pipeline runs` against the local cloud: the state machine's executions, newest first, with their
outcome or error, the source object or the approval that started them, and the model version."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import dataclass

import pytest

from pipeline_cli.render import CAUSE_INDENT
from tests.pipeline_cli.cli_world import World
from tests.pipeline_cli.conftest import Result


@dataclass(frozen=True)
class Ran:
    name: str
    bucket: str
    versions: list[str]


def _summary(outcome: str, arn: str | None, **extra: object) -> dict[str, object]:
    """A run's output as the state machine writes it (with the run id)."""
    return {"outcome": outcome, "model_package_arn": arn, **extra}


@pytest.fixture(scope="module")
def ran(world: World) -> Ran:
    """Six runs, oldest first: deployed, superseded, failed at the gate, awaiting approval, deployed by an
    approval, and one aborted while it ran."""
    name = world.pipeline(f"runs-{os.urandom(4).hex()}", approval_mode="manual")
    versions = [
        world.register(name, "Approved", "data-1111111111"),
        world.register(name, "Approved", "data-2222222222"),
        world.register(name, "Rejected", "data-3333333333", "0.4"),
        world.register(name, "PendingManualApproval", "data-4444444444"),
    ]
    metric = {"name": "validation:error", "value": 0.0533}

    def upload(number: int, versioned: bool = True) -> dict[str, object]:
        version_id = f"v{number}" * 4 if versioned else None
        return {"bucket": world.bucket, "key": f"input/day {number}.csv", "version_id": version_id}

    def succeed(run_id: str, started_by: dict[str, object], output: dict[str, object]) -> None:
        world.run(name, run_id, {**started_by, "test": {"output": {"run_id": run_id, **output}}})

    succeed("data-1111111111", {"source": upload(1)}, _summary("Deployed", versions[0], metric=metric))
    succeed("data-2222222222", {"source": upload(2)}, _summary("Superseded", versions[1], metric=metric))
    cause = (
        f"Version {versions[2]} failed the quality gate: validation:error = 0.4, required LessThan 0.1\n"
        "training job runs--data-3333333333"
    )
    world.run(
        name,
        "data-3333333333",
        {"source": upload(3), "test": {"fail": {"error": "ModelRejected", "cause": cause}}},
    )
    succeed(
        "data-4444444444",
        {"source": upload(4, versioned=False)},
        _summary("AwaitingApproval", versions[3], metric=metric),
    )
    approval = {"kind": "approval", "model_package_arn": versions[3]}
    succeed(
        "approved-v4-0123456789",
        {"started_by": approval},
        _summary("Deployed", versions[3], metric=None, started_by=approval),
    )
    waiting = world.run(name, "data-5555555555", {"source": upload(5), "test": {"wait": True}})
    world.stepfunctions.stop_execution(executionArn=waiting)
    return Ran(name, world.bucket, versions)


def _rows(out: str) -> dict[str, list[str]]:
    """Each row's cells by run id (the columns are separated by two or more spaces); a cause line under a
    row is its last cell."""
    rows: dict[str, list[str]] = {}
    for line in out.splitlines()[2:]:
        if line.startswith(CAUSE_INDENT):
            rows[next(reversed(rows))].append(line)
        else:
            cells = [cell.strip() for cell in line.split("  ") if cell]
            rows[cells[0]] = cells
    return rows


def test_runs_newest_first_with_outcome_or_error_source_and_version(
    cli: Callable[..., Result], world: World, ran: Ran
) -> None:
    result = cli("runs", "--pipeline", ran.name)

    assert (result.code, result.err) == (0, "")
    assert result.out.splitlines()[0].endswith(f"state machine {world.state_machines[ran.name]}")
    rows = _rows(result.out)
    assert list(rows) == [
        "data-5555555555",
        "approved-v4-0123456789",
        "data-4444444444",
        "data-3333333333",
        "data-2222222222",
        "data-1111111111",
    ]
    bucket = ran.bucket
    # [run id, started, status, outcome or error, version, source]
    assert rows["data-1111111111"][2:] == [
        "SUCCEEDED",
        "Deployed",
        "1",
        f"s3://{bucket}/input/day 1.csv (version v1v1v1v1)",
    ]
    assert rows["data-2222222222"][2:5] == ["SUCCEEDED", "Superseded", "2"]
    # The version is the one the cause names; the cause's first line follows the row.
    assert rows["data-3333333333"][2:] == [
        "FAILED",
        "ModelRejected",
        "3",
        f"s3://{bucket}/input/day 3.csv (version v3v3v3v3)",
        f"    Version {ran.versions[2]} failed the quality gate: validation:error = 0.4, "
        "required LessThan 0.1",
    ]
    assert rows["data-4444444444"][2:] == [
        "SUCCEEDED",
        "AwaitingApproval",
        "4",
        f"s3://{bucket}/input/day 4.csv",
    ]
    assert rows["approved-v4-0123456789"][2:] == ["SUCCEEDED", "Deployed", "4", "approval of version 4"]
    assert rows["data-5555555555"][2:] == [
        "ABORTED",
        "-",
        "-",
        f"s3://{bucket}/input/day 5.csv (version v5v5v5v5)",
    ]


def test_limit(cli: Callable[..., Result], ran: Ran) -> None:
    result = cli("runs", "--pipeline", ran.name, "--limit", "2")

    assert result.code == 0
    assert list(_rows(result.out)) == ["data-5555555555", "approved-v4-0123456789"]


def test_json_output_keeps_the_whole_cause(cli: Callable[..., Result], ran: Ran) -> None:
    result = cli("runs", "--pipeline", ran.name, "--json")

    assert result.code == 0
    runs = {run["run_id"]: run for run in json.loads(result.out)["runs"]}
    failed = runs["data-3333333333"]
    assert (failed["status"], failed["error"], failed["version"]) == ("FAILED", "ModelRejected", 3)
    assert failed["cause"].endswith("\ntraining job runs--data-3333333333")
    assert runs["data-1111111111"]["metric"] == {"name": "validation:error", "value": 0.0533}
    assert runs["data-1111111111"]["source"] == {
        "bucket": ran.bucket,
        "key": "input/day 1.csv",
        "version_id": "v1v1v1v1",
    }
    assert runs["approved-v4-0123456789"]["approved_model_package_arn"] == ran.versions[3]
    assert runs["approved-v4-0123456789"]["source"] is None


def test_a_pipeline_that_never_ran(cli: Callable[..., Result], world: World) -> None:
    name = world.pipeline(f"idle-{os.urandom(4).hex()}")

    result = cli("runs", "--pipeline", name)

    assert result.code == 0
    assert (
        result.out.splitlines()[1] == "no runs yet: upload a CSV to the pipeline's input prefix to start one"
    )
