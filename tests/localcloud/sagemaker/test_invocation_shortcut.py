"""The InvokeEndpoint shortcut answers exactly what moto's server answers to the same signed request
(status, headers, body; the request id and date aside), takes only the requests moto's dispatcher would
route to SageMaker Runtime's /invocations, and leaves a role session's request to moto's handler, which
authorizes it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import boto3
import pytest
from botocore.awsrequest import AWSRequest, AWSResponse
from moto.sagemakerruntime.responses import SageMakerRuntimeResponse
from werkzeug.test import Client

from localcloud import config
from localcloud.http_server import moto_application
from localcloud.iam.role_sessions import RoleSession
from localcloud.sagemaker.invocation_shortcut import is_invocation, with_invocation_shortcut
from localcloud.server import LocalCloud

SIGNED = "AWS4-HMAC-SHA256 Credential=test/20261128/us-east-1/sagemaker/aws4_request, SignedHeaders=host"


class _Captured(Exception):
    def __init__(self, request: AWSRequest) -> None:
        self.request = request


def _signed_request(runtime: Any, endpoint: str, body: bytes) -> AWSRequest:
    """The request `runtime` (a boto3 sagemaker-runtime client) sends for InvokeEndpoint, captured before it
    leaves."""

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


@pytest.mark.parametrize(
    ("case", "body", "status"),
    [
        ("served", b"0.1,0.2,0.3,0.4\n1,2,3,4", 200),
        ("no such endpoint", b"0.1,0.2,0.3,0.4", 400),
        ("model error", b"0.1,0.2", 424),
        ("signed for another region", b"0.1,0.2,0.3,0.4", 400),
        ("moto's header naming another account", b"0.1,0.2,0.3,0.4", 400),
        ("json accepted", b"0.1,0.2,0.3,0.4", 200),
    ],
)
def test_the_shortcut_answers_what_motos_server_answers(
    local_cloud: LocalCloud, served_endpoint: str, case: str, body: bytes, status: int
) -> None:
    name = "missing-endpoint" if case == "no such endpoint" else served_endpoint
    region = "eu-west-1" if case == "signed for another region" else config.REGION
    runtime = boto3.client(
        "sagemaker-runtime",
        endpoint_url=local_cloud.endpoint_url,
        region_name=region,
        aws_access_key_id="test",
        aws_secret_access_key="test",
    )
    request = _signed_request(runtime, name, body)
    if case == "moto's header naming another account":
        request.headers["x-moto-account-id"] = "111111111111"
    if case == "json accepted":
        request.headers["Accept"] = "application/json"
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


def test_only_a_role_sessions_invocation_goes_through_motos_handler(
    local_cloud: LocalCloud,
    served_endpoint: str,
    make_role_session: Callable[[str], RoleSession],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A role session's request is authorized by moto's handler (localcloud.iam.request_authorization); the
    shortcut answers the others itself."""
    dispatched: list[str] = []
    dispatch = SageMakerRuntimeResponse.dispatch

    def counted(*args: Any, **kwargs: Any) -> Any:
        dispatched.append("moto")
        return dispatch(*args, **kwargs)

    monkeypatch.setattr(SageMakerRuntimeResponse, "dispatch", counted)
    shortcut = with_invocation_shortcut(moto_application())
    admin = config.boto3_client("sagemaker-runtime", local_cloud.port)
    assert _answer(shortcut, _signed_request(admin, served_endpoint, b"0.1,0.2,0.3,0.4"))[0] == 200
    assert dispatched == []

    session = make_role_session(f"arn:aws:sagemaker:{config.REGION}:{config.ACCOUNT_ID}:endpoint/*")
    role = session.client("sagemaker-runtime")
    assert _answer(shortcut, _signed_request(role, served_endpoint, b"0.1,0.2,0.3,0.4"))[0] == 200
    assert dispatched == ["moto"]


def test_the_shortcut_denies_a_role_session_as_motos_server_does(
    served_endpoint: str, make_role_session: Callable[[str], RoleSession]
) -> None:
    others = f"arn:aws:sagemaker:{config.REGION}:{config.ACCOUNT_ID}:endpoint/other-*"
    session = make_role_session(others)
    request = _signed_request(session.client("sagemaker-runtime"), served_endpoint, b"0.1,0.2,0.3,0.4")
    moto = moto_application()
    through_moto = _answer(moto, request)
    through_shortcut = _answer(with_invocation_shortcut(moto), request)
    assert through_moto[0] == 400, through_moto
    assert b"AccessDeniedException" in through_moto[2]
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
        {"HTTP_CONTENT_ENCODING": "gzip"},
    ],
)
def test_other_requests_go_to_motos_server(overrides: dict[str, str]) -> None:
    assert not is_invocation(_environ(**overrides))
