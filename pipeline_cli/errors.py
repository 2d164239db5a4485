"""What the CLI tells a person when something goes wrong: one line, never a traceback.

Two kinds, two exit codes: a request that names something that is not there (a pipeline, a version, the tags
of an older module) is the user's to fix (exit 2, as argparse uses for bad usage); an AWS error (no
credentials, access denied, an endpoint that does not answer) is the environment's (exit 1).
"""

from __future__ import annotations

from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    ConnectionClosedError,
    ConnectTimeoutError,
    EndpointConnectionError,
    NoCredentialsError,
    PartialCredentialsError,
    ReadTimeoutError,
)

EXIT_AWS_ERROR = 1
EXIT_USAGE_ERROR = 2

_ACCESS_DENIED = {"AccessDenied", "AccessDeniedException", "UnauthorizedOperation"}
_EXPIRED = {"ExpiredToken", "ExpiredTokenException", "RequestExpired"}
_REJECTED_CREDENTIALS = {
    "InvalidClientTokenId",
    "UnrecognizedClientException",
    "InvalidSignatureException",
    "SignatureDoesNotMatch",
    "IncompleteSignature",
}
LOCAL_CLOUD_HINT = "is the local cloud running? (.venv/bin/python -m localcloud start)"


class CliError(Exception):
    """A request naming something that is not there; the message says what is and what to do."""


def _first_line(text: str) -> str:
    return text.strip().splitlines()[0] if text.strip() else ""


def aws_error_line(error: BotoCoreError | ClientError, endpoint_url: str | None) -> str:
    """One line for an AWS error, naming the call and what to do about it."""
    if isinstance(error, ClientError):
        code = error.response.get("Error", {}).get("Code", "Unknown")
        message = _first_line(error.response.get("Error", {}).get("Message", "")) or "no message"
        call = error.operation_name
        if code in _ACCESS_DENIED:
            return f"access denied calling {call}: {message}"
        if code in _EXPIRED:
            return f"AWS credentials expired ({code} calling {call}): refresh them (aws sso login, new keys)"
        if code in _REJECTED_CREDENTIALS:
            return f"AWS rejected the credentials ({code} calling {call}): {message}"
        return f"{code} calling {call}: {message}"
    if isinstance(error, NoCredentialsError | PartialCredentialsError):
        return (
            f"no usable AWS credentials ({error}): configure them (aws configure, aws sso login, "
            "AWS_PROFILE) or pass --profile"
        )
    if isinstance(
        error, EndpointConnectionError | ConnectTimeoutError | ConnectionClosedError | ReadTimeoutError
    ):
        if endpoint_url:
            return f"cannot reach {endpoint_url} ({_first_line(str(error))}): {LOCAL_CLOUD_HINT}"
        return f"cannot reach AWS: {_first_line(str(error))}"
    return _first_line(str(error)) or type(error).__name__
