"""`make bench` measures endpoint latency from a client process of its own, as an application calls the local
cloud; the reports come back whole, and a client that cannot run fails the measurement with its error."""

from __future__ import annotations

from typing import Any

import boto3
import pytest

from localcloud.sagemaker.latency import (
    Target,
    instant_answers,
    measure_in_a_client_process,
    send_straight_to,
)

ROWS = ["1,2,3", "4,5,6"]


def test_each_target_is_measured_from_the_client_process() -> None:
    with instant_answers() as url:
        reports = measure_in_a_client_process(
            {
                "plain": Target.http(f"{url}/invocations"),
                "boto3": Target.boto3(url, "any-endpoint"),
                "boto3-straight": Target.boto3_straight(f"{url}/invocations"),
            },
            ROWS,
            single_row_requests=25,
        )

    assert set(reports) == {"plain", "boto3", "boto3-straight"}
    for report in reports.values():
        assert report.single_row_requests == 25
        assert 0 < report.single_row_p50_ms <= report.single_row_p99_ms
        assert report.batch_rows == 1000 and report.batch_rows_per_second > 0


def test_a_failing_client_fails_the_measurement_with_its_error() -> None:
    with instant_answers() as url, pytest.raises(RuntimeError, match="unknown target kind 'grpc'"):
        measure_in_a_client_process({"odd": Target("grpc", url)}, ROWS, single_row_requests=5)


class _Sent(Exception):
    def __init__(self, request: Any) -> None:
        self.request = request


def test_the_straight_baseline_sends_boto3s_signed_invoke_endpoint_to_the_model_servers_url() -> None:
    client = boto3.client(
        "sagemaker-runtime",
        endpoint_url="http://127.0.0.1:1",
        region_name="us-east-1",
        aws_access_key_id="test",
        aws_secret_access_key="test",
    )
    send_straight_to(client, "http://127.0.0.1:8080/invocations")

    def capture(request: Any, **_: Any) -> None:
        raise _Sent(request)

    client.meta.events.register("before-send.sagemaker-runtime.InvokeEndpoint", capture)
    with pytest.raises(_Sent) as sent:
        client.invoke_endpoint(EndpointName="churn", ContentType="text/csv", Body=b"1,2,3")

    request = sent.value.request
    assert request.url == "http://127.0.0.1:8080/invocations"
    assert request.headers["Content-Type"] == b"text/csv"
    assert request.headers["Authorization"].startswith(b"AWS4-HMAC-SHA256 Credential=test/")
    assert request.body == b"1,2,3"
