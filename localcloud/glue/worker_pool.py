"""Warm Glue workers: Spark processes kept running between job runs (`warm_worker.py`).

A cold job run starts Python and Spark's JVM (about 4 s on 2 cores) for a script that then runs in
about a second on the demo's data. The pool keeps up to `LOCALCLOUD_GLUE_WARM_WORKERS` idle workers
(default 1; 0 runs every job run in a process of its own) and lends one to each job run; runs at the
same time get a worker each, started on demand, so concurrency is as on Glue. `prewarm()` starts one
in the background when the local cloud starts, so the first run is warm too.

A worker that timed out is killed with its JVM; one whose script stopped the SparkContext ends itself.
Either way the next run gets a fresh one. A worker that cannot start (a broken Java) makes that run
cold, with the same error a cold process would show.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from localcloud.background_loop import count_from_environment, seconds_from_environment
from localcloud.shared_state import work_root

LOG = logging.getLogger(__name__)

WARM_WORKERS_ENV_VAR = "LOCALCLOUD_GLUE_WARM_WORKERS"
DEFAULT_WARM_WORKERS = 1
START_TIMEOUT_ENV_VAR = "LOCALCLOUD_GLUE_WORKER_START_SECONDS"
DEFAULT_START_TIMEOUT_SECONDS = 120.0


def warm_workers_from_environment() -> int:
    return count_from_environment(WARM_WORKERS_ENV_VAR, DEFAULT_WARM_WORKERS)


class WorkerUnavailable(RuntimeError):
    """The worker could not start, or died between runs: the run goes to a cold process instead."""


@dataclass(frozen=True)
class ScriptRequest:
    script: Path
    argv: list[str]
    cwd: Path
    environment: dict[str, str]
    stdout_path: Path
    stderr_path: Path


class WarmWorker:
    def __init__(self, environment: dict[str, str]) -> None:
        self.folder = Path(tempfile.mkdtemp(prefix="worker-", dir=work_root("glue"))).resolve()
        worker_environment = {**environment, "SPARK_LOCAL_DIRS": str(self.folder / "spark-tmp")}
        reply_read, reply_write = os.pipe()
        self._log = open(self.folder / "worker.log", "wb")  # noqa: SIM115 (closed in stop())
        self.process = subprocess.Popen(
            [sys.executable, "-m", "localcloud.glue.warm_worker", str(reply_write)],
            stdin=subprocess.PIPE,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            env=worker_environment,
            cwd=self.folder,
            pass_fds=(reply_write,),
            start_new_session=True,  # its own process group: a timeout kills the JVM with it
        )
        os.close(reply_write)
        self._replies: IO[str] = os.fdopen(reply_read, "r")
        self._ready = False

    def _reply(self, timeout_seconds: float) -> dict | None:
        """The next reply line, None after `timeout_seconds`; WorkerUnavailable if the worker died."""
        ready, _, _ = select.select([self._replies], [], [], timeout_seconds)
        if not ready:
            return None
        line = self._replies.readline()
        if not line:
            raise WorkerUnavailable(f"the warm Glue worker exited (see {self.folder / 'worker.log'})")
        return json.loads(line)

    def wait_until_ready(self) -> None:
        if self._ready:
            return
        timeout = seconds_from_environment(START_TIMEOUT_ENV_VAR, DEFAULT_START_TIMEOUT_SECONDS)
        if self._reply(timeout) is None:
            self.stop()
            raise WorkerUnavailable(f"the warm Glue worker did not start within {timeout:.0f} s")
        self._ready = True

    def run(self, request: ScriptRequest, timeout_seconds: float) -> tuple[int | None, bool]:
        """(exit code, or None when it timed out; whether the worker may run another script)."""
        assert self.process.stdin is not None
        line = json.dumps(
            {
                "script": str(request.script),
                "argv": request.argv,
                "cwd": str(request.cwd),
                "environment": request.environment,
                "stdout_path": str(request.stdout_path),
                "stderr_path": str(request.stderr_path),
            }
        )
        try:
            self.process.stdin.write((line + "\n").encode())
            self.process.stdin.flush()
        except OSError as error:
            raise WorkerUnavailable(f"the warm Glue worker is gone: {error}") from error
        reply = self._reply(timeout_seconds)
        if reply is None:
            self.stop()
            return None, False
        return int(reply["returncode"]), not reply["spark_stopped"] and self.process.poll() is None

    def stop(self) -> None:
        if self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
        for stream in (self.process.stdin, self._replies, self._log):
            if stream is not None:
                stream.close()
        shutil.rmtree(self.folder, ignore_errors=True)


class WorkerPool:
    def __init__(self) -> None:
        self._idle: list[WarmWorker] = []
        self._lock = threading.Lock()

    def prewarm(self, environment: dict[str, str]) -> None:
        """Start one worker now, unless warm workers are off or one is idle already."""
        with self._lock:
            if warm_workers_from_environment() == 0 or self._idle:
                return
            self._idle.append(WarmWorker(environment))

    def run(self, request: ScriptRequest, timeout_seconds: float) -> int | None:
        """Run the script on a warm worker: its exit code, None when it timed out. Raises WorkerUnavailable
        when no worker could run it (the caller runs it cold)."""
        worker = self._borrow(request.environment)
        started = time.monotonic()
        try:
            worker.wait_until_ready()
            # Waiting for a worker to start counts against the run's timeout, as a cold start would.
            remaining = max(timeout_seconds - (time.monotonic() - started), 0.0)
            returncode, reusable = worker.run(request, remaining)
        except BaseException:
            worker.stop()
            raise
        self._give_back(worker, reusable)
        return returncode

    def stop_all(self) -> None:
        with self._lock:
            idle, self._idle = self._idle, []
        for worker in idle:
            worker.stop()

    def idle_count(self) -> int:
        with self._lock:
            return len(self._idle)

    def _borrow(self, environment: dict[str, str]) -> WarmWorker:
        with self._lock:
            while self._idle:
                worker = self._idle.pop()
                if worker.process.poll() is None:
                    return worker
                worker.stop()
        return WarmWorker(environment)

    def _give_back(self, worker: WarmWorker, reusable: bool) -> None:
        with self._lock:
            if reusable and len(self._idle) < warm_workers_from_environment():
                self._idle.append(worker)
                return
        worker.stop()


POOL = WorkerPool()
