"""Prints an endpoint's rollout as it happens: status, the step SageMaker reports
(`PendingDeploymentSummary` VariantStatus), the rollback alarms' states, and how live traffic was split
between the fleets since the previous line (from an `EndpointTraffic` caller).

A line is printed when the status, the step or an alarm state changes; `make demo` uses it.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from localcloud.tools.endpoint_traffic import Answer, EndpointTraffic


def step_message(description: dict[str, Any]) -> str:
    """The step of the deployment in progress, as DescribeEndpoint reports it; "" when none."""
    for variant in description.get("PendingDeploymentSummary", {}).get("ProductionVariants", []):
        for status in variant.get("VariantStatus", []):
            return f"{status['Status']}: {status.get('StatusMessage', '')}".rstrip(": ")
    return ""


def traffic_summary(answers: list[Answer]) -> str:
    if not answers:
        return "no requests"
    by_config: dict[str, list[int]] = {}
    for answer in answers:
        counts = by_config.setdefault(answer.config or "?", [0, 0])
        counts[0 if answer.ok else 1] += 1
    parts = [
        f"{config} {sum(counts) / len(answers):.0%} ({counts[0]} ok, {counts[1]} failed)"
        for config, counts in sorted(by_config.items())
    ]
    return f"{len(answers)} requests: " + "; ".join(parts)


@dataclass
class RolloutWatch:
    sagemaker: Any
    cloudwatch: Any
    endpoint_name: str
    alarm_names: list[str]
    traffic: EndpointTraffic
    say: Callable[[str], None]
    interval_seconds: float = 0.5
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def _alarm_states(self) -> str:
        if not self.alarm_names:
            return "no rollback alarms"
        alarms = self.cloudwatch.describe_alarms(AlarmNames=self.alarm_names)["MetricAlarms"]
        states = {alarm["AlarmName"]: alarm["StateValue"] for alarm in alarms}
        return ", ".join(f"{name} {states.get(name, 'missing')}" for name in self.alarm_names)

    def _run(self) -> None:
        started = time.monotonic()
        last_line: tuple[str, str, str] | None = None
        last_printed = started
        while not self._stop.wait(self.interval_seconds):
            description = self.sagemaker.describe_endpoint(EndpointName=self.endpoint_name)
            line = (description["EndpointStatus"], step_message(description), self._alarm_states())
            if line == last_line:
                continue
            now = time.monotonic()
            answers = [answer for answer in self.traffic.since(last_printed) if answer.at < now]
            status, step, alarms = line
            self.say(f"    [{now - started:5.1f} s] {status}{' | ' + step if step else ''}")
            self.say(f"               alarms: {alarms}")
            self.say(f"               traffic since last line: {traffic_summary(answers)}")
            last_line, last_printed = line, now

    def start(self) -> RolloutWatch:
        self._thread = threading.Thread(target=self._run, name=f"watch-{self.endpoint_name}", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
