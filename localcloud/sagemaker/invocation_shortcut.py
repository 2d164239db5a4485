"""InvokeEndpoint straight to moto's SageMaker Runtime handler, without moto's server dispatch around it.

moto's server finds the service of every request (Host header, then the signature's credential scope),
then runs a Flask application per service: request context, URL map, CORS, response wrapping. For an
InvokeEndpoint that machinery cost about as much as the model server's whole answer, on the path users
and the canary's traffic time.

This shortcut recognises the requests moto's dispatcher would hand to SageMaker Runtime's `/invocations`
route (a POST to `/endpoints/<name>/invocations` signed for `sagemaker`, on a host that names no AWS
service) and calls the same handler the route calls, `SageMakerRuntimeResponse.dispatch`, with the same
request object: authorization, the endpoint's model server, errors and metrics are moto's and the local
cloud's as before. Only what the Flask application added to the answer is added here (the CORS header).
Requests from a browser (an Origin header, whose CORS answer depends on it) and everything else go to
moto's server unchanged.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any

from flask import Response
from moto.moto_api import recorder
from moto.moto_server.werkzeug_app import BackendRequest
from moto.sagemakerruntime.responses import SageMakerRuntimeResponse

WsgiApplication = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]

_INVOCATIONS_PATH = re.compile(r"/endpoints/[^/]+/invocations")
# A SigV4 Authorization header's credential scope: Credential=<key>/<date>/<region>/<service>/aws4_request
_SIGNED_FOR_SAGEMAKER = re.compile(
    r"^AWS4-HMAC-SHA256 Credential=[^/,\s]+/[^/]+/[^/]+/sagemaker/aws4_request"
)
# What moto's CORS(app) answers to a request without an Origin header.
_CORS_HEADERS = (("Access-Control-Allow-Origin", "*"),)


def is_invocation(environ: dict[str, Any]) -> bool:
    """Whether moto's dispatcher would hand this request to SageMaker Runtime's /invocations route and its
    answer would not depend on the request's origin."""
    return (
        environ.get("REQUEST_METHOD") == "POST"
        and _INVOCATIONS_PATH.fullmatch(environ.get("PATH_INFO", "")) is not None
        and _SIGNED_FOR_SAGEMAKER.match(environ.get("HTTP_AUTHORIZATION", "")) is not None
        and "amazonaws.com" not in environ.get("HTTP_HOST", "")
        and "HTTP_ORIGIN" not in environ
    )


def with_invocation_shortcut(application: WsgiApplication) -> WsgiApplication:
    """`application` (moto's server), with InvokeEndpoint requests answered by the handler directly."""

    def serve(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if not is_invocation(environ):
            return application(environ, start_response)
        # What moto's convert_to_flask_response does around the handler, minus the Flask request context.
        request = BackendRequest(environ)
        recorder._record_request(request)
        status, headers, content = SageMakerRuntimeResponse.dispatch(
            request, request.raw_url, dict(request.headers)
        )
        response = Response(response=content, status=status, headers=headers)
        response.headers.extend(_CORS_HEADERS)
        return response(environ, start_response)

    return serve
