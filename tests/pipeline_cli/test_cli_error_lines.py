"""One line for each kind of AWS error, naming the call and what to do."""

from __future__ import annotations

import pytest
from botocore.exceptions import (
    ClientError,
    ConnectTimeoutError,
    EndpointConnectionError,
    NoCredentialsError,
    ProfileNotFound,
)

from pipeline_cli.errors import LOCAL_CLOUD_HINT, aws_error_line


def _client_error(code: str, message: str, operation: str = "ListModelPackages") -> ClientError:
    return ClientError({"Error": {"Code": code, "Message": message}}, operation)


@pytest.mark.parametrize(
    ("code", "line"),
    [
        ("AccessDeniedException", "access denied calling ListModelPackages: User: x is not authorized"),
        ("AccessDenied", "access denied calling ListModelPackages: User: x is not authorized"),
        (
            "ExpiredTokenException",
            "AWS credentials expired (ExpiredTokenException calling ListModelPackages): refresh them "
            "(aws sso login, new keys)",
        ),
        (
            "UnrecognizedClientException",
            "AWS rejected the credentials (UnrecognizedClientException calling ListModelPackages): "
            "User: x is not authorized",
        ),
        ("ThrottlingException", "ThrottlingException calling ListModelPackages: User: x is not authorized"),
    ],
)
def test_client_errors(code: str, line: str) -> None:
    message = "User: x is not authorized\nsecond line"

    assert aws_error_line(_client_error(code, message), None) == line


def test_a_client_error_without_a_message() -> None:
    assert aws_error_line(_client_error("InternalFailure", ""), None) == (
        "InternalFailure calling ListModelPackages: no message"
    )


def test_no_credentials() -> None:
    assert aws_error_line(NoCredentialsError(), None) == (
        "no usable AWS credentials (Unable to locate credentials): configure them (aws configure, "
        "aws sso login, AWS_PROFILE) or pass --profile"
    )


def test_an_endpoint_that_does_not_answer() -> None:
    refused = EndpointConnectionError(endpoint_url="http://127.0.0.1:4566/")

    assert aws_error_line(refused, "http://127.0.0.1:4566") == (
        "cannot reach http://127.0.0.1:4566 "
        '(Could not connect to the endpoint URL: "http://127.0.0.1:4566/"): ' + LOCAL_CLOUD_HINT
    )
    assert aws_error_line(
        ConnectTimeoutError(endpoint_url="https://api.sagemaker.eu-west-1.amazonaws.com"), None
    ) == (
        'cannot reach AWS: Connect timeout on endpoint URL: "https://api.sagemaker.eu-west-1.amazonaws.com"'
    )


def test_other_botocore_errors_give_their_message() -> None:
    assert (
        aws_error_line(ProfileNotFound(profile="prod"), None)
        == "The config profile (prod) could not be found"
    )
