"""A local cloud in its own process per end-to-end test file, on a free loopback port.

Its IAM access log goes to build/iam-access/<test file>.jsonl, for `make iam-report`.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator

import pytest

from localcloud import config
from localcloud.iam.access_log import ACCESS_LOG_ENV_VAR
from localcloud.server import port_answers


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind((config.HOST, 0))
        return probe.getsockname()[1]


ACCESS_LOG_DIR = config.PROJECT_ROOT / "build" / "iam-access"


@pytest.fixture(scope="module")
def cloud_port(tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest) -> Iterator[int]:
    port = _free_port()
    state_dir = tmp_path_factory.mktemp("e2e-localcloud")
    ACCESS_LOG_DIR.mkdir(parents=True, exist_ok=True)
    access_log = ACCESS_LOG_DIR / f"{request.module.__name__.rsplit('.', 1)[-1]}.jsonl"
    access_log.unlink(missing_ok=True)
    log = (state_dir / "server.log").open("w")
    server = subprocess.Popen(
        [sys.executable, "-m", "localcloud", "start", "--foreground", "--port", str(port)],
        cwd=config.PROJECT_ROOT,
        env=os.environ | {config.STATE_DIR_ENV_VAR: str(state_dir), ACCESS_LOG_ENV_VAR: str(access_log)},
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 60
        while not port_answers(port):
            assert server.poll() is None, f"local cloud exited; log: {state_dir / 'server.log'}"
            assert time.monotonic() < deadline, "local cloud did not start within 60 s"
            time.sleep(0.2)
        yield port
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()
