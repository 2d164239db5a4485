"""Starting the execution of an uploaded object's run, and recording the outcome.

Shared by an upload's run (the pipeline's state machine) and a scoring run (the scoring state machine):
the same StartExecution, summary entries and log lines, with `kind` ("scoring") naming the run in the
summary entries, the started event (`scoring_run_started`) and the messages ("scoring execution ...")."""

from __future__ import annotations

from typing import Any

from trigger.events import CreatedObject
from trigger.executions import start_execution
from trigger.logs import log
from trigger.run_input import execution_input


def start_run(
    obj: CreatedObject,
    *,
    run_id: str,
    execution: str,
    run_input: dict[str, Any],
    state_machine_arn: str,
    stepfunctions: Any,
    summary: dict[str, Any],
    kind: str | None = None,
) -> None:
    """Start execution `execution` of `state_machine_arn` for `obj`; add it to `summary["started"]`, or to
    `summary["duplicates"]` when the execution already exists, and log which."""
    outcome = start_execution(stepfunctions, state_machine_arn, execution, execution_input(run_input))
    source = {"bucket": obj.bucket, "key": obj.key, "version_id": obj.version_id}
    tagged = {"kind": kind} if kind is not None else {}
    what = f"{kind} execution" if kind is not None else "execution"
    if outcome.status == "started":
        summary["started"].append(
            {"run_id": run_id, **tagged, **source, "execution_arn": outcome.execution_arn}
        )
        log(
            "INFO",
            f"{kind}_run_started" if kind is not None else "run_started",
            f"started {what} {execution} for {obj.uri}",
            run_id=run_id,
            **source,
            size=obj.size,
            execution_arn=outcome.execution_arn,
        )
    else:
        summary["duplicates"].append({"run_id": run_id, **tagged, **source})
        log(
            "INFO",
            "run_already_started",
            f"{what} {execution} already exists for {obj.uri}: a repeated delivery of this upload",
            run_id=run_id,
            **source,
            detail=outcome.detail,
        )
