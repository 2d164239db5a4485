"""InvokeEndpoint answered without moto's server dispatch and request machinery around it.

moto's server finds the service of every request (Host header, then the signature's credential scope),
then runs a Flask application per service: request context, URL map, CORS, response wrapping. Its
SageMaker Runtime handler then parses the request again (form data, query string, the headers as
parameters), finds the operation by matching the URL against the service model, and lists the handler's
methods to call it. For an InvokeEndpoint all that cost about as much as the model server's whole answer,
on the path users and the canary's traffic time.

This shortcut recognises the requests moto's dispatcher would hand to SageMaker Runtime's `/invocations`
route (a POST to `/endpoints/<name>/invocations` signed for `sagemaker`, on a host that names no AWS
service, with a body that is not content-encoded) and answers them with the same answer
(`localcloud.sagemaker.invocations`): the account and region found by moto's own methods, the response
shaped by moto's own `_transform_response` and `_enrich_response`, plus what the Flask application added
(the CORS header). A request signed by a role session goes through moto's handler, which authorizes it
(`localcloud.iam.request_authorization`); no other caller is authorized, there or here. Requests from a
browser (an Origin header, whose CORS answer depends on it) and everything else go to moto's server
unchanged.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import urlsplit

from flask import Response
from moto.iam.models import mark_account_as_visited
from moto.moto_api import recorder
from moto.moto_server.werkzeug_app import BackendRequest
from moto.sagemakerruntime.responses import SageMakerRuntimeResponse

from localcloud.iam import role_sessions
from localcloud.sagemaker import invocations

WsgiApplication = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]

_INVOCATIONS_PATH = re.compile(r"/endpoints/[^/]+/invocations")
# A SigV4 Authorization header's credential scope: Credential=<key>/<date>/<region>/<service>/aws4_request
_SIGNED_FOR_SAGEMAKER = re.compile(
    r"^AWS4-HMAC-SHA256 Credential=[^/,\s]+/[^/]+/[^/]+/sagemaker/aws4_request"
)
# What moto's CORS(app) answers to a request without an Origin header.
_CORS_HEADERS = (("Access-Control-Allow-Origin", "*"),)
# The headers moto's handler starts every answer from (BaseResponse.setup_class, for a request that came
# through a WSGI server, which adds the Date header itself).
_MOTO_RESPONSE_HEADERS = {"server": "amazon.com"}


def is_invocation(environ: dict[str, Any]) -> bool:
    """Whether moto's dispatcher would hand this request to SageMaker Runtime's /invocations route and its
    answer would not depend on the request's origin or need its body decoded."""
    return (
        environ.get("REQUEST_METHOD") == "POST"
        and _INVOCATIONS_PATH.fullmatch(environ.get("PATH_INFO", "")) is not None
        and _SIGNED_FOR_SAGEMAKER.match(environ.get("HTTP_AUTHORIZATION", "")) is not None
        and "amazonaws.com" not in environ.get("HTTP_HOST", "")
        and "HTTP_ORIGIN" not in environ
        and "HTTP_CONTENT_ENCODING" not in environ
    )


def with_invocation_shortcut(application: WsgiApplication) -> WsgiApplication:
    """`application` (moto's server), with InvokeEndpoint requests answered directly."""

    def serve(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if not is_invocation(environ):
            return application(environ, start_response)
        # What moto's convert_to_flask_response does around the handler, minus the Flask request context.
        request = BackendRequest(environ)
        recorder._record_request(request)
        status, headers, content = _answer(request)
        response = Response(response=content, status=status, headers=headers)
        response.headers.extend(_CORS_HEADERS)
        return response(environ, start_response)

    return serve


def _answer(request: BackendRequest) -> tuple[int, dict[str, str], Any]:
    handler = SageMakerRuntimeResponse()
    # The two attributes moto's methods for the caller's access key, account and region read; moto's
    # setup_class sets them (and parses everything else) for every request. A moto upgrade that changes
    # what they read fails tests/localcloud/sagemaker/test_invocation_shortcut.py, which compares answers.
    handler.headers = request.headers
    handler.querystring = {}
    access_key = handler.get_access_key()
    if role_sessions.session_for_access_key(access_key) is not None:
        # Authorized where moto authorizes (localcloud.iam.request_authorization), then the same answer.
        return SageMakerRuntimeResponse.dispatch(request, request.raw_url, dict(request.headers))
    account = handler.get_current_account()
    url = request.raw_url  # werkzeug builds it anew at each read
    region = handler.get_region_from_url(request, url)
    # What setup_class records of every request: the access key's last use, as IAM reports it.
    mark_account_as_visited(
        account_id=account, access_key=access_key, service=handler.service_name, region=region
    )
    answer = invocations.answer(
        invocations.Invocation(
            account=account,
            region=region,
            endpoint_name=invocations.endpoint_name_from_path(urlsplit(url).path),
            content_type=request.headers.get("Content-Type"),
            accept=request.headers.get("Accept"),
            body=request.get_data(),
        )
    )
    status, headers, content = SageMakerRuntimeResponse._transform_response(
        dict(_MOTO_RESPONSE_HEADERS), answer
    )
    headers, content = SageMakerRuntimeResponse._enrich_response(headers, content)
    return status, headers, content
