"""Step Functions sends a "Step Functions Execution Status Change" event for every status change.

As the Step Functions Developer Guide describes ("EventBridge (CloudWatch Events) for Step Functions
execution status changes"), for Standard workflows only (Express workflows send none): `RUNNING` when an
execution starts, then `SUCCEEDED`, `FAILED` (with the error and cause of the failing state, e.g. a `Fail`
state's), `TIMED_OUT` or `ABORTED` (StopExecution). Source `aws.states`, resources `[executionArn]`, and
the detail DescribeExecution gives: `executionArn`, `stateMachineArn`, `name`, `status`, `startDate` and
`stopDate` (epoch milliseconds; `stopDate` null while running), `input` (JSON text), `inputDetails`,
`output` (JSON text, null unless succeeded), `outputDetails`, `error` and `cause` (null unless set).

moto's interpreter sets the status in two places, both wrapped here: `Execution.start` (RUNNING; the event
is emitted before the worker thread starts, so it always precedes the final one) and
`BaseExecutionWorkerCommunication.terminated`, which records the final status when the program ends.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any

from moto.stepfunctions.parser.api import ExecutionStatus, StateMachineType
from moto.stepfunctions.parser.asl.utils.encoding import to_json_str
from moto.stepfunctions.parser.backend.execution import BaseExecutionWorkerCommunication, Execution

from localcloud import patching
from localcloud.events import service_events

LOG = logging.getLogger(__name__)

SOURCE = "aws.states"
DETAIL_TYPE = "Step Functions Execution Status Change"


def _epoch_ms(moment: datetime | None) -> int | None:
    return None if moment is None else int(moment.timestamp() * 1000)


def _json_text(value: Any) -> str:
    # The same compact JSON DescribeExecution shows for input and output.
    return to_json_str(value, separators=(",", ":"))


def detail(execution: Execution, status: str) -> dict[str, Any]:
    """The detail for `execution` in `status`: DescribeExecution's fields, as the guide lists them."""
    state_machine = execution.state_machine
    succeeded = status == ExecutionStatus.SUCCEEDED
    return {
        "executionArn": execution.exec_arn,
        # A version's executions name the state machine itself, as DescribeExecution does.
        "stateMachineArn": getattr(state_machine, "source_arn", None) or state_machine.arn,
        "name": execution.name,
        "status": ExecutionStatus(status).value,
        "startDate": _epoch_ms(execution.start_date),
        "stopDate": None if status == ExecutionStatus.RUNNING else _epoch_ms(execution.stop_date),
        "input": _json_text(execution.input_data),
        "inputDetails": {"included": True},
        "output": _json_text(execution.output) if succeeded else None,
        "outputDetails": {"included": True} if succeeded else None,
        "error": execution.error or None,
        "cause": execution.cause or None,
    }


def _emit(execution: Execution, status: str) -> None:
    if execution.sm_type != StateMachineType.STANDARD:
        return
    try:
        service_events.emit(
            execution.account_id,
            execution.region_name,
            SOURCE,
            DETAIL_TYPE,
            [execution.exec_arn],
            detail(execution, status),
        )
    except Exception:  # the event is Step Functions' side effect: it never changes the execution
        LOG.exception("could not emit the status change event of %s", execution.exec_arn)


def _announcing_start(original: Callable[[Execution], None]) -> Callable[[Execution], None]:
    def start(self: Execution) -> None:
        if self.exec_worker is None:  # otherwise moto refuses the second start; nothing changes
            _emit(self, ExecutionStatus.RUNNING)
        original(self)

    return start


def _announcing_end(
    original: Callable[[BaseExecutionWorkerCommunication], None],
) -> Callable[[BaseExecutionWorkerCommunication], None]:
    def terminated(self: BaseExecutionWorkerCommunication) -> None:
        original(self)
        status = self.execution.exec_status
        if status is not None and status != ExecutionStatus.RUNNING:
            _emit(self.execution, status)

    return terminated


PATCHES = (
    patching.wrap(__name__, Execution, "start", fingerprint="07e927c2d5f9e104", build=_announcing_start),
    patching.wrap(
        __name__,
        BaseExecutionWorkerCommunication,
        "terminated",
        fingerprint="360372a6a57bf99b",
        build=_announcing_end,
    ),
)
