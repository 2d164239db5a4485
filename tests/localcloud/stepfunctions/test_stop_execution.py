"""StopExecution answers once the execution is ABORTED: DescribeExecution and ListExecutions read it at once,
even for an execution stopped the moment it started."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any


def test_an_execution_stopped_as_it_starts_reads_aborted_at_once(
    aws: Callable[[str], Any], role_arn: str, unique_name: str
) -> None:
    sfn = aws("stepfunctions")
    waits = {"StartAt": "Wait", "States": {"Wait": {"Type": "Wait", "Seconds": 600, "End": True}}}
    machine = sfn.create_state_machine(name=unique_name, roleArn=role_arn, definition=json.dumps(waits))
    for number in range(20):
        arn = sfn.start_execution(stateMachineArn=machine["stateMachineArn"], name=f"run-{number}")[
            "executionArn"
        ]
        sfn.stop_execution(executionArn=arn, error="Stopped", cause="by the test")
        described = sfn.describe_execution(executionArn=arn)
        assert described["status"] == "ABORTED", (number, described)
        assert "stopDate" in described
        (listed,) = [
            execution
            for execution in sfn.list_executions(stateMachineArn=machine["stateMachineArn"])["executions"]
            if execution["executionArn"] == arn
        ]
        assert listed["status"] == "ABORTED", (number, listed)


def test_stopping_a_finished_execution_leaves_its_status(
    aws: Callable[[str], Any], role_arn: str, unique_name: str
) -> None:
    sfn = aws("stepfunctions")
    passes = {"StartAt": "Done", "States": {"Done": {"Type": "Pass", "End": True}}}
    machine = sfn.create_state_machine(name=unique_name, roleArn=role_arn, definition=json.dumps(passes))
    arn = sfn.start_execution(stateMachineArn=machine["stateMachineArn"], name="finished")["executionArn"]
    deadline = time.monotonic() + 30
    while sfn.describe_execution(executionArn=arn)["status"] == "RUNNING" and time.monotonic() < deadline:
        time.sleep(0.05)
    sfn.stop_execution(executionArn=arn)
    assert sfn.describe_execution(executionArn=arn)["status"] == "SUCCEEDED"
