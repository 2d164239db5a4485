"""The InvokeEndpoint shortcut answers exactly what moto's server answers to the same signed request
(status, headers, body; the request id and date aside), and takes only the requests moto's dispatcher
would route to SageMaker Runtime's /invocations."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from botocore.awsrequest import AWSRequest, AWSResponse
from werkzeug.test import Client

from localcloud import config
from localcloud.http_server import moto_application
from localcloud.sagemaker.invocation_shortcut import is_invocation, with_invocation_shortcut
from localcloud.server import LocalCloud
from tests.localcloud.sagemaker.xgboost_models import model_tarball

IMAGE = "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:3.0-5"
FEATURES = 4
SIGNED = "AWS4-HMAC-SHA256 Credential=test/20261128/us-east-1/sagemaker/aws4_request, SignedHeaders=host"


class _Captured(Exception):
    def __init__(self, request: AWSRequest) -> None:
        self.request = request


def _signed_request(local_cloud: LocalCloud, endpoint: str, body: bytes) -> AWSRequest:
    """The request boto3 sends for InvokeEndpoint, captured before it leaves."""
    runtime = config.boto3_client("sagemaker-runtime", local_cloud.port)

    def capture(request: AWSRequest, **_: Any) -> AWSResponse:
        raise _Captured(request)

    runtime.meta.events.register("before-send.sagemaker-runtime.InvokeEndpoint", capture)
    with pytest.raises(_Captured) as captured:
        runtime.invoke_endpoint(EndpointName=endpoint, ContentType="text/csv", Body=body)
    return captured.value.request


def _headers(request: AWSRequest) -> dict[str, str]:
    return {
        name: value.decode() if isinstance(value, bytes) else value for name, value in request.headers.items()
    }


def _answer(application: Any, request: AWSRequest) -> tuple[int, list[tuple[str, str]], bytes]:
    path = request.url.split("://", 1)[1].split("/", 1)[1]
    response = Client(application).post(f"/{path}", headers=_headers(request), data=request.body)
    headers = [(name, value) for name, value in response.headers.items() if name != "x-amzn-requestid"]
    assert response.headers.get("x-amzn-requestid")
    return response.status_code, headers, response.get_data()


@pytest.fixture(scope="module")
def endpoint(local_cloud: LocalCloud, aws: Callable[[str], Any], role_arn: str) -> Iterator[str]:
    run = uuid.uuid4().hex[:8]
    bucket, name = f"shortcut-{run}", f"shortcut-{run}"
    tarball, _ = model_tarball(FEATURES, seed=5)
    aws("s3").create_bucket(Bucket=bucket)
    aws("s3").put_object(Bucket=bucket, Key="model.tar.gz", Body=tarball)
    sagemaker = aws("sagemaker")
    sagemaker.create_model(
        ModelName=name,
        ExecutionRoleArn=role_arn,
        PrimaryContainer={"Image": IMAGE, "ModelDataUrl": f"s3://{bucket}/model.tar.gz"},
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


@pytest.mark.parametrize(
    ("case", "body", "status"),
    [
        ("served", b"0.1,0.2,0.3,0.4\n1,2,3,4", 200),
        ("no such endpoint", b"0.1,0.2,0.3,0.4", 400),
        ("model error", b"0.1,0.2", 424),
    ],
)
def test_the_shortcut_answers_what_motos_server_answers(
    local_cloud: LocalCloud, endpoint: str, case: str, body: bytes, status: int
) -> None:
    name = "missing-endpoint" if case == "no such endpoint" else endpoint
    request = _signed_request(local_cloud, name, body)
    environ_path = request.url.split("://", 1)[1].split("/", 1)[1]
    assert is_invocation(
        {
            "REQUEST_METHOD": "POST",
            "PATH_INFO": f"/{environ_path}",
            "HTTP_AUTHORIZATION": _headers(request)["Authorization"],
            "HTTP_HOST": f"127.0.0.1:{local_cloud.port}",
        }
    )
    moto = moto_application()
    through_moto = _answer(moto, request)
    through_shortcut = _answer(with_invocation_shortcut(moto), request)
    assert through_moto[0] == status, through_moto
    assert through_shortcut == through_moto


def _environ(**overrides: str) -> dict[str, str]:
    environ = {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": "/endpoints/churn/invocations",
        "HTTP_AUTHORIZATION": SIGNED,
        "HTTP_HOST": "127.0.0.1:4566",
    }
    environ.update(overrides)
    return environ


def test_an_invocation_signed_for_sagemaker_takes_the_shortcut() -> None:
    assert is_invocation(_environ())


@pytest.mark.parametrize(
    "overrides",
    [
        {"REQUEST_METHOD": "GET"},
        {"PATH_INFO": "/endpoints/churn/invocations/extra"},
        {"PATH_INFO": "/endpoints/churn/async-invocations"},
        {"PATH_INFO": "/2015-03-31/functions/churn/invocations"},
        {"HTTP_AUTHORIZATION": SIGNED.replace("/sagemaker/", "/lambda/")},
        {"HTTP_AUTHORIZATION": ""},
        {"HTTP_HOST": "runtime.sagemaker.us-east-1.amazonaws.com"},
        {"HTTP_ORIGIN": "http://localhost:3000"},
    ],
)
def test_other_requests_go_to_motos_server(overrides: dict[str, str]) -> None:
    assert not is_invocation(_environ(**overrides))
