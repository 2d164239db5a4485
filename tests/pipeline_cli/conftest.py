"""An in-process local cloud per test module (as tests/localcloud/conftest.py), and the CLI run against it
in this process with no AWS configuration at all, so every end-to-end test also checks that `--endpoint-url`
alone is enough: the local cloud's credentials and region stand in.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from localcloud.server import LocalCloud
from pipeline_cli.__main__ import main
from tests import local_cloud_fixtures
from tests.pipeline_cli.cli_world import World

AWS_ENVIRONMENT = (
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_PROFILE",
    "AWS_DEFAULT_PROFILE",
    "AWS_REGION",
    "AWS_DEFAULT_REGION",
    "AWS_ENDPOINT_URL",
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
    "AWS_CONTAINER_CREDENTIALS_FULL_URI",
    "AWS_WEB_IDENTITY_TOKEN_FILE",
)


@dataclass(frozen=True)
class Result:
    code: int
    out: str
    err: str


def clear_aws_environment(env: pytest.MonkeyPatch, tmp: Path) -> None:
    """No credentials, region, profile or config files: as on a laptop that never ran `aws configure`."""
    for name in AWS_ENVIRONMENT:
        env.delenv(name, raising=False)
    env.setenv("AWS_CONFIG_FILE", str(tmp / "no-aws-config"))
    env.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp / "no-aws-credentials"))
    # Otherwise boto3 asks the EC2 instance metadata service, which takes seconds to time out off EC2.
    env.setenv("AWS_EC2_METADATA_DISABLED", "true")


# The shared in-process local cloud: pytest finds fixtures by their names in this module.
local_cloud = local_cloud_fixtures.local_cloud
aws = local_cloud_fixtures.aws


@pytest.fixture(scope="module")
def world(aws: Callable[[str], Any]) -> Iterator[World]:
    built = World(aws)
    try:
        yield built
    finally:
        built.delete_endpoints()


@pytest.fixture
def unique() -> str:
    return uuid.uuid4().hex[:8]


@pytest.fixture
def cli(
    local_cloud: LocalCloud,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> Callable[..., Result]:
    """Runs `mlops-pipeline <args> --endpoint-url <local cloud>` and returns its exit code and output."""
    clear_aws_environment(monkeypatch, tmp_path)

    def run(*args: str, endpoint_url: str | None = local_cloud.endpoint_url) -> Result:
        capsys.readouterr()
        code = main([*args, *(["--endpoint-url", endpoint_url] if endpoint_url else [])])
        captured = capsys.readouterr()
        return Result(code, captured.out, captured.err)

    return run
