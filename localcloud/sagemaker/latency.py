"""Latency and throughput of an endpoint, for `make bench` (prints numbers; asserts nothing).

invoke = boto3_invoker(endpoint_url, "churn-xgboost-endpoint")         # through InvokeEndpoint
invoke = boto3_straight_invoker("http://127.0.0.1:PORT/invocations")   # boto3's same request, straight
invoke = http_invoker("http://127.0.0.1:PORT/invocations")             # to a model server; a plain POST
with instant_answers() as url:                                         # boto3's own cost: a server that
    invoke = boto3_invoker(url, "any")                                 # answers at once
report = measure(invoke, rows)     # rows: list of CSV feature lines (no label)
print(report.format())

reports = measure_in_a_client_process(                                 # the same, from a process of its own
    {"through": Target.boto3(endpoint_url, name), "straight": Target.http(url)}, rows
)

A benchmark whose local cloud runs in its own process measures from a client process of its own, as an
application calls the local cloud: a client in the server's process shares its GIL, and each waits for the
other's Python (a single-row p50 of 2.8-3.4 ms in the bench's process against 2.1-2.4 ms from another).
"""

from __future__ import annotations

import contextlib
import dataclasses
import http.client
import json
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

import numpy as np

Invoker = Callable[[bytes], bytes]


def http_invoker(invocations_url: str) -> Invoker:
    """POST text/csv to a SageMaker-protocol /invocations URL over one kept-alive connection."""
    parts = urlsplit(invocations_url)
    connection = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port or 80, timeout=60)

    def invoke(body: bytes) -> bytes:
        connection.request(
            "POST", parts.path or "/invocations", body=body, headers={"Content-Type": "text/csv"}
        )
        response = connection.getresponse()
        payload = response.read()
        if response.status != 200:
            raise RuntimeError(f"{invocations_url} answered {response.status}: {payload[:200]!r}")
        return payload

    return invoke


def _runtime_client(endpoint_url: str, region: str) -> Any:
    import boto3

    return boto3.client(
        "sagemaker-runtime",
        endpoint_url=endpoint_url,
        region_name=region,
        aws_access_key_id="test",
        aws_secret_access_key="test",
    )


def _invoke_endpoint(client: Any, endpoint_name: str) -> Invoker:
    def invoke(body: bytes) -> bytes:
        response = client.invoke_endpoint(EndpointName=endpoint_name, ContentType="text/csv", Body=body)
        return response["Body"].read()

    return invoke


def boto3_invoker(endpoint_url: str, endpoint_name: str, region: str = "us-east-1") -> Invoker:
    """InvokeEndpoint through sagemaker-runtime at endpoint_url (the local cloud), as users call it."""
    return _invoke_endpoint(_runtime_client(endpoint_url, region), endpoint_name)


def send_straight_to(client: Any, invocations_url: str) -> None:
    """Make `client` (boto3 sagemaker-runtime) send each InvokeEndpoint, built and signed as ever, to
    `invocations_url` instead of its endpoint's path."""

    def redirect(request: Any, **_: Any) -> None:
        request.url = invocations_url

    client.meta.events.register("before-send.sagemaker-runtime.InvokeEndpoint", redirect)


def boto3_straight_invoker(invocations_url: str, region: str = "us-east-1") -> Invoker:
    """InvokeEndpoint as boto3 builds, signs, sends and parses it, straight to a model server's /invocations:
    a baseline with the same client work as `boto3_invoker`'s, so that the ratio of the two is what the local
    cloud between them costs an application, on any machine."""
    client = _runtime_client(invocations_url, region)
    send_straight_to(client, invocations_url)
    return _invoke_endpoint(client, "straight-to-the-model-server")


class _InstantAnswer(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True

    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        answer = b"0.5"
        self.send_response(200)
        self.send_header("Content-Type", "text/csv")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)


@contextlib.contextmanager
def instant_answers() -> Iterator[str]:
    """An endpoint URL whose every POST is answered at once with one prediction, from a thread of this
    process (as the in-process local cloud serves): the time a client takes against it is the client's own
    cost, the floor of any request it makes."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _InstantAnswer)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@dataclass(frozen=True)
class LatencyReport:
    single_row_requests: int
    single_row_p50_ms: float
    single_row_p99_ms: float
    single_row_rows_per_second: float
    batch_rows: int
    batch_requests: int
    batch_rows_per_second: float

    def format(self) -> str:
        return (
            f"single row: p50 {self.single_row_p50_ms:.2f} ms, p99 {self.single_row_p99_ms:.2f} ms, "
            f"{self.single_row_rows_per_second:,.0f} rows/s ({self.single_row_requests} requests)\n"
            f"{self.batch_rows}-row requests: {self.batch_rows_per_second:,.0f} rows/s "
            f"({self.batch_requests} requests)"
        )


def measure(
    invoke: Invoker,
    rows: Sequence[str],
    single_row_requests: int = 1000,
    batch_rows: int = 1000,
    batch_requests: int = 20,
    warmup_requests: int = 20,
) -> LatencyReport:
    """p50/p99 of sequential single-row requests, and rows/s for single-row and batch_rows-row requests."""
    if not rows:
        raise ValueError("measure() needs at least one CSV row")
    payloads = [row.strip().encode() for row in rows]
    for index in range(warmup_requests):
        invoke(payloads[index % len(payloads)])

    latencies = np.empty(single_row_requests)
    started = time.perf_counter()
    for index in range(single_row_requests):
        before = time.perf_counter()
        invoke(payloads[index % len(payloads)])
        latencies[index] = time.perf_counter() - before
    single_elapsed = time.perf_counter() - started

    # Cycle the sample rows up to batch_rows so the batch size does not depend on the sample's size.
    batch = b"\n".join(payloads[index % len(payloads)] for index in range(batch_rows))
    started = time.perf_counter()
    for _ in range(batch_requests):
        invoke(batch)
    batch_elapsed = time.perf_counter() - started

    return LatencyReport(
        single_row_requests=single_row_requests,
        single_row_p50_ms=float(np.percentile(latencies, 50) * 1000),
        single_row_p99_ms=float(np.percentile(latencies, 99) * 1000),
        single_row_rows_per_second=single_row_requests / single_elapsed,
        batch_rows=batch_rows,
        batch_requests=batch_requests,
        batch_rows_per_second=batch_rows * batch_requests / batch_elapsed,
    )


@dataclass(frozen=True)
class Target:
    """What a client process measures: InvokeEndpoint with boto3 (`endpoint_url`, `endpoint_name`); boto3's
    InvokeEndpoint sent straight to an /invocations URL; or POSTs to it with http.client (`url`)."""

    kind: str
    url: str
    endpoint_name: str = ""

    @classmethod
    def boto3(cls, endpoint_url: str, endpoint_name: str) -> Target:
        return cls("boto3", endpoint_url, endpoint_name)

    @classmethod
    def boto3_straight(cls, invocations_url: str) -> Target:
        return cls("boto3-straight", invocations_url)

    @classmethod
    def http(cls, invocations_url: str) -> Target:
        return cls("http", invocations_url)

    def invoker(self) -> Invoker:
        if self.kind == "boto3":
            return boto3_invoker(self.url, self.endpoint_name)
        if self.kind == "boto3-straight":
            return boto3_straight_invoker(self.url)
        if self.kind == "http":
            return http_invoker(self.url)
        raise ValueError(f"unknown target kind {self.kind!r}: boto3, boto3-straight or http")


def measure_in_a_client_process(
    targets: Mapping[str, Target], rows: Sequence[str], single_row_requests: int = 1000
) -> dict[str, LatencyReport]:
    """`measure` each target, one after the other, from a new Python process (this module's main)."""
    request = {
        "targets": {name: dataclasses.asdict(target) for name, target in targets.items()},
        "rows": list(rows),
        "single_row_requests": single_row_requests,
    }
    completed = subprocess.run(
        [sys.executable, "-m", __name__],
        input=json.dumps(request),
        capture_output=True,
        text=True,
        check=False,
    )
    if completed.returncode != 0:
        raise RuntimeError(
            f"the latency client process failed (exit {completed.returncode}):\n{completed.stderr}"
        )
    return {name: LatencyReport(**report) for name, report in json.loads(completed.stdout).items()}


def _measure_request(request: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {
        name: dataclasses.asdict(
            measure(
                Target(**target).invoker(),
                request["rows"],
                single_row_requests=request["single_row_requests"],
            )
        )
        for name, target in request["targets"].items()
    }


if __name__ == "__main__":
    json.dump(_measure_request(json.load(sys.stdin)), sys.stdout)
