"""The CloudWatch metrics SageMaker publishes for each InvokeEndpoint, written to moto's CloudWatch.

As documented for real-time endpoints ("SageMaker AI metrics in Amazon CloudWatch"), namespace
`AWS/SageMaker`, dimensions `EndpointName` and `VariantName`:

- `Invocations`: 1 per request sent to the model (errors included), unit `None`;
- `Invocation4XXErrors` / `Invocation5XXErrors`: 1 when the model answered 4xx / 5xx, else 0, unit `None`;
- `ModelLatency`: the model's response time as seen from SageMaker, unit `Microseconds`;
- `OverheadLatency`: the rest of the request's time in SageMaker, unit `Microseconds`.

A serverless endpoint's invocations also publish, per invocation (Developer Guide, "Alarms and logs for
tracking metrics from serverless endpoints", whose list is exhaustive):

- `ModelSetupTime`: the cold start's length when the invocation had one, unit `Microseconds`;
- `ServerlessConcurrentExecutionsUtilization`: invocations running divided by `MaxConcurrency`, unit `None`;
- with provisioned concurrency, `ServerlessProvisionedConcurrencyExecutions` (provisioned environments
  serving, `Count`), `ServerlessProvisionedConcurrencyUtilization` (those divided by the provisioned
  concurrency, `None`), `ServerlessProvisionedConcurrencyInvocations` and
  `ServerlessProvisionedConcurrencySpilloverInvocations` (1 when a provisioned, resp. an on-demand,
  environment served it, else 0; `Count`).

A throttled invocation reached no model and publishes nothing: no metric of that list counts throttles
(`Invocation4XXErrors` counts the model's 4xx answers).

`metric_data` and `serverless_metric_data` build the data (no moto); `publish` puts it into the local
cloud's CloudWatch, and never raises: a metric must not break an invocation.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import Any

from localcloud.sagemaker.serverless_capacity import Slot

NAMESPACE = "AWS/SageMaker"
NO_RESPONSE = 0  # status code when the model server gave no HTTP response at all

LOG = logging.getLogger(__name__)


def _datum_factory(endpoint_name: str, variant_name: str) -> Callable[[str, float, str], dict[str, Any]]:
    dimensions = [
        {"Name": "EndpointName", "Value": endpoint_name},
        {"Name": "VariantName", "Value": variant_name},
    ]

    def datum(name: str, value: float, unit: str) -> dict[str, Any]:
        return {"MetricName": name, "Dimensions": dimensions, "Value": float(value), "Unit": unit}

    return datum


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
    datum = _datum_factory(endpoint_name, variant_name)
    is_4xx = 400 <= status_code < 500
    is_5xx = status_code >= 500 or status_code == NO_RESPONSE

    data = [
        datum("Invocations", 1, "None"),
        datum("Invocation4XXErrors", int(is_4xx), "None"),
        datum("Invocation5XXErrors", int(is_5xx), "None"),
    ]
    if model_latency_us is not None:
        data.append(datum("ModelLatency", max(model_latency_us, 0), "Microseconds"))
    data.append(datum("OverheadLatency", max(overhead_latency_us, 0), "Microseconds"))
    return data


def serverless_metric_data(
    endpoint_name: str,
    variant_name: str,
    slot: Slot,
    max_concurrency: int,
    provisioned_concurrency: int,
) -> list[dict[str, Any]]:
    """The serverless metrics of one invocation admitted as `slot`."""
    datum = _datum_factory(endpoint_name, variant_name)

    data: list[dict[str, Any]] = []
    if slot.setup_seconds is not None:
        data.append(datum("ModelSetupTime", round(slot.setup_seconds * 1_000_000), "Microseconds"))
    data.append(datum("ServerlessConcurrentExecutionsUtilization", slot.concurrent / max_concurrency, "None"))
    if provisioned_concurrency:
        data += [
            datum("ServerlessProvisionedConcurrencyExecutions", slot.provisioned_busy, "Count"),
            datum(
                "ServerlessProvisionedConcurrencyUtilization",
                slot.provisioned_busy / provisioned_concurrency,
                "None",
            ),
            datum("ServerlessProvisionedConcurrencyInvocations", int(slot.provisioned), "Count"),
            datum("ServerlessProvisionedConcurrencySpilloverInvocations", int(not slot.provisioned), "Count"),
        ]
    return data


def publish(
    account_id: str,
    region: str,
    endpoint_name: str,
    variant_name: str,
    status_code: int,
    model_latency_us: int | None,
    overhead_latency_us: int,
    extra: Sequence[dict[str, Any]] = (),
) -> None:
    """Put one invocation's metrics and the `extra` data into moto's CloudWatch; log and return on errors."""
    try:
        from moto.cloudwatch.models import cloudwatch_backends

        data = metric_data(endpoint_name, variant_name, status_code, model_latency_us, overhead_latency_us)
        data += extra
        cloudwatch_backends[account_id][region].put_metric_data(NAMESPACE, data)
    except Exception:  # a metric must never break the invocation it describes
        LOG.exception("could not publish SageMaker invocation metrics for endpoint %s", endpoint_name)
