"""InvokeEndpoint answered by the endpoint's local model server, with SageMaker Runtime's errors and metrics.

The answer depends only on the request's account, region, endpoint name, content type, accept type and body
(`Invocation`), so moto's SageMaker Runtime handler (`patches.invoke_endpoint`) and the local cloud's
shortcut for it (`invocation_shortcut`) give the same one. The answer is moto's tuple response: the HTTP
status, the headers (an error's status repeated in a "status" header, which moto reads) and the body.
"""

from __future__ import annotations

import http.client
import json
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote

from moto.core.common_types import TYPE_RESPONSE

from localcloud import config
from localcloud.sagemaker import endpoints, invocation_metrics, serverless_invocations
from localcloud.sagemaker.model_server_connections import ModelServerConnections
from localcloud.sagemaker.serverless_capacity import Slot
from localcloud.shared_state import SAGEMAKER_STATE_LOCK

MODEL_SERVER_CONNECTIONS = ModelServerConnections()
# Statuses in which an endpoint answers InvokeEndpoint: an update or rollback keeps a fleet serving.
SERVING_STATUSES = ("InService", "Updating", "SystemUpdating", "RollingBack")


@dataclass(frozen=True)
class Invocation:
    account: str
    region: str
    endpoint_name: str
    content_type: str | None
    accept: str | None
    body: bytes


def endpoint_name_from_path(path: str) -> str:
    """The endpoint `/endpoints/<name>/invocations` names. Read from the path, never from the (CSV) body,
    which keeps big payloads cheap."""
    return unquote(path.split("/")[2])


def answer(invocation: Invocation) -> TYPE_RESPONSE:
    """InvokeEndpoint routed to the endpoint's model server."""
    from moto.sagemaker.models import sagemaker_backends

    started_ns = time.perf_counter_ns()
    account, region, name = invocation.account, invocation.region, invocation.endpoint_name
    backend = sagemaker_backends[account][region]
    with SAGEMAKER_STATE_LOCK:
        endpoint = backend.endpoints.get(name)
        status = endpoint.endpoint_status if endpoint is not None else None
    server = endpoints.route(account, region, name)
    if endpoint is None or status not in SERVING_STATUSES or server is None:
        return _runtime_error(400, "ValidationError", f"Endpoint {name} of account {account} not found.")
    forwarded = {"Content-Type": invocation.content_type or "text/csv"}
    if invocation.accept:
        forwarded["Accept"] = invocation.accept
    try:
        # A serverless fleet admits up to MaxConcurrency requests, after a cold start when one is due.
        with serverless_invocations.admitted(server, len(invocation.body)) as slot:
            return _answer(invocation, server, forwarded, started_ns, slot)
    except serverless_invocations.Refused as refused:
        error_status, error_headers, error_body = _runtime_error(
            refused.status, refused.code, refused.message
        )
        return error_status, {**error_headers, config.FLEET_HEADER: server.config_name}, error_body


def _runtime_error(status: int, code: str, message: str, **extra: Any) -> TYPE_RESPONSE:
    # moto takes the HTTP status from the "status" header of a tuple response.
    headers = {"Content-Type": "application/json", "x-amzn-ErrorType": code, "status": str(status)}
    return status, headers, json.dumps({"message": message, **extra})


def _answer(
    invocation: Invocation,
    server: endpoints.ModelServer,
    forwarded: dict[str, str],
    started_ns: int,
    slot: Slot | None,
) -> TYPE_RESPONSE:
    """The model server's answer to an admitted request, as InvokeEndpoint returns it, with its metrics."""
    account, region, name = invocation.account, invocation.region, invocation.endpoint_name
    log_group = f"/aws/sagemaker/Endpoints/{name}"
    forwarded_ns = time.perf_counter_ns()
    try:
        status_code, content_type, response_body = _forward(server, invocation.body, forwarded)
    except (OSError, http.client.HTTPException) as error:
        _publish_metrics(invocation, server, invocation_metrics.NO_RESPONSE, started_ns, None, slot)
        return _runtime_error(
            424,
            "ModelError",
            f"Received no response from primary: {error}",
            OriginalStatusCode=0,
            LogStreamArn="",
        )
    model_latency_ns = time.perf_counter_ns() - forwarded_ns
    _publish_metrics(invocation, server, status_code, started_ns, model_latency_ns, slot)
    if status_code >= 400:
        kind = "client" if status_code < 500 else "server"
        text = response_body.decode(errors="replace")
        error_status, error_headers, error_body = _runtime_error(
            424,
            "ModelError",
            f'Received {kind} error ({status_code}) from primary with message "{text}". See the logs of '
            f"{log_group} in account {account} for more information.",
            OriginalStatusCode=status_code,
            OriginalMessage=text,
            LogStreamArn=f"arn:aws:logs:{region}:{account}:log-group:{log_group}",
        )
        return error_status, {**error_headers, config.FLEET_HEADER: server.config_name}, error_body
    headers = {
        "Content-Type": content_type,
        "x-Amzn-Invoked-Production-Variant": server.variant_name,
        config.FLEET_HEADER: server.config_name,
    }
    return 200, headers, response_body


def _forward(server: endpoints.ModelServer, body: bytes, headers: dict[str, str]) -> tuple[int, str, bytes]:
    """POST /invocations on the model server, on a kept-alive connection."""
    return MODEL_SERVER_CONNECTIONS.post(server.host, server.port, "/invocations", body, headers)


def _publish_metrics(
    invocation: Invocation,
    server: endpoints.ModelServer,
    status_code: int,
    started_ns: int,
    model_latency_ns: int | None,
    slot: Slot | None,
) -> None:
    total_us = (time.perf_counter_ns() - started_ns) // 1000
    model_us = None if model_latency_ns is None else model_latency_ns // 1000
    invocation_metrics.publish(
        invocation.account,
        invocation.region,
        invocation.endpoint_name,
        server.variant_name,
        status_code,
        model_us,
        total_us - (model_us or 0),
        extra=serverless_invocations.metric_data(invocation.endpoint_name, server, slot),
    )
