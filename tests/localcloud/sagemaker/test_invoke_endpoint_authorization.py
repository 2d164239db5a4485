"""InvokeEndpoint signed by a role session is authorized on the endpoint the path names, as AWS does:
allowed, it reaches the model; denied, it gets SageMaker Runtime's AccessDeniedException (JSON, HTTP 400)
before the endpoint is even looked up."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from botocore.exceptions import ClientError

from localcloud import config
from localcloud.iam.role_sessions import RoleSession

ENDPOINTS = f"arn:aws:sagemaker:{config.REGION}:{config.ACCOUNT_ID}:endpoint"


def _invoke(session: RoleSession, endpoint: str, body: bytes) -> bytes:
    runtime = session.client("sagemaker-runtime")
    return runtime.invoke_endpoint(EndpointName=endpoint, ContentType="text/csv", Body=body)["Body"].read()


def test_a_role_allowed_on_the_endpoint_gets_its_predictions(
    served_endpoint: str, make_role_session: Callable[[str], RoleSession]
) -> None:
    session = make_role_session(f"{ENDPOINTS}/{served_endpoint}")
    predictions = re.split(
        r"[,\s]+", _invoke(session, served_endpoint, b"0.1,0.2,0.3,0.4\n1,2,3,4").decode().strip()
    )
    assert len(predictions) == 2
    assert all(0.0 <= float(prediction) <= 1.0 for prediction in predictions)


@pytest.mark.parametrize("endpoint_exists", [True, False])
def test_a_role_allowed_on_other_endpoints_is_denied_with_awss_error(
    served_endpoint: str, make_role_session: Callable[[str], RoleSession], endpoint_exists: bool
) -> None:
    session = make_role_session(f"{ENDPOINTS}/other-*")
    endpoint = served_endpoint if endpoint_exists else "missing-endpoint"
    with pytest.raises(ClientError) as denied:
        _invoke(session, endpoint, b"0.1,0.2,0.3,0.4")
    assert denied.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert denied.value.response["Error"]["Code"] == "AccessDeniedException"
    assert denied.value.response["Error"]["Message"] == (
        f"User: {session.arn} is not authorized to perform: sagemaker:InvokeEndpoint on resource: "
        f'"{ENDPOINTS}/{endpoint}" because no identity-based policy allows the '
        "sagemaker:InvokeEndpoint action"
    )


def test_an_allowed_role_invoking_a_missing_endpoint_gets_the_validation_error(
    make_role_session: Callable[[str], RoleSession],
) -> None:
    session = make_role_session(f"{ENDPOINTS}/*")
    with pytest.raises(ClientError) as missing:
        _invoke(session, "missing-endpoint", b"0.1,0.2,0.3,0.4")
    assert missing.value.response["Error"]["Code"] == "ValidationError"
    assert "Endpoint missing-endpoint of account" in missing.value.response["Error"]["Message"]
