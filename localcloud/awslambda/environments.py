"""Warm execution environments: a function's runtime process kept between invocations, as Lambda keeps it.

On AWS an execution environment serves one invocation at a time and is reused for the next while it is
warm: what the handler's module made at import or cached (a boto3 client, a loaded config) is still there,
and only a cold start pays for the import. A process per invocation hid both: code that relies on module
state, rightly or wrongly, ran as it never would on AWS, and every upload paid about 0.3 s of Python and
boto3 start.

The pool keeps up to `LOCALCLOUD_LAMBDA_WARM_ENVIRONMENTS` idle environments per function configuration
(default 4; 0 runs every invocation in a process of its own). Invocations at the same time get an
environment each, started on demand. An environment serves one configuration of its function (code,
handler, runtime, memory, timeout, role, environment variables): after an update, invocations start new
ones and the old ones are stopped. An invocation that times out or whose process exits ends its
environment, as on AWS; one that raised keeps it. Environments idle for IDLE_SECONDS are stopped by the
next invocation of any function (a deleted function's too), and all when the local cloud stops.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import select
import signal
import subprocess
import threading
import time
from dataclasses import dataclass

from localcloud.awslambda.runtime import INVOCATION_LOG_END
from localcloud.background_loop import count_from_environment

LOG = logging.getLogger(__name__)

WARM_ENVIRONMENTS_ENV_VAR = "LOCALCLOUD_LAMBDA_WARM_ENVIRONMENTS"
DEFAULT_WARM_ENVIRONMENTS = 4
# Lambda keeps an idle environment for minutes; past that the next invocation starts cold.
IDLE_SECONDS = 600.0
# After the reply, the rest of the invocation's log is already in the pipe; waiting longer means it is lost.
LOG_WAIT_SECONDS = 5.0


def warm_environments_from_environment() -> int:
    return count_from_environment(WARM_ENVIRONMENTS_ENV_VAR, DEFAULT_WARM_ENVIRONMENTS)


def configuration_key(*parts: object) -> str:
    """Names one configuration of a function: environments serve the configuration they started with."""
    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()


@dataclass(frozen=True)
class Outcome:
    """How an invocation ended: `payload` is the handler's result or error document (JSON), None when the
    invocation timed out or the process exited (`returncode`) without answering."""

    payload: bytes | None
    succeeded: bool
    logs: str
    returncode: int | None = None
    timed_out: bool = False


class ExecutionEnvironment:
    def __init__(self, function_arn: str, key: str, command: list[str], environment: dict[str, str]) -> None:
        self.function_arn = function_arn
        self.key = key
        self.idle_since = time.monotonic()
        self.process = subprocess.Popen(
            [*command, "--serve"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=environment,
            start_new_session=True,  # its own process group: a timeout kills what the handler started too
        )
        self._log_lines: list[str] = []
        self._log_lock = threading.Lock()
        self._logs_done = threading.Condition(self._log_lock)
        self._finished_logs: list[str] = []
        self._reader = threading.Thread(
            target=self._read_logs, name=f"lambda-env-log-{function_arn.rsplit(':', 1)[-1]}", daemon=True
        )
        self._reader.start()

    def _read_logs(self) -> None:
        # Drained all the time, so a handler that logs a lot never blocks on a full pipe.
        assert self.process.stderr is not None
        for raw in self.process.stderr:
            line = raw.decode(errors="replace")
            end = line.find(INVOCATION_LOG_END)
            with self._logs_done:
                if end < 0:
                    self._log_lines.append(line)
                    continue
                self._log_lines.append(line[:end])
                self._finished_logs.append("".join(self._log_lines))
                self._log_lines = []
                self._logs_done.notify_all()

    def _logs_of_invocation(self) -> str:
        with self._logs_done:
            self._logs_done.wait_for(lambda: bool(self._finished_logs), timeout=LOG_WAIT_SECONDS)
            return self._finished_logs.pop(0) if self._finished_logs else ""

    def _logs_after_exit(self) -> str:
        self._reader.join(timeout=LOG_WAIT_SECONDS)
        with self._log_lock:
            return "".join([*self._finished_logs, *self._log_lines])

    def invoke(self, request_id: str, event: bytes, timeout_seconds: float) -> tuple[Outcome, bool]:
        """Run one invocation: its outcome, and whether the environment may serve another."""
        assert self.process.stdin is not None and self.process.stdout is not None
        request = {"request_id": request_id, "event": event.decode(errors="replace")}
        try:
            self.process.stdin.write((json.dumps(request) + "\n").encode())
            self.process.stdin.flush()
        except OSError:
            return self._exited(), False
        ready, _, _ = select.select([self.process.stdout], [], [], timeout_seconds)
        if not ready:
            self.stop()
            return Outcome(None, False, self._logs_after_exit(), timed_out=True), False
        line = self.process.stdout.readline()
        if not line:
            return self._exited(), False
        reply = json.loads(line)
        outcome = Outcome(reply["payload"].encode(), reply["succeeded"], self._logs_of_invocation())
        return outcome, not reply["init_failed"] and self.process.poll() is None

    def _exited(self) -> Outcome:
        # Its reply stream ended or took no request: the process is ending (or closed its own streams and
        # is of no use any more, in which case it is stopped).
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(timeout=LOG_WAIT_SECONDS)
        self.stop()
        return Outcome(None, False, self._logs_after_exit(), returncode=self.process.returncode)

    def stop(self) -> None:
        if self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()
        for stream in (self.process.stdin, self.process.stdout):
            if stream is not None:
                with contextlib.suppress(OSError):
                    stream.close()


class EnvironmentPool:
    def __init__(self) -> None:
        self._idle: list[ExecutionEnvironment] = []
        self._lock = threading.Lock()

    def invoke(
        self,
        function_arn: str,
        key: str,
        command: list[str],
        environment: dict[str, str],
        request_id: str,
        event: bytes,
        timeout_seconds: float,
    ) -> Outcome:
        """Run the invocation in a warm environment of this configuration, or in a new one."""
        execution_environment = self._borrow(function_arn, key) or ExecutionEnvironment(
            function_arn, key, command, environment
        )
        try:
            outcome, reusable = execution_environment.invoke(request_id, event, timeout_seconds)
        except BaseException:
            execution_environment.stop()
            raise
        self._give_back(execution_environment, reusable)
        return outcome

    def _borrow(self, function_arn: str, key: str) -> ExecutionEnvironment | None:
        stale: list[ExecutionEnvironment] = []
        borrowed = None
        now = time.monotonic()
        with self._lock:
            for candidate in list(self._idle):
                outdated = candidate.function_arn == function_arn and candidate.key != key
                expired = now - candidate.idle_since > IDLE_SECONDS
                if outdated or expired or candidate.process.poll() is not None:
                    self._idle.remove(candidate)
                    stale.append(candidate)
                elif borrowed is None and candidate.key == key:
                    self._idle.remove(candidate)
                    borrowed = candidate
        for execution_environment in stale:
            execution_environment.stop()
        return borrowed

    def _give_back(self, execution_environment: ExecutionEnvironment, reusable: bool) -> None:
        with self._lock:
            same = [idle for idle in self._idle if idle.key == execution_environment.key]
            if reusable and len(same) < warm_environments_from_environment():
                execution_environment.idle_since = time.monotonic()
                self._idle.append(execution_environment)
                return
        execution_environment.stop()

    def stop_all(self) -> None:
        with self._lock:
            idle, self._idle = self._idle, []
        for execution_environment in idle:
            execution_environment.stop()

    def idle_count(self, function_arn: str | None = None) -> int:
        with self._lock:
            return sum(1 for idle in self._idle if function_arn in (None, idle.function_arn))


POOL = EnvironmentPool()
