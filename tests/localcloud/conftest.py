"""An in-process local cloud per test module, on a random free loopback port.

Module scope, not session: the local cloud changes process-wide moto settings, which other test
folders using plain `mock_aws` must not see; `stop()` restores them.
"""

from __future__ import annotations

import io
import json
import time
import uuid
import zipfile
from collections.abc import Callable
from typing import Any

import pytest

from tests import local_cloud_fixtures

# The shared in-process local cloud: pytest finds fixtures by their names in this module.
local_cloud = local_cloud_fixtures.local_cloud
aws = local_cloud_fixtures.aws


@pytest.fixture
def unique_name() -> str:
    return f"t{uuid.uuid4().hex[:10]}"


@pytest.fixture
def bucket(aws: Callable[[str], Any], unique_name: str) -> str:
    aws("s3").create_bucket(Bucket=unique_name)
    return unique_name


@pytest.fixture(scope="module")
def role_arn(aws: Callable[[str], Any]) -> str:
    """A role every emulated service may assume and that may do everything: these tests are about the
    services, not IAM (tests/localcloud/iam and the end-to-end tests check enforcement)."""
    services = [
        "lambda.amazonaws.com",
        "glue.amazonaws.com",
        "sagemaker.amazonaws.com",
        "states.amazonaws.com",
    ]
    trust = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"Service": services}, "Action": "sts:AssumeRole"}],
    }
    everything = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
    # moto's state outlives each module's server, so every module makes its own role.
    role_name = f"localcloud-tests-{uuid.uuid4().hex[:8]}"
    iam = aws("iam")
    arn = iam.create_role(RoleName=role_name, AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]
    iam.put_role_policy(RoleName=role_name, PolicyName="everything", PolicyDocument=json.dumps(everything))
    return arn


def _zip_package(files: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as package:
        for name, text in files.items():
            package.writestr(name, text)
    return buffer.getvalue()


def _wait_for(describe: Callable[[], dict], done: Callable[[dict], bool], timeout: float = 60.0) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        result = describe()
        if done(result):
            return result
        if time.monotonic() > deadline:
            raise TimeoutError(f"still not done after {timeout:.0f} s: {result}")
        time.sleep(0.2)


@pytest.fixture
def zip_package() -> Callable[[dict[str, str]], bytes]:
    """Builds a zip (e.g. a Lambda deployment package) from {name: text}."""
    return _zip_package


@pytest.fixture
def wait_for() -> Callable[..., dict]:
    """Polls describe() until done(result), or raises TimeoutError."""
    return _wait_for


@pytest.fixture
def run_glue_job(aws: Callable[[str], Any], wait_for: Callable[..., dict]) -> Callable[..., dict]:
    """Starts a run of a Glue job and returns its JobRun once the run has ended."""

    def run(job: str, arguments: dict[str, str], timeout: float = 60.0) -> dict:
        glue = aws("glue")
        run_id = glue.start_job_run(JobName=job, Arguments=arguments)["JobRunId"]
        return wait_for(
            lambda: glue.get_job_run(JobName=job, RunId=run_id)["JobRun"],
            lambda run: run["JobRunState"] not in ("STARTING", "RUNNING"),
            timeout=timeout,
        )

    return run
