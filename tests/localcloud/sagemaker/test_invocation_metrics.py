"""The CloudWatch metrics built for one InvokeEndpoint (no moto here; the end-to-end check against the
local cloud is test_invocation_metrics_in_cloudwatch in test_sagemaker_moto.py)."""

from __future__ import annotations

from typing import Any

import pytest

from localcloud.sagemaker import invocation_metrics
from localcloud.sagemaker.invocation_metrics import NO_RESPONSE, metric_data

DIMENSIONS = [{"Name": "EndpointName", "Value": "ep"}, {"Name": "VariantName", "Value": "AllTraffic"}]


def _by_name(data: list[dict[str, Any]]) -> dict[str, tuple[float, str]]:
    assert all(datum["Dimensions"] == DIMENSIONS for datum in data)
    return {datum["MetricName"]: (datum["Value"], datum["Unit"]) for datum in data}


def test_a_successful_invocation() -> None:
    assert _by_name(metric_data("ep", "AllTraffic", 200, 1500, 250)) == {
        "Invocations": (1.0, "None"),
        "Invocation4XXErrors": (0.0, "None"),
        "Invocation5XXErrors": (0.0, "None"),
        "ModelLatency": (1500.0, "Microseconds"),
        "OverheadLatency": (250.0, "Microseconds"),
    }


@pytest.mark.parametrize(
    ("status", "errors_4xx", "errors_5xx"),
    [(400, 1.0, 0.0), (415, 1.0, 0.0), (499, 1.0, 0.0), (500, 0.0, 1.0), (503, 0.0, 1.0), (302, 0.0, 0.0)],
)
def test_the_models_status_picks_the_error_metric(status: int, errors_4xx: float, errors_5xx: float) -> None:
    metrics = _by_name(metric_data("ep", "AllTraffic", status, 10, 5))
    assert metrics["Invocations"] == (1.0, "None")  # errors are invocations too
    assert metrics["Invocation4XXErrors"] == (errors_4xx, "None")
    assert metrics["Invocation5XXErrors"] == (errors_5xx, "None")


def test_no_response_from_the_model_is_a_5xx_without_model_latency() -> None:
    metrics = _by_name(metric_data("ep", "AllTraffic", NO_RESPONSE, None, 900))
    assert metrics["Invocation5XXErrors"] == (1.0, "None")
    assert metrics["Invocation4XXErrors"] == (0.0, "None")
    assert "ModelLatency" not in metrics
    assert metrics["OverheadLatency"] == (900.0, "Microseconds")


def test_latencies_are_never_negative() -> None:
    metrics = _by_name(metric_data("ep", "AllTraffic", 200, 5, -3))
    assert metrics["OverheadLatency"] == (0.0, "Microseconds")


def test_publish_logs_and_returns_when_cloudwatch_fails(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    import moto.cloudwatch.models

    class Broken:
        def __getitem__(self, key: str) -> Any:
            raise RuntimeError("cloudwatch is down")

    monkeypatch.setattr(moto.cloudwatch.models, "cloudwatch_backends", Broken())
    invocation_metrics.publish("123456789012", "us-east-1", "ep", "AllTraffic", 200, 10, 5)
    assert "could not publish SageMaker invocation metrics for endpoint ep" in caplog.text
    assert "cloudwatch is down" in caplog.text
