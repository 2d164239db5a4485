"""Constants and helpers shared by the trigger tests (fixtures are in conftest.py)."""

from __future__ import annotations

import json
from typing import Any

REGION = "us-east-1"
PIPELINE_NAME = "churn-xgboost"
PIPELINE_BUCKET = "churn-xgboost-123456789012-us-east-1"
INPUT_PREFIX = "input/"
RUNS_PREFIX = "runs/"
# A run layout as the module passes it (RUN_OUTPUTS); the trigger places it under each run's prefix.
RUN_OUTPUTS = {
    "train": "etl/train/",
    "validation": "etl/validation/",
    "rejected": "etl/rejected/",
    "manifest": "etl/manifest.json",
    "evaluation": "evaluation.json",
    "model": "model/",
}
PASS_DEFINITION = json.dumps({"StartAt": "Done", "States": {"Done": {"Type": "Pass", "End": True}}})


def make_bucket(s3: Any, name: str, *, versioned: bool) -> str:
    s3.create_bucket(Bucket=name)
    if versioned:
        s3.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Enabled"})
    return name


def executions(stepfunctions: Any, state_machine_arn: str) -> list[dict[str, Any]]:
    """Every execution of the state machine with its parsed input, by name."""
    listed = stepfunctions.list_executions(stateMachineArn=state_machine_arn)["executions"]
    described = [stepfunctions.describe_execution(executionArn=e["executionArn"]) for e in listed]
    return sorted(
        ({"name": d["name"], "arn": d["executionArn"], "input": json.loads(d["input"])} for d in described),
        key=lambda e: e["arn"],
    )


def log_lines(captured: str) -> list[dict[str, Any]]:
    """Every stdout line must be one JSON object: the log format is part of the interface."""
    return [json.loads(line) for line in captured.splitlines() if line]
