"""Text and JSON output of the commands. Pure: every function takes what was read and returns a string."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from pipeline_cli.pipeline import Pipeline
from pipeline_cli.registry import ModelVersion, version_number
from pipeline_cli.runs import Run, Source
from pipeline_cli.serving import Role, Serving, role_of

EMPTY = "-"
# A failed run's cause goes on its own line under the run's row, so the table stays narrow.
CAUSE_INDENT = "    "


def table_lines(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    """The column titles and the rows, each column as wide as its widest cell."""
    widths = [max(len(row[column]) for row in [headers, *rows]) for column in range(len(headers))]
    return [
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        for row in [headers, *rows]
    ]


def utc_time(moment: datetime | None) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S") if moment else EMPTY


def first_line(text: str | None) -> str:
    return (text or "").strip().splitlines()[0] if (text or "").strip() else ""


def metric_text(version: ModelVersion) -> str:
    if version.metric_name is None:
        return EMPTY
    return f"{version.metric_name}={version.metric_value if version.metric_value is not None else '?'}"


def marker(version: ModelVersion, serving: Serving) -> str:
    role = role_of(version.arn, serving)
    if role is None:
        return ""
    if role is Role.SERVING and serving.status == "InService":
        return "<- serving"
    return f"<- {role.value} (endpoint {serving.status})"


def endpoint_sentence(serving: Serving, shown: Sequence[ModelVersion]) -> str:
    """What the endpoint serves, whether or not that version is among the ones shown."""
    name = serving.endpoint_name
    if serving.status is None:
        return f"endpoint {name}: does not exist yet, no version serves"
    parts = [f"endpoint {name}: {serving.status}"]
    number = version_number(serving.current_arn)
    current_role = role_of(serving.current_arn, serving) if serving.current_arn else None
    if number is not None and current_role is not None:
        if current_role is Role.NOT_SERVING:
            parts.append(f"not serving (its configuration has version {number})")
        else:
            parts.append(f"{current_role.value} version {number}")
        if all(version.number != number for version in shown):
            parts[-1] += " (not among those shown: raise --limit)"
    elif serving.note:
        parts.append(serving.note)
    pending = version_number(serving.pending_arn)
    if pending is not None:
        parts.append(f"deploying version {pending}")
    if serving.failure_reason:
        parts.append(f"last failure: {first_line(serving.failure_reason)}")
    return ", ".join(parts)


def versions_text(pipeline: Pipeline, serving: Serving, versions: Sequence[ModelVersion]) -> str:
    header = (
        f"pipeline {pipeline.name} in {pipeline.where}, approval mode {pipeline.approval_mode}\n"
        f"{endpoint_sentence(serving, versions)}"
    )
    if not versions:
        return f"{header}\nno model versions yet: no run has trained a model"
    rows = [
        [
            str(version.number),
            version.status,
            metric_text(version),
            utc_time(version.created),
            version.run_id or EMPTY,
            marker(version, serving),
        ]
        for version in versions
    ]
    return "\n".join(
        [header, *table_lines(["VERSION", "STATUS", "METRIC", "CREATED (UTC)", "RUN ID", ""], rows)]
    )


def _metric_value(value: str | None) -> float | str | None:
    """The metric as a number for machines; as stored when it is not one."""
    try:
        return float(value) if value is not None else None
    except ValueError:
        return value


def versions_json(pipeline: Pipeline, serving: Serving, versions: Sequence[ModelVersion]) -> str:
    document = {
        "pipeline": pipeline.name,
        "approval_mode": pipeline.approval_mode,
        "endpoint": {
            "name": serving.endpoint_name,
            "status": serving.status,
            "serving_model_package_arn": serving.current_arn,
            "serving_version": version_number(serving.current_arn),
            "pending_model_package_arn": serving.pending_arn,
            "pending_version": version_number(serving.pending_arn),
            "failure_reason": serving.failure_reason,
        },
        "versions": [
            {
                "version": version.number,
                "model_package_arn": version.arn,
                "approval_status": version.status,
                "metric": (
                    {"name": version.metric_name, "value": _metric_value(version.metric_value)}
                    if version.metric_name is not None
                    else None
                ),
                "created": version.created.isoformat(),
                "run_id": version.run_id,
                "training_job": version.training_job,
                "source_bucket": version.source_bucket,
                "gate_verdict": version.gate_verdict,
                "description": version.description,
                "approval_description": version.approval_description,
                "evaluation_uri": version.evaluation_uri,
                "endpoint_role": (role.value if (role := role_of(version.arn, serving)) else None),
            }
            for version in versions
        ],
    }
    return json.dumps(document, indent=2)


def source_text(run: Run) -> str:
    if run.source is not None:
        return _object_text(run.source)
    approved = version_number(run.approved_arn)
    if run.approved_arn:
        return (
            f"approval of version {approved}" if approved is not None else f"approval of {run.approved_arn}"
        )
    return EMPTY


def _object_text(source: Source) -> str:
    uri = f"s3://{source.bucket}/{source.key}"
    return f"{uri} (version {source.version_id})" if source.version_id else uri


def result_text(run: Run) -> str:
    """The outcome of a succeeded run, the error name of one that did not succeed."""
    if run.status == "SUCCEEDED":
        return run.outcome or EMPTY
    return run.error or EMPTY


def cause_line(run: Run) -> str | None:
    """The first line of a run's cause, whole: it names the step and why (the rest can be a page of JSON,
    which --json shows)."""
    if run.status == "SUCCEEDED":
        return None
    return first_line(run.cause) or None


def runs_text(pipeline: Pipeline, runs: Sequence[Run]) -> str:
    header = f"pipeline {pipeline.name} in {pipeline.where}, state machine {pipeline.state_machine_arn}"
    if not runs:
        return f"{header}\nno runs yet: upload a CSV to the pipeline's input prefix to start one"
    rows = [
        [
            run.run_id,
            utc_time(run.started),
            run.status,
            result_text(run),
            str(number) if (number := version_number(run.package_arn)) is not None else EMPTY,
            source_text(run),
        ]
        for run in runs
    ]
    titles, *lines = table_lines(
        ["RUN ID", "STARTED (UTC)", "STATUS", "OUTCOME / ERROR", "VERSION", "SOURCE"], rows
    )
    output = [header, titles]
    for run, line in zip(runs, lines, strict=True):
        cause = cause_line(run)
        output += [line, CAUSE_INDENT + cause] if cause else [line]
    return "\n".join(output)


def runs_json(pipeline: Pipeline, runs: Sequence[Run]) -> str:
    def run_document(run: Run) -> dict[str, Any]:
        return {
            "run_id": run.run_id,
            "execution_arn": run.execution_arn,
            "status": run.status,
            "started": run.started.isoformat(),
            "stopped": run.stopped.isoformat() if run.stopped else None,
            "outcome": run.outcome,
            "error": run.error,
            "cause": run.cause,
            "source": (
                {"bucket": run.source.bucket, "key": run.source.key, "version_id": run.source.version_id}
                if run.source
                else None
            ),
            "approved_model_package_arn": run.approved_arn,
            "model_package_arn": run.package_arn,
            "version": version_number(run.package_arn),
            "metric": dict(run.metric) if run.metric is not None else None,
        }

    return json.dumps(
        {
            "pipeline": pipeline.name,
            "state_machine_arn": pipeline.state_machine_arn,
            "runs": [run_document(run) for run in runs],
        },
        indent=2,
    )
