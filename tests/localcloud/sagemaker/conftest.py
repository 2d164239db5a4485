"""An endpoint served by a real model server, for the tests of what InvokeEndpoint answers."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from localcloud.iam.role_sessions import RoleSession
from localcloud.server import LocalCloud
from tests.localcloud.sagemaker.role_statements import service_role_session
from tests.localcloud.sagemaker.xgboost_models import model_tarball

XGBOOST_IMAGE = "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:3.0-5"
SERVED_FEATURES = 4


@pytest.fixture(scope="module")
def served_endpoint(local_cloud: LocalCloud, aws: Callable[[str], Any], role_arn: str) -> Iterator[str]:
    """The name of an InService endpoint whose model takes SERVED_FEATURES features."""
    run = uuid.uuid4().hex[:8]
    bucket, name = f"served-{run}", f"served-{run}"
    tarball, _ = model_tarball(SERVED_FEATURES, seed=5)
    aws("s3").create_bucket(Bucket=bucket)
    aws("s3").put_object(Bucket=bucket, Key="model.tar.gz", Body=tarball)
    sagemaker = aws("sagemaker")
    sagemaker.create_model(
        ModelName=name,
        ExecutionRoleArn=role_arn,
        PrimaryContainer={"Image": XGBOOST_IMAGE, "ModelDataUrl": f"s3://{bucket}/model.tar.gz"},
    )
    variant = {"VariantName": "AllTraffic", "ModelName": name, "InstanceType": "ml.m5.large"}
    sagemaker.create_endpoint_config(
        EndpointConfigName=name, ProductionVariants=[{**variant, "InitialInstanceCount": 1}]
    )
    sagemaker.create_endpoint(EndpointName=name, EndpointConfigName=name)
    sagemaker.get_waiter("endpoint_in_service").wait(
        EndpointName=name, WaiterConfig={"Delay": 0.2, "MaxAttempts": 300}
    )
    try:
        yield name
    finally:
        sagemaker.delete_endpoint(EndpointName=name)


@pytest.fixture
def make_role_session(aws: Callable[[str], Any]) -> Callable[[str], RoleSession]:
    """A Lambda function's role session that may call InvokeEndpoint on `resource` (an ARN or pattern) and
    nothing else: the caller an application in front of an endpoint is."""

    def make(resource: str) -> RoleSession:
        allow = {"Effect": "Allow", "Action": "sagemaker:InvokeEndpoint", "Resource": resource}
        return service_role_session(aws("iam"), "lambda.amazonaws.com", "invoker", [allow])

    return make
