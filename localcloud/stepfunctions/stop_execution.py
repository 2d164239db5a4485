"""StopExecution answers once the execution is ABORTED, as on AWS.

moto stops an execution by signalling its interpreter thread, which records ABORTED once it has wound
down: a DescribeExecution or ListExecutions right after StopExecution could still read RUNNING (a test
listing runs did, on a busy machine). And an execution stopped before its thread had built the
interpreter's environment (one started a moment earlier) failed StopExecution with an AttributeError
(500), and one stopped after that but before the interpreter entered its first state was not stopped at
all (moto's stop only acts on a running program). Here StopExecution waits, at most `STOP_WAIT_SECONDS`,
until the interpreter is running, and then until it has recorded the end.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable
from typing import Any

from moto.stepfunctions.parser.api import ExecutionStatus
from moto.stepfunctions.parser.backend.execution import Execution

from localcloud import patching

STOP_WAIT_SECONDS = 10.0
_POLL_SECONDS = 0.005


def _interpreter_started(worker: Any) -> bool:
    """Whether the execution's program has a state (running or ended): before, a stop is lost."""
    return worker.env is not None and worker.env.program_state() is not None


def _answering_when_stopped(original: Callable[..., None]) -> Callable[..., None]:
    @functools.wraps(original)
    def stop(self: Execution, *args: Any, **kwargs: Any) -> None:
        deadline = time.monotonic() + STOP_WAIT_SECONDS
        worker = self.exec_worker
        while worker is not None and not _interpreter_started(worker) and time.monotonic() < deadline:
            time.sleep(_POLL_SECONDS)
        original(self, *args, **kwargs)
        while self.exec_status == ExecutionStatus.RUNNING and time.monotonic() < deadline:
            time.sleep(_POLL_SECONDS)

    return stop


PATCHES = (
    patching.wrap(__name__, Execution, "stop", fingerprint="16663c65db9a2f96", build=_answering_when_stopped),
)
