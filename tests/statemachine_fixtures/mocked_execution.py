"""Execute a state machine definition in moto's Step Functions interpreter with scripted Task results.

No service is called: each Task state takes its next scripted result (a response dict, or a Throw with an
error name and cause) from a per-state queue; the last entry repeats. This checks the definition's own
logic (paths, choices, retries, catches, intrinsic functions) on the interpreter the offline cloud uses.
It relies on moto internals (the interpreter's mocked-response mode, which moto 5.2.5 ships but does not
expose), so it is a test helper only.
"""

from __future__ import annotations

import collections
import datetime
import json
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from moto.stepfunctions.parser.api import ExecutionStatus
from moto.stepfunctions.parser.asl.component.common.error_name.custom_error_name import CustomErrorName
from moto.stepfunctions.parser.asl.component.common.error_name.error_name import ErrorName
from moto.stepfunctions.parser.asl.component.common.error_name.failure_event import (
    FailureEvent,
    FailureEventException,
)
from moto.stepfunctions.parser.asl.component.common.error_name.states_error_name import StatesErrorName
from moto.stepfunctions.parser.asl.component.state.exec.state_task import mock_eval_utils
from moto.stepfunctions.parser.asl.component.state.exec.state_task.service import (
    state_task_service_dynamodb,
    state_task_service_unsupported,
)
from moto.stepfunctions.parser.asl.component.state.exec.state_task.service.resource import ResourceCondition
from moto.stepfunctions.parser.asl.eval.environment import Environment
from moto.stepfunctions.parser.asl.utils import json_path
from moto.stepfunctions.parser.backend.execution import Execution
from moto.stepfunctions.parser.backend.state_machine import StateMachineInstance
from moto.stepfunctions.parser.mocking.mock_config import (
    MockedResponse,
    MockedResponseReturn,
    MockedResponseThrow,
)

ACCOUNT_ID = "123456789012"
REGION = "us-east-1"


@dataclass(frozen=True)
class Throw:
    error: str
    cause: str


@dataclass
class ExecutionResult:
    status: str
    output: Any
    error: str | None
    cause: str | None
    events: list[dict[str, Any]]

    def scheduled(self, resource: str) -> int:
        """How many times a Task with this resource (e.g. 'updateEndpoint') was called."""
        return sum(
            1
            for event in self.events
            if event["type"] == "TaskScheduled" and event["taskScheduledEventDetails"]["resource"] == resource
        )

    def sent(self, resource: str) -> list[dict[str, Any]]:
        """The parameters each Task with this resource was scheduled with, in order."""
        return [
            json.loads(event["taskScheduledEventDetails"]["parameters"])
            for event in self.events
            if event["type"] == "TaskScheduled" and event["taskScheduledEventDetails"]["resource"] == resource
        ]

    def entered(self) -> list[str]:
        return [
            event["stateEnteredEventDetails"]["name"]
            for event in self.events
            if "stateEnteredEventDetails" in event
        ]


class _Script:
    """Stands in for moto's MockTestCase: the interpreter only looks up `state_mocked_responses`."""

    def __init__(self, responses: Mapping[str, Sequence[Mapping[str, Any] | Throw]]):
        self.state_mocked_responses = {state: collections.deque(items) for state, items in responses.items()}

    def next_response(self, state: str) -> MockedResponse:
        queue = self.state_mocked_responses[state]
        item = queue.popleft() if len(queue) > 1 else queue[0]
        if isinstance(item, Throw):
            return MockedResponseThrow(0, 0, item.error, item.cause)
        return MockedResponseReturn(0, 0, json.loads(json.dumps(item)))


_moto_contains_slice_or_wildcard_array = json_path._contains_slice_or_wildcard_array


def _aws_empty_match_rule(path: str) -> bool:
    """AWS yields [] for a path with a filter that matches nothing; moto 5.2.5 raises States.Runtime."""
    return "[?(" in path or _moto_contains_slice_or_wildcard_array(path)


def _error_name(error: str) -> ErrorName:
    """Scripted failures may be States.* errors (a failed .sync job is States.TaskFailed)."""
    return StatesErrorName.from_name(error) if error.startswith("States.") else CustomErrorName(error)


StateTaskServiceDynamoDB = state_task_service_dynamodb.StateTaskServiceDynamoDB
_moto_dynamodb_from_error = StateTaskServiceDynamoDB._from_error


def _dynamodb_from_error(self: StateTaskServiceDynamoDB, env: Environment, ex: Exception) -> FailureEvent:
    """A scripted failure keeps its name: moto's DynamoDB integration would rename every non-ClientError
    (a scripted Throw included) to DynamoDB.AmazonDynamoDBException."""
    if isinstance(ex, FailureEventException):
        return ex.failure_event
    return _moto_dynamodb_from_error(self, env, ex)


def _scripted_response(environment: Environment) -> MockedResponse:
    return environment.mock_test_case.next_response(environment.next_state_name)


class _ScriptedExecution(Execution):
    def __init__(self, script: _Script, **kwargs: Any):
        super().__init__(**kwargs)
        self._script = script

    def _get_start_execution_worker(self):  # type: ignore[no-untyped-def]
        worker = super()._get_start_execution_worker()
        worker._mock_test_case = self._script
        return worker


def execute(
    monkeypatch: Any,
    definition: str,
    execution_input: Mapping[str, Any],
    responses: Mapping[str, Sequence[Mapping[str, Any] | Throw]],
    timeout_seconds: float = 60,
) -> ExecutionResult:
    """Run the definition to its end; `monkeypatch` (pytest's) undoes the interpreter patches afterwards."""
    # moto 5.2.5 routes sagemaker:* to a placeholder integration that refuses `.sync`; with scripted results
    # no sync polling happens, so let the parser accept the pattern.
    monkeypatch.setattr(
        state_task_service_unsupported,
        "_SUPPORTED_INTEGRATION_PATTERNS",
        {ResourceCondition.WaitForTaskToken, ResourceCondition.Sync},
    )
    monkeypatch.setattr(mock_eval_utils, "CustomErrorName", _error_name)
    monkeypatch.setattr(json_path, "_contains_slice_or_wildcard_array", _aws_empty_match_rule)
    monkeypatch.setattr(StateTaskServiceDynamoDB, "_from_error", _dynamodb_from_error)
    # The interpreter picks mocked responses by retry count; a queue per state also scripts loops.
    monkeypatch.setattr(Environment, "get_current_mocked_response", _scripted_response)

    arn = f"arn:aws:states:{REGION}:{ACCOUNT_ID}:stateMachine:pipeline"
    state_machine = StateMachineInstance(
        name="pipeline",
        arn=arn,
        definition=definition,
        role_arn=f"arn:aws:iam::{ACCOUNT_ID}:role/states",
        logging_config={},
    )
    execution = _ScriptedExecution(
        _Script(responses),
        name="test",
        sm_type=state_machine.sm_type,
        role_arn=state_machine.role_arn,
        exec_arn=f"arn:aws:states:{REGION}:{ACCOUNT_ID}:execution:pipeline:test",
        account_id=ACCOUNT_ID,
        region_name=REGION,
        state_machine=state_machine,
        start_date=datetime.datetime.now(tz=datetime.UTC),
        cloud_watch_logging_session=None,
        activity_store={},
        input_data=json.dumps(dict(execution_input)),
    )
    execution.start()
    deadline = time.monotonic() + timeout_seconds
    while execution.exec_status == ExecutionStatus.RUNNING:
        if time.monotonic() > deadline:
            execution.stop(datetime.datetime.now(tz=datetime.UTC), "Timeout", "test deadline")
            raise TimeoutError(f"execution still running after {timeout_seconds} s")
        time.sleep(0.02)
    events = [
        {key: (value.value if hasattr(value, "value") else value) for key, value in event.items()}
        for event in execution.exec_worker.env.event_manager.get_event_history()
    ]
    return ExecutionResult(
        status=execution.exec_status.value,
        output=execution.output,
        error=execution.error,
        cause=execution.cause,
        events=events,
    )
