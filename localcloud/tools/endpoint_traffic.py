"""A caller that keeps invoking an endpoint with production-shaped rows, as live traffic would during a
rollout, and records every answer: when, whether it succeeded, and which endpoint configuration's
fleet gave it (the local cloud's `x-localcloud-endpoint-config` header; SageMaker does not say).

The demo uses it to show a canary's share of traffic and its failures; the tests use it to count them.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from typing import Any

from botocore.exceptions import ClientError

from localcloud.config import FLEET_HEADER


@dataclass(frozen=True)
class Answer:
    at: float  # time.monotonic()
    config: str  # endpoint configuration whose fleet answered; "" if unknown
    ok: bool
    error: str = ""


@dataclass
class EndpointTraffic:
    runtime: Any  # boto3 sagemaker-runtime client
    endpoint_name: str
    body: str  # one CSV row of features, no label
    # A production caller's steady rate; None calls back to back, as fast as the endpoint answers.
    requests_per_second: float | None = None
    answers: list[Answer] = field(default_factory=list)
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def _call(self) -> Answer:
        try:
            response = self.runtime.invoke_endpoint(
                EndpointName=self.endpoint_name, ContentType="text/csv", Body=self.body.encode()
            )
            headers = response["ResponseMetadata"]["HTTPHeaders"]
            response["Body"].read()
            return Answer(time.monotonic(), headers.get(FLEET_HEADER, ""), True)
        except ClientError as error:
            headers = error.response.get("ResponseMetadata", {}).get("HTTPHeaders", {})
            code = error.response.get("Error", {}).get("Code", "")
            return Answer(time.monotonic(), headers.get(FLEET_HEADER, ""), False, code)

    def _run(self) -> None:
        started = time.monotonic()
        while not self._stop.is_set():
            self.answers.append(self._call())
            if self.requests_per_second is not None:
                # On a schedule from the start, so a slow answer is caught up rather than the rate drifting.
                due = started + len(self.answers) / self.requests_per_second
                self._stop.wait(max(0.0, due - time.monotonic()))

    def start(self) -> EndpointTraffic:
        self._thread = threading.Thread(target=self._run, name=f"traffic-{self.endpoint_name}", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> list[Answer]:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        return self.answers

    def since(self, started: float) -> list[Answer]:
        return [answer for answer in list(self.answers) if answer.at >= started]
