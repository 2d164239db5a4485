"""Starting the Step Functions execution of a run, idempotently."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from botocore.exceptions import ClientError

ALREADY_EXISTS = "ExecutionAlreadyExists"


@dataclass(frozen=True)
class StartOutcome:
    status: Literal["started", "duplicate"]
    execution_arn: str | None
    detail: str | None = None


def start_execution(stepfunctions: Any, state_machine_arn: str, name: str, input_json: str) -> StartOutcome:
    """Start execution `name`; an execution that already has this name counts as this run.

    Step Functions returns the existing execution for the same name and input while it is open,
    and raises ExecutionAlreadyExists once it has closed (or if the input differs). The name is
    derived from the upload's identity, so both mean this upload already has its run. Any other
    error propagates so that Lambda retries the event.
    """
    try:
        response = stepfunctions.start_execution(
            stateMachineArn=state_machine_arn, name=name, input=input_json
        )
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") != ALREADY_EXISTS:
            raise
        return StartOutcome(
            status="duplicate",
            execution_arn=None,
            detail=error.response.get("Error", {}).get("Message"),
        )
    return StartOutcome(status="started", execution_arn=response["executionArn"])
