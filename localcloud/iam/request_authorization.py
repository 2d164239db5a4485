"""Every HTTP request the local cloud serves is authorized as its caller, where moto would check IAM.

moto calls `_authenticate_and_authorize_normal_action` (JSON and query services) and
`_authenticate_and_authorize_s3_action` (S3) before each action; its own check only runs after a
request counter and knows few condition operators. These replacements authorize a request signed with
a role session's credentials (`role_sessions`: the credentials a service got for its role) with the
local cloud's evaluator, and leave requests signed with any other key alone: Terraform, the demo and
the tests use the admin test keys, as an administrator would on AWS.

A denied request gets the error AWS returns: `AccessDeniedException` (HTTP 400) for JSON services,
`AccessDenied` (HTTP 403) for S3 and query-protocol services (SNS, STS, IAM), with AWS's message. The
caller is found from the Authorization header or, for a presigned URL, the query string's credential.
"""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import parse_qs, urlparse

from botocore.exceptions import DataNotFoundError
from moto.core.authorization import ActionAuthenticatorMixin
from moto.core.exceptions import AccessDeniedError, JsonRESTError
from moto.core.utils import get_service_model
from moto.s3.exceptions import S3ClientError

from localcloud import config, patching
from localcloud.iam import api_calls, authorization, role_sessions, s3_kms
from localcloud.iam.authorization import AccessDenied
from localcloud.iam.role_sessions import RoleSession
from localcloud.iam.service_reference import UnknownAuthorization

_CREDENTIAL = re.compile(r"Credential=([^/,\s]+)/[^/]+/([^/]+)/([^/]+)/")


class S3AccessDenied(S3ClientError):
    code = "AccessDenied"

    def __init__(self, message: str) -> None:
        super().__init__("AccessDenied", message)


class _QueryAccessDenied(AccessDeniedError):
    """moto's AccessDenied (HTTP 403, XML) with AWS's full message instead of moto's shorter one."""

    def __init__(self, message: str) -> None:
        super(AccessDeniedError, self).__init__("AccessDenied", message)


def _caller(response: Any) -> tuple[RoleSession, str] | None:
    """The role session that signed the request and the signing name, or None for any other caller.

    The credential is in the Authorization header, or in the query string of a presigned URL.
    """
    match = _CREDENTIAL.search(response.headers.get("Authorization") or "")
    if match:
        access_key_id, signing_name = match.group(1), match.group(3)
    else:
        query = parse_qs(urlparse(response.uri).query)
        presigned = _CREDENTIAL.search(f"Credential={query.get('X-Amz-Credential', [''])[0]}/")
        if presigned:  # SigV4 presigned URL
            access_key_id, signing_name = presigned.group(1), presigned.group(3)
        elif query.get("AWSAccessKeyId"):  # SigV2 presigned URL (boto3's default for S3)
            access_key_id, signing_name = query["AWSAccessKeyId"][0], "s3"
        else:
            return None
    session = role_sessions.session_for_access_key(access_key_id)
    return (session, signing_name) if session else None


def _unknown(session: RoleSession, what: str, error: UnknownAuthorization) -> AccessDenied:
    return AccessDenied(
        f"User: {session.arn} is not authorized to perform: {what} because the local cloud cannot authorize "
        f"it: {error}",
        action=what,
        resource="*",
        principal_arn=session.arn,
    )


def _authorize_all(session: RoleSession, calls: list[api_calls.ApiCall]) -> None:
    for call in calls:
        authorization.authorize(session, call.action, call.resources, call.context)


# Protocols whose errors are JSON: a denied request of such a service gets AccessDeniedException in JSON
# whatever its body is (InvokeEndpoint's body is the model's CSV, Lambda's GetFunction has none).
_JSON_PROTOCOLS = frozenset({"json", "rest-json"})


def _service_protocol(response: Any) -> str | None:
    """The botocore protocol of the service moto's handler serves; None when moto names no service model."""
    service_name = getattr(response, "boto3_service_name", "")
    if not service_name:
        return None
    try:
        return get_service_model(service_name).protocol
    except DataNotFoundError:  # botocore has no model of that name (UnknownServiceError is one)
        return None


def _has_json_body(response: Any) -> bool:
    """Whether the request's parameters are a JSON body (JSON protocol, or REST-JSON with a body)."""
    return bool(response.headers.get("X-Amz-Target")) or "json" in (
        response.headers.get("Content-Type") or ""
    )


def _answers_in_json(response: Any) -> bool:
    return _has_json_body(response) or _service_protocol(response) in _JSON_PROTOCOLS


def _path_parameters(response: Any) -> dict[str, str]:
    """The request parameters a REST API takes from the path, as moto's router matched them while finding the
    operation (`EndpointName` of SageMaker Runtime's /endpoints/<EndpointName>/invocations)."""
    matched = getattr(response, "uri_match", None) or {}
    return {name: value for name, value in matched.items() if isinstance(value, str)}


def _query_parameters(response: Any) -> dict[str, str]:
    """A query-protocol request's parameters (form body or query string), first value of each."""
    return {name: values[0] for name, values in response.querystring.items() if values and name != "Action"}


def authorize_normal_action(self: Any, resource: str = "*") -> None:
    caller = _caller(self)
    if caller is None:
        return
    session, signing_name = caller
    operation = self._get_action()
    json_errors = _answers_in_json(self)
    try:
        if signing_name == "lambda":
            # Lambda names the function in the path (/2015-03-31/functions/<name or ARN>/invocations, a path
            # parameter like every REST API's, below); the body of an Invoke is the function's payload.
            parameters = {}
        elif _has_json_body(self):
            # moto's DynamoDB handler replaces `body` with its parsed parameters before authorizing.
            if isinstance(self.body, dict):
                parameters = self.body
            else:
                parameters = json.loads(self.body or "{}") if isinstance(self.body, str | bytes) else {}
        else:
            parameters = _query_parameters(self)
        parameters = {**parameters, **_path_parameters(self)}
        calls = api_calls.json_api_calls(
            signing_name, operation, parameters, region=self.region, account=config.ACCOUNT_ID
        )
        _authorize_all(session, calls)
    except UnknownAuthorization as error:
        message = _unknown(session, f"{api_calls.iam_prefix(signing_name)}:{operation}", error).message
        if json_errors:
            raise JsonRESTError("AccessDeniedException", message) from error
        raise _QueryAccessDenied(message) from error
    except AccessDenied as denied:
        if json_errors:
            raise JsonRESTError("AccessDeniedException", denied.message) from denied
        raise _QueryAccessDenied(denied.message) from denied


def authorize_s3_action(self: Any, bucket_name: str | None = None, key_name: str | None = None) -> None:
    caller = _caller(self)
    if caller is None:
        return
    session, _ = caller
    operation = self.data.get("Action", "")
    query = parse_qs(urlparse(self.uri).query, keep_blank_values=True)
    try:
        headers = dict(self.headers)
        calls = api_calls.s3_api_calls(operation, bucket_name, key_name, query, headers)
        _authorize_all(session, calls)
        # Then the KMS calls S3 makes as the caller for an SSE-KMS object (s3_kms).
        s3_kms.authorize(
            session, s3_kms.object_calls(operation, self.method, bucket_name, key_name, query, headers)
        )
    except UnknownAuthorization as error:
        raise S3AccessDenied(_unknown(session, f"s3:{operation}", error).message) from error
    except AccessDenied as denied:
        raise S3AccessDenied(denied.message) from denied


# Replaced, not wrapped: moto's check authorizes with its own evaluator, and only once a request counter
# passes INITIAL_NO_AUTH_ACTION_COUNT; nothing of it is kept.
PATCHES = (
    patching.replace(
        __name__,
        ActionAuthenticatorMixin,
        "_authenticate_and_authorize_normal_action",
        fingerprint="eaa6fd7174850bcb",
        replacement=authorize_normal_action,
    ),
    patching.replace(
        __name__,
        ActionAuthenticatorMixin,
        "_authenticate_and_authorize_s3_action",
        fingerprint="f42e68966e400a18",
        replacement=authorize_s3_action,
    ),
)


def request_caller(response: Any) -> RoleSession | None:
    """The role session that signed this request, for checks a service makes with the caller's
    permissions beyond the action itself (SageMaker reading the rollback alarms of an UpdateEndpoint)."""
    caller = _caller(response)
    return caller[0] if caller is not None else None
