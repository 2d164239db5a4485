"""Follow one pipeline run from an S3 upload to its final state, as a user would with boto3.

Used by the demo, the end-to-end test and the benchmark. It only talks to public AWS APIs
(S3, Step Functions), so the same code can follow a run on real AWS.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from localcloud.s3_uri import split_s3_uri

TERMINAL_STATUSES = {"SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED"}

# Stages of statemachine/pipeline.asl.json.tftpl, for reports; a state not listed counts as "other".
STAGE_OF_STATE = {
    "RunEtl": "ETL (Glue)",
    "Train": "training",
    "Tune": "hyperparameter tuning",
    "CheckBestTrainingJob": "hyperparameter tuning",
    "DescribeBestTrainingJob": "hyperparameter tuning",
    "SummarizeTuning": "hyperparameter tuning",
    "SelectGateMetric": "quality gate",
    "CheckGateMetricPresent": "quality gate",
    "RecordGateMetric": "quality gate",
    "EvaluateQualityGate": "quality gate",
    "CreateModel": "model + endpoint config",
    "CreateEndpointConfig": "model + endpoint config",
}
ENDPOINT_STAGE = "endpoint create/update -> InService"
ENDPOINT_STATES = {
    "FindEndpoint",
    "CheckEndpointExists",
    "CreateEndpoint",
    "RecheckEndpoint",
    "CheckEndpointCreatedMeanwhile",
    "UpdateEndpoint",
    "StartRolloutWatch",
    "StartEndpointPolling",
    "NoteRollingBack",
    "DescribeRollbackAlarms",
    "CheckRollbackCause",
    "DescribeEndpoint",
    "CheckEndpointStatus",
    "WaitForEndpoint",
    "CountEndpointPoll",
}
STAGE_OF_STATE |= dict.fromkeys(ENDPOINT_STATES, ENDPOINT_STAGE)


class RunNotStarted(RuntimeError):
    """No execution for the uploaded object appeared in time."""


@dataclass
class StateTiming:
    name: str
    entered: datetime
    exited: datetime | None = None

    @property
    def seconds(self) -> float | None:
        return None if self.exited is None else (self.exited - self.entered).total_seconds()


@dataclass
class RunResult:
    execution_arn: str
    status: str
    run_input: dict[str, Any]
    output: dict[str, Any] | None
    error: str | None
    cause: str | None
    started: datetime
    stopped: datetime | None
    states: list[StateTiming] = field(default_factory=list)

    @property
    def seconds(self) -> float | None:
        return None if self.stopped is None else (self.stopped - self.started).total_seconds()

    def stage_seconds(self) -> dict[str, float]:
        """Seconds per pipeline stage, in the order the stages ran."""
        stages: dict[str, float] = {}
        for timing in self.states:
            if timing.seconds is not None:
                stage = STAGE_OF_STATE.get(timing.name, "other")
                stages[stage] = stages.get(stage, 0.0) + timing.seconds
        return stages


def upload(s3: Any, bucket: str, key: str, body: bytes) -> str | None:
    """Put the object and return its version id (None when versioning is off)."""
    return s3.put_object(Bucket=bucket, Key=key, Body=body).get("VersionId")


def find_execution(
    sfn: Any, state_machine_arn: str, key: str, version_id: str | None, timeout: float = 60.0
) -> tuple[str, dict[str, Any]]:
    """The execution the trigger started for the upload of this exact object version, and its input."""

    def started_by_this_upload(run_input: dict[str, Any]) -> bool:
        source = run_input.get("source", {})
        return (
            run_input.get("started_by", {}).get("kind", "upload") == "upload"
            and source.get("key") == key
            and source.get("version_id") == version_id
        )

    return find_execution_where(
        sfn, state_machine_arn, started_by_this_upload, f"s3 key {key!r} (version {version_id})", timeout
    )


def find_execution_where(
    sfn: Any,
    state_machine_arn: str,
    matches: Callable[[dict[str, Any]], bool],
    description: str,
    timeout: float = 60.0,
) -> tuple[str, dict[str, Any]]:
    """The first execution whose input `matches` (an approval's, a schedule's), and its input."""
    deadline = time.monotonic() + timeout
    seen: set[str] = set()
    while time.monotonic() < deadline:
        paginator = sfn.get_paginator("list_executions")
        for page in paginator.paginate(stateMachineArn=state_machine_arn):
            for execution in page["executions"]:
                arn = execution["executionArn"]
                if arn in seen:
                    continue
                seen.add(arn)
                run_input = json.loads(sfn.describe_execution(executionArn=arn)["input"])
                if matches(run_input):
                    return arn, run_input
        time.sleep(0.5)
    raise RunNotStarted(
        f"no execution of {state_machine_arn} for {description} within {timeout:.0f} s: "
        "check the trigger function's logs"
    )


def _state_timings(events: list[dict[str, Any]]) -> list[StateTiming]:
    timings: list[StateTiming] = []
    open_states: dict[str, StateTiming] = {}
    for event in events:
        if "stateEnteredEventDetails" in event:
            name = event["stateEnteredEventDetails"]["name"]
            timing = StateTiming(name=name, entered=event["timestamp"])
            timings.append(timing)
            open_states[name] = timing
        elif "stateExitedEventDetails" in event:
            name = event["stateExitedEventDetails"]["name"]
            if name in open_states:
                open_states.pop(name).exited = event["timestamp"]
    return timings


def wait_for_execution(
    sfn: Any,
    execution_arn: str,
    run_input: dict[str, Any],
    on_state: Callable[[StateTiming], None] | None = None,
    timeout: float = 600.0,
    poll_seconds: float = 0.5,
) -> RunResult:
    """Poll until the execution ends, calling `on_state` once per state as it is entered."""
    deadline = time.monotonic() + timeout
    reported = 0
    while True:
        description = sfn.describe_execution(executionArn=execution_arn)
        events = sfn.get_execution_history(executionArn=execution_arn, maxResults=1000)["events"]
        timings = _state_timings(events)
        if on_state is not None:
            for timing in timings[reported:]:
                on_state(timing)
        reported = len(timings)
        if description["status"] in TERMINAL_STATUSES:
            break
        if time.monotonic() > deadline:
            raise TimeoutError(
                f"execution {execution_arn} still {description['status']} after {timeout:.0f} s"
            )
        time.sleep(poll_seconds)
    output = description.get("output")
    return RunResult(
        execution_arn=execution_arn,
        status=description["status"],
        run_input=run_input,
        output=json.loads(output) if output else None,
        error=description.get("error"),
        cause=description.get("cause"),
        started=description["startDate"],
        stopped=description.get("stopDate"),
        states=timings,
    )


def upload_and_follow(
    s3: Any,
    sfn: Any,
    pipeline: dict[str, Any],
    file_name: str,
    body: bytes,
    *,
    on_state: Callable[[StateTiming], None] | None = None,
    timeout: float = 600.0,
    poll_seconds: float = 0.5,
) -> RunResult:
    """Upload `body` as `<input prefix><file_name>` of a pipeline and follow the run it starts.

    `pipeline` holds the pipeline's Terraform outputs (`bucket_name`, `input_s3_uri`,
    `state_machine_arn`).
    """
    _, key_prefix = split_s3_uri(pipeline["input_s3_uri"])
    key = key_prefix + file_name
    version_id = upload(s3, pipeline["bucket_name"], key, body)
    execution_arn, run_input = find_execution(sfn, pipeline["state_machine_arn"], key, version_id)
    return wait_for_execution(
        sfn, execution_arn, run_input, on_state=on_state, timeout=timeout, poll_seconds=poll_seconds
    )


def read_json_object(s3: Any, s3_uri: str) -> dict[str, Any]:
    bucket, key = split_s3_uri(s3_uri)
    return json.loads(s3.get_object(Bucket=bucket, Key=key)["Body"].read())
