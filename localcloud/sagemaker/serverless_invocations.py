"""InvokeEndpoint on a serverless endpoint: what SageMaker refuses before the model sees the request, and
the serverless metrics of what it admits.

- A body over 4 MB ("The maximum request and response payload size for serverless invocations is 4 MB",
  Developer Guide, "Invoke a serverless endpoint") is refused as AWS refuses it: `ValidationError`, HTTP
  400, `Request <request id> has oversize body.` (reported in aws/sagemaker-python-sdk#4271). 4 MB is taken
  as MiB, as the 6 MB of real-time endpoints is 6,291,456 bytes in the InvokeEndpoint API model.
- An invocation beyond `MaxConcurrency` is throttled at once ("any endpoint invocations beyond the maximum
  are throttled", "Concurrent invocations"): error code `ThrottlingException`, as a serverless endpoint
  answers the invocations over its `MaxConcurrency` (ManuLasker/sagemaker-serverless-inference measured
  10 of 160 concurrent callers of a MaxConcurrency 150 endpoint getting it). InvokeEndpoint's API
  Reference does not list it; the API Reference's Common Errors give `ThrottlingException` HTTP 400 and
  "The request was denied due to request throttling.", which the local cloud answers (AWS was seen to send
  no message at all: botocore printed `None`). botocore retries it, as any throttling error (legacy and
  standard retry modes): a caller that must see it sets `retries={"max_attempts": 1}`.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from localcloud.sagemaker.endpoints import ModelServer
from localcloud.sagemaker.invocation_metrics import serverless_metric_data
from localcloud.sagemaker.serverless_capacity import Slot, Throttled

MAX_PAYLOAD_BYTES = 4 * 1024 * 1024
THROTTLING_STATUS = 400
THROTTLING_CODE = "ThrottlingException"
THROTTLING_MESSAGE = "The request was denied due to request throttling."


class Refused(Exception):
    """SageMaker's answer to a request it does not send to the model."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


@contextmanager
def admitted(server: ModelServer, body_size: int) -> Iterator[Slot | None]:
    """The request's slot on a serverless fleet for the duration of the block (None on an instance-based
    fleet, which admits everything); raises Refused for a body too large or a fleet at MaxConcurrency."""
    capacity = server.serverless
    if capacity is None:
        yield None
        return
    if body_size > MAX_PAYLOAD_BYTES:
        raise Refused(400, "ValidationError", f"Request {uuid.uuid4()} has oversize body.")
    try:
        slot = capacity.acquire()
    except Throttled:
        raise Refused(THROTTLING_STATUS, THROTTLING_CODE, THROTTLING_MESSAGE) from None
    try:
        yield slot
    finally:
        capacity.release(slot)


def metric_data(endpoint_name: str, server: ModelServer, slot: Slot | None) -> list[dict[str, Any]]:
    """The serverless metrics of an admitted invocation; none for an instance-based fleet."""
    if slot is None or server.serverless is None:
        return []
    settings = server.serverless.settings
    return serverless_metric_data(
        endpoint_name, server.variant_name, slot, settings.max_concurrency, settings.provisioned_concurrency
    )
