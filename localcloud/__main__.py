"""Command line: `python -m localcloud start|stop|status`.

`start` runs the local cloud in the background (pid file and log under `.localcloud/`) and returns
once the port answers; `start --foreground` serves in this process until interrupted.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

from localcloud import config
from localcloud.server import port_answers, start_in_thread, wait_until_listening

START_TIMEOUT_SECONDS = 60.0
STOP_TIMEOUT_SECONDS = 15.0


def _port_file() -> Path:
    return config.state_dir() / "localcloud.port"


def _running_pid() -> int | None:
    try:
        pid = int(config.pid_file().read_text().strip())
    except (FileNotFoundError, ValueError):
        return None
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return None
    return pid


def _serve_foreground(port: int) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    handle = start_in_thread(port)
    print(f"local cloud serving on {handle.endpoint_url}; Ctrl-C stops it", flush=True)
    stopping = threading.Event()
    for signal_number in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signal_number, lambda *_: stopping.set())
    stopping.wait()
    handle.stop()
    return 0


def _start_background(port: int) -> int:
    pid = _running_pid()
    if pid is not None:
        print(f"already running (pid {pid}) on {config.endpoint_url(int(_port_file().read_text()))}")
        return 0
    if port_answers(port):
        print(f"port {port} is already in use by another program", file=sys.stderr)
        return 1
    config.logs_dir().mkdir(parents=True, exist_ok=True)
    with config.server_log_file().open("a") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "localcloud", "start", "--foreground", "--port", str(port)],
            cwd=config.PROJECT_ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
    config.pid_file().write_text(f"{process.pid}\n")
    _port_file().write_text(f"{port}\n")
    config.instance_file().write_text(f"{uuid.uuid4().hex}\n", encoding="utf-8")
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            print(
                f"local cloud exited with status {process.returncode}; see {config.server_log_file()}",
                file=sys.stderr,
            )
            _forget_background_cloud()
            return 1
        if wait_until_listening(port, timeout_seconds=0.5):
            print(
                f"local cloud running on {config.endpoint_url(port)} (pid {process.pid}, "
                f"log {config.server_log_file()})"
            )
            return 0
    print(
        f"local cloud did not answer on port {port} within {START_TIMEOUT_SECONDS:.0f} s; "
        f"see {config.server_log_file()}",
        file=sys.stderr,
    )
    process.terminate()
    _forget_background_cloud()
    return 1


def _forget_background_cloud() -> None:
    config.pid_file().unlink(missing_ok=True)
    config.instance_file().unlink(missing_ok=True)


def _stop() -> int:
    pid = _running_pid()
    if pid is None:
        print("not running")
        _forget_background_cloud()
        return 0
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + STOP_TIMEOUT_SECONDS
    while time.monotonic() < deadline and _running_pid() is not None:
        time.sleep(0.1)
    if _running_pid() is not None:
        os.kill(pid, signal.SIGKILL)
    # The server ran in its own session: end what it started and left running (a Spark job run,
    # a Lambda invocation, a model server) with it.
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pid, signal.SIGTERM)
    _forget_background_cloud()
    print(f"stopped (pid {pid})")
    return 0


def _status() -> int:
    pid = _running_pid()
    if pid is None:
        print("not running")
        return 1
    port = int(_port_file().read_text())
    answering = "answering" if port_answers(port) else "NOT answering"
    print(f"running (pid {pid}) on {config.endpoint_url(port)}, {answering}")
    return 0 if answering == "answering" else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m localcloud", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    start = commands.add_parser("start", help="start the local cloud")
    start.add_argument("--port", type=int, default=config.DEFAULT_PORT)
    start.add_argument("--foreground", action="store_true", help="serve in this process")
    commands.add_parser("stop", help="stop the background local cloud")
    commands.add_parser("status", help="exit 0 if the background local cloud answers")
    arguments = parser.parse_args(argv)
    if arguments.command == "start":
        serve = _serve_foreground if arguments.foreground else _start_background
        return serve(arguments.port)
    if arguments.command == "stop":
        return _stop()
    return _status()


if __name__ == "__main__":
    sys.exit(main())
