"""The CloudWatch metrics SageMaker publishes for each InvokeEndpoint, written to moto's CloudWatch.

As documented for real-time endpoints ("SageMaker AI metrics in Amazon CloudWatch"), namespace
`AWS/SageMaker`, dimensions `EndpointName` and `VariantName`:

- `Invocations`: 1 per request sent to the model (errors included), unit `None`;
- `Invocation4XXErrors` / `Invocation5XXErrors`: 1 when the model answered 4xx / 5xx, else 0, unit `None`;
- `ModelLatency`: the model's response time as seen from SageMaker, unit `Microseconds`;
- `OverheadLatency`: the rest of the request's time in SageMaker, unit `Microseconds`.

`metric_data` builds the data (no moto); `publish` builds it and puts it into the local cloud's
CloudWatch, and never raises: a metric must not break an invocation.
"""

from __future__ import annotations

import logging
from typing import Any

NAMESPACE = "AWS/SageMaker"
NO_RESPONSE = 0  # status code when the model server gave no HTTP response at all

LOG = logging.getLogger(__name__)


def metric_data(
    endpoint_name: str,
    variant_name: str,
    status_code: int,
    model_latency_us: int | None,
    overhead_latency_us: int,
) -> list[dict[str, Any]]:
    """PutMetricData `MetricData` for one invocation the model server answered with `status_code`.

    `NO_RESPONSE` (the server could not be reached) counts as a 5xx; `model_latency_us` None (no
    response to time) leaves `ModelLatency` out.
    """
    dimensions = [
        {"Name": "EndpointName", "Value": endpoint_name},
        {"Name": "VariantName", "Value": variant_name},
    ]
    is_4xx = 400 <= status_code < 500
    is_5xx = status_code >= 500 or status_code == NO_RESPONSE

    def datum(name: str, value: float, unit: str) -> dict[str, Any]:
        return {"MetricName": name, "Dimensions": dimensions, "Value": float(value), "Unit": unit}

    data = [
        datum("Invocations", 1, "None"),
        datum("Invocation4XXErrors", int(is_4xx), "None"),
        datum("Invocation5XXErrors", int(is_5xx), "None"),
    ]
    if model_latency_us is not None:
        data.append(datum("ModelLatency", max(model_latency_us, 0), "Microseconds"))
    data.append(datum("OverheadLatency", max(overhead_latency_us, 0), "Microseconds"))
    return data


def publish(
    account_id: str,
    region: str,
    endpoint_name: str,
    variant_name: str,
    status_code: int,
    model_latency_us: int | None,
    overhead_latency_us: int,
) -> None:
    """Put one invocation's metrics into moto's CloudWatch; log and return on any error."""
    try:
        from moto.cloudwatch.models import cloudwatch_backends

        data = metric_data(endpoint_name, variant_name, status_code, model_latency_us, overhead_latency_us)
        cloudwatch_backends[account_id][region].put_metric_data(NAMESPACE, data)
    except Exception:  # a metric must never break the invocation it describes
        LOG.exception("could not publish SageMaker invocation metrics for endpoint %s", endpoint_name)
