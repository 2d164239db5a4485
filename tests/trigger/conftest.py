from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws
from trigger.config import Config
from trigger_test_support import (
    INPUT_PREFIX,
    PASS_DEFINITION,
    PIPELINE_BUCKET,
    PIPELINE_NAME,
    REGION,
    RUN_OUTPUTS,
    RUNS_PREFIX,
)


@pytest.fixture(autouse=True)
def isolated_aws_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fake credentials and no endpoint override, so nothing here can reach a real or local cloud."""
    for name in ("AWS_PROFILE", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_SFN", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)


@pytest.fixture
def aws() -> Iterator[None]:
    with mock_aws():
        yield


@pytest.fixture
def stepfunctions(aws: None) -> Any:
    return boto3.client("stepfunctions", region_name=REGION)


@pytest.fixture
def s3(aws: None) -> Any:
    return boto3.client("s3", region_name=REGION)


@pytest.fixture
def state_machine_arn(stepfunctions: Any) -> str:
    response = stepfunctions.create_state_machine(
        name="churn-xgboost-pipeline",
        definition=PASS_DEFINITION,
        roleArn="arn:aws:iam::123456789012:role/churn-xgboost-states",
    )
    return response["stateMachineArn"]


@pytest.fixture
def config(state_machine_arn: str) -> Config:
    return Config(
        state_machine_arn=state_machine_arn,
        pipeline_name=PIPELINE_NAME,
        bucket_name=PIPELINE_BUCKET,
        input_prefix=INPUT_PREFIX,
        runs_prefix=RUNS_PREFIX,
        run_outputs=RUN_OUTPUTS,
    )
