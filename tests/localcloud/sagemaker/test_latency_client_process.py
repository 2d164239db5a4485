"""`make bench` measures endpoint latency from a client process of its own, as an application calls the local
cloud; the reports come back whole, and a client that cannot run fails the measurement with its error."""

from __future__ import annotations

import pytest

from localcloud.sagemaker.latency import Target, instant_answers, measure_in_a_client_process

ROWS = ["1,2,3", "4,5,6"]


def test_each_target_is_measured_from_the_client_process() -> None:
    with instant_answers() as url:
        reports = measure_in_a_client_process(
            {"plain": Target.http(f"{url}/invocations"), "boto3": Target.boto3(url, "any-endpoint")},
            ROWS,
            single_row_requests=25,
        )

    assert set(reports) == {"plain", "boto3"}
    for report in reports.values():
        assert report.single_row_requests == 25
        assert 0 < report.single_row_p50_ms <= report.single_row_p99_ms
        assert report.batch_rows == 1000 and report.batch_rows_per_second > 0


def test_a_failing_client_fails_the_measurement_with_its_error() -> None:
    with instant_answers() as url, pytest.raises(RuntimeError, match="unknown target kind 'grpc'"):
        measure_in_a_client_process({"odd": Target("grpc", url)}, ROWS, single_row_requests=5)
