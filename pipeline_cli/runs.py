"""A pipeline's runs: its state machine's executions, with what each started from and what it produced.

An upload's run names its source object in the execution input (`source`); a run started by an approval
names the approved version in `started_by`. A finished run's outcome and model version are in its output;
a failed one has only the error and cause, where the pipeline names the version it registered (a version
the quality gate rejected, for example).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

_MODEL_PACKAGE_ARN = re.compile(r"arn:aws[a-z-]*:sagemaker:[a-z0-9-]+:\d{12}:model-package/[^/\s\"',]+/\d+")


@dataclass(frozen=True)
class Source:
    bucket: str
    key: str
    version_id: str | None


@dataclass(frozen=True)
class Run:
    run_id: str
    execution_arn: str
    status: str
    started: datetime
    stopped: datetime | None
    outcome: str | None
    error: str | None
    cause: str | None
    source: Source | None
    approved_arn: str | None  # the version whose approval started the run
    package_arn: str | None  # the version the run registered or deployed
    metric: Mapping[str, Any] | None


def _json_object(text: str | None) -> dict[str, Any]:
    """An execution's input or output as an object; {} when absent or not an object (redacted, truncated)."""
    try:
        value = json.loads(text or "{}")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def _source(run_input: Mapping[str, Any]) -> Source | None:
    source = run_input.get("source")
    if not isinstance(source, Mapping) or not source.get("bucket") or not source.get("key"):
        return None
    return Source(bucket=source["bucket"], key=source["key"], version_id=source.get("version_id"))


def _approved_arn(*documents: Mapping[str, Any]) -> str | None:
    for document in documents:
        started_by = document.get("started_by")
        if isinstance(started_by, Mapping) and started_by.get("kind") == "approval":
            return started_by.get("model_package_arn")
    return None


def run_from_execution(execution: Mapping[str, Any]) -> Run:
    """A run from DescribeExecution's answer."""
    run_input = _json_object(execution.get("input"))
    output = _json_object(execution.get("output"))
    cause = execution.get("cause")
    approved = _approved_arn(output, run_input)
    in_cause = _MODEL_PACKAGE_ARN.search(cause or "")
    metric = output.get("metric")
    return Run(
        run_id=execution["name"],
        execution_arn=execution["executionArn"],
        status=execution["status"],
        started=execution["startDate"],
        stopped=execution.get("stopDate"),
        outcome=output.get("outcome"),
        error=execution.get("error"),
        cause=cause,
        source=_source(run_input),
        approved_arn=approved,
        package_arn=output.get("model_package_arn") or approved or (in_cause[0] if in_cause else None),
        metric=metric if isinstance(metric, Mapping) else None,
    )


def recent_runs(stepfunctions: Any, state_machine_arn: str, limit: int) -> list[Run]:
    """The newest `limit` runs, newest first."""
    pages = stepfunctions.get_paginator("list_executions").paginate(
        stateMachineArn=state_machine_arn, PaginationConfig={"MaxItems": limit, "PageSize": min(limit, 1000)}
    )
    listed = [execution for page in pages for execution in page["executions"]]
    runs = [
        run_from_execution(stepfunctions.describe_execution(executionArn=execution["executionArn"]))
        for execution in listed
    ]
    return sorted(runs, key=lambda run: run.started, reverse=True)
