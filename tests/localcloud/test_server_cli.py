"""`python -m localcloud start|status|stop` in the background, as a user runs it."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import boto3
import pytest

from localcloud import config


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind((config.HOST, 0))
        return probe.getsockname()[1]


def _cli(state_dir: Path, *arguments: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, config.STATE_DIR_ENV_VAR: str(state_dir)}
    return subprocess.run(
        [sys.executable, "-m", "localcloud", *arguments],
        cwd=config.PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=90,
        check=False,
    )


def test_start_status_stop_in_the_background(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(config.STATE_DIR_ENV_VAR, str(tmp_path))
    port = _free_port()
    started = _cli(tmp_path, "start", "--port", str(port))
    try:
        assert started.returncode == 0, started.stderr
        assert config.pid_file().name in os.listdir(tmp_path)
        instance = config.background_instance_id()
        assert instance
        # Starting what is running already keeps that cloud, and its id.
        assert _cli(tmp_path, "start", "--port", str(port)).returncode == 0
        assert config.background_instance_id() == instance
        assert _cli(tmp_path, "status").returncode == 0
        s3 = boto3.client(
            "s3",
            endpoint_url=config.endpoint_url(port),
            region_name=config.REGION,
            aws_access_key_id=config.ACCESS_KEY_ID,
            aws_secret_access_key=config.SECRET_ACCESS_KEY,
        )
        s3.create_bucket(Bucket="cli-test")
        assert [bucket["Name"] for bucket in s3.list_buckets()["Buckets"]] == ["cli-test"]
    finally:
        stopped = _cli(tmp_path, "stop")
    assert stopped.returncode == 0, stopped.stderr
    assert config.background_instance_id() is None
    assert _cli(tmp_path, "status").returncode == 1
    assert (tmp_path / "logs" / "server.log").read_text().count("local cloud serving on") == 1


def test_a_restarted_cloud_has_another_id(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Its resources lived in the stopped process: the demo's Terraform working copy tells by the id that its
    state describes nothing real any more."""
    monkeypatch.setenv(config.STATE_DIR_ENV_VAR, str(tmp_path))
    ids = []
    for _ in range(2):
        port = _free_port()
        started = _cli(tmp_path, "start", "--port", str(port))
        try:
            assert started.returncode == 0, started.stderr
            ids.append(config.background_instance_id())
        finally:
            assert _cli(tmp_path, "stop").returncode == 0
    assert None not in ids and ids[0] != ids[1]
