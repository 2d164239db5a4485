"""Manual approval, notifications and scheduled retraining, offline, as a team would use them.

The demo pipeline is applied with `approval_mode = "manual"`, a retraining schedule and the module's
notification topic, to which the test subscribes an SQS queue as a person would subscribe an address. In
order, on one deployment: two uploads wait for approval (nothing deployed); approving the newer version
deploys it; approving the older one rolls the endpoint back to it (predictions prove which model serves);
a rejected version deploys nothing; a schedule tick without new data starts nothing, one asked to retrain
unchanged data does; a bad upload sends exactly one failure message naming its failed step; destroy
removes everything.
"""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from localcloud import config
from localcloud.tools.notification_inbox import NotificationInbox
from localcloud.tools.run_follower import (
    RunResult,
    find_execution_where,
    read_json_object,
    upload_and_follow,
    wait_for_execution,
)
from pipeline_cli.__main__ import main as mlops_pipeline
from tests.e2e.deployment import (
    Deployment,
    deploy_demo_variant,
    destroy,
    model_predictions,
    served_predictions,
    upload_generated,
)

pytestmark = pytest.mark.e2e

PIPELINE = "churn-xgboost"
RUN_TIMEOUT_SECONDS = 300
# Long enough for an approval event to reach the trigger and start a run, were one to start.
QUIET_SECONDS = 8


@pytest.fixture(scope="module")
def deployment(cloud_port: int, tmp_path_factory: pytest.TempPathFactory) -> Deployment:
    return deploy_demo_variant(
        cloud_port,
        "e2e-approval",
        tmp_path_factory.mktemp("approval"),
        PIPELINE,
        {
            "approval_mode": "manual",
            # A daily schedule the test moves to "now" (UpdateSchedule) instead of waiting a day.
            "retrain_schedule": {"expression": "rate(1 day)"},
            # All at once: the canary's rollout is test_pipeline_e2e's subject, here it would only add bakes.
            "endpoint_deployment": {"strategy": "all_at_once"},
        },
    )


@pytest.fixture(scope="module")
def notifications(deployment: Deployment) -> NotificationInbox:
    return NotificationInbox.subscribe(
        deployment.client("sqs"),
        deployment.client("sns"),
        deployment.outputs["notification_topic_arn"],
        "pipeline-notifications",
    )


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("approval-data")


def _upload(deployment: Deployment, data_dir: Path, name: str, seed: int) -> tuple[RunResult, Path]:
    return upload_generated(deployment, data_dir, name, seed, RUN_TIMEOUT_SECONDS)


def _cli(deployment: Deployment, *arguments: str) -> int:
    return mlops_pipeline(
        [*arguments, "--pipeline", PIPELINE, "--endpoint-url", config.endpoint_url(deployment.port)]
    )


def _version(deployment: Deployment, number: int) -> dict[str, Any]:
    arn = f"arn:aws:sagemaker:{config.REGION}:{config.ACCOUNT_ID}:model-package/{PIPELINE}/{number}"
    return deployment.client("sagemaker").describe_model_package(ModelPackageName=arn)


def _approval_run(deployment: Deployment, package_arn: str) -> RunResult:
    sfn = deployment.client("stepfunctions")
    arn, run_input = find_execution_where(
        sfn,
        deployment.outputs["state_machine_arn"],
        lambda run_input: run_input.get("approval", {}).get("model_package_arn") == package_arn,
        f"the approval of {package_arn}",
    )
    return wait_for_execution(sfn, arn, run_input, timeout=RUN_TIMEOUT_SECONDS)


def _version_predictions(deployment: Deployment, number: int, rows: np.ndarray) -> np.ndarray:
    """Predictions of the version's own model data, loaded here."""
    model_data = _version(deployment, number)["InferenceSpecification"]["Containers"][0]["ModelDataUrl"]
    return model_predictions(deployment, model_data, rows)


def _rows(path: Path) -> np.ndarray:
    return np.loadtxt(path, delimiter=",", max_rows=50)[:, 1:]


@pytest.fixture(scope="module")
def first(deployment: Deployment, data_dir: Path, notifications: NotificationInbox) -> tuple[RunResult, Path]:
    return _upload(deployment, data_dir, "january.csv", seed=21)


@pytest.fixture(scope="module")
def second(deployment: Deployment, data_dir: Path, first: tuple[RunResult, Path]) -> tuple[RunResult, Path]:
    return _upload(deployment, data_dir, "february.csv", seed=22)


def test_uploads_wait_for_approval_and_deploy_nothing(
    deployment: Deployment,
    first: tuple[RunResult, Path],
    second: tuple[RunResult, Path],
    notifications: NotificationInbox,
) -> None:
    for number, (result, _) in enumerate((first, second), start=1):
        assert result.status == "SUCCEEDED", (result.error, result.cause)
        assert result.output["outcome"] == "AwaitingApproval"
        assert result.output["model_package_version"] == number
        assert _version(deployment, number)["ModelApprovalStatus"] == "PendingManualApproval"
        notifications.wait_for(f"model version {number} awaits approval", f"--version {number}")
    endpoints = deployment.client("sagemaker").list_endpoints(
        NameContains=deployment.outputs["endpoint_name"]
    )
    assert endpoints["Endpoints"] == []


def test_each_version_points_at_its_evaluation_record(
    deployment: Deployment, first: tuple[RunResult, Path]
) -> None:
    package = _version(deployment, 1)
    evaluation = read_json_object(
        deployment.client("s3"), package["ModelMetrics"]["ModelQuality"]["Statistics"]["S3Uri"]
    )
    source = first[0].run_input["source"]
    assert (
        evaluation["source"]["key"] == source["key"]
        and evaluation["source"]["version_id"] == source["version_id"]
    )
    assert evaluation["quality_gate"]["name"] == "validation:error"
    assert evaluation["quality_gate"]["value"] < evaluation["quality_gate"]["threshold"]
    rows = evaluation["etl"]["rows"]
    assert rows["train"] + rows["validation"] + rows["rejected"] == 3000
    assert package["CustomerMetadataProperties"]["gate_metric_value"] == evaluation["quality_gate"]["text"]


def test_approving_a_version_deploys_exactly_it(
    deployment: Deployment, second: tuple[RunResult, Path], notifications: NotificationInbox
) -> None:
    assert _cli(deployment, "approve", "--version", "2", "--reason", "February looks right") == 0
    run = _approval_run(deployment, _version(deployment, 2)["ModelPackageArn"])
    assert run.status == "SUCCEEDED", (run.error, run.cause)
    assert run.output["outcome"] == "Deployed" and run.output["started_by"]["kind"] == "approval"
    rows = _rows(second[1])
    np.testing.assert_allclose(
        served_predictions(deployment, rows), _version_predictions(deployment, 2, rows), rtol=1e-6
    )
    notifications.wait_for("model version 2", "serves on endpoint", "(started by: approval)")


def test_approving_an_older_version_rolls_the_endpoint_back_to_it(
    deployment: Deployment, first: tuple[RunResult, Path], notifications: NotificationInbox
) -> None:
    assert _cli(deployment, "approve", "--version", "1") == 0
    run = _approval_run(deployment, _version(deployment, 1)["ModelPackageArn"])
    assert run.status == "SUCCEEDED", (run.error, run.cause)
    rows = _rows(first[1])
    serving = served_predictions(deployment, rows)
    np.testing.assert_allclose(serving, _version_predictions(deployment, 1, rows), rtol=1e-6)
    assert not np.allclose(serving, _version_predictions(deployment, 2, rows))
    claim = deployment.client("dynamodb").get_item(
        TableName=deployment.outputs["deployments_table_name"],
        Key={"endpoint_name": {"S": deployment.outputs["endpoint_name"]}},
    )["Item"]
    assert claim["started_by"] == {"S": "approval"} and claim["run_id"]["S"] == run.output["run_id"]
    notifications.wait_for("model version 1", "serves on endpoint")


@pytest.fixture(scope="module")
def third(deployment: Deployment, data_dir: Path) -> tuple[RunResult, Path]:
    return _upload(deployment, data_dir, "march.csv", seed=23)


def test_rejecting_a_version_deploys_nothing(deployment: Deployment, third: tuple[RunResult, Path]) -> None:
    assert third[0].output["outcome"] == "AwaitingApproval"
    sagemaker = deployment.client("sagemaker")
    serving_config = sagemaker.describe_endpoint(EndpointName=deployment.outputs["endpoint_name"])[
        "EndpointConfigName"
    ]
    assert _cli(deployment, "reject", "--version", "3", "--reason", "March data is incomplete") == 0
    time.sleep(QUIET_SECONDS)
    assert _version(deployment, 3)["ModelApprovalStatus"] == "Rejected"
    runs = deployment.client("stepfunctions").list_executions(
        stateMachineArn=deployment.outputs["state_machine_arn"]
    )
    assert not [run for run in runs["executions"] if run["name"].startswith("approved-v3-")]
    assert (
        sagemaker.describe_endpoint(EndpointName=deployment.outputs["endpoint_name"])["EndpointConfigName"]
        == serving_config
    )


def _tick_now(deployment: Deployment, *, retrain_unchanged: bool) -> datetime:
    """Move the pipeline's schedule to a one-off tick two seconds from now, keeping its target and role."""
    scheduler = deployment.client("scheduler")
    name = deployment.outputs["retrain_schedule_name"]
    schedule = scheduler.get_schedule(Name=name)
    target = schedule["Target"]
    body = json.loads(target["Input"])
    body["retrain"]["retrain_unchanged"] = retrain_unchanged
    target["Input"] = json.dumps(body)
    when = datetime.now(UTC) + timedelta(seconds=2)
    scheduler.update_schedule(
        Name=name,
        ScheduleExpression=f"at({when:%Y-%m-%dT%H:%M:%S})",
        ScheduleExpressionTimezone="UTC",
        FlexibleTimeWindow={"Mode": "OFF"},
        Target=target,
    )
    return when


def _trigger_log_lines(deployment: Deployment, event: str, since: datetime) -> list[dict[str, Any]]:
    logs = deployment.client("logs")
    group = f"/aws/lambda/{deployment.outputs['trigger_function_name']}"
    found = logs.filter_log_events(logGroupName=group, startTime=int(since.timestamp() * 1000) - 5000)[
        "events"
    ]
    lines = []
    for item in found:
        try:
            line = json.loads(item["message"])
        except json.JSONDecodeError:
            continue
        if isinstance(line, dict) and line.get("event") == event:
            lines.append(line)
    return lines


def test_a_schedule_tick_without_new_data_starts_nothing_and_says_so(
    deployment: Deployment, third: tuple[RunResult, Path]
) -> None:
    before = deployment.client("stepfunctions").list_executions(
        stateMachineArn=deployment.outputs["state_machine_arn"]
    )
    when = _tick_now(deployment, retrain_unchanged=False)
    deadline = time.monotonic() + 60
    while not (skipped := _trigger_log_lines(deployment, "retrain_skipped", when)):
        assert time.monotonic() < deadline, "the schedule's tick reached no trigger within 60 s"
        time.sleep(1)
    assert "no new data since run" in skipped[0]["message"]
    assert third[0].run_input["run_id"] == skipped[0]["run_id"]
    after = deployment.client("stepfunctions").list_executions(
        stateMachineArn=deployment.outputs["state_machine_arn"]
    )
    assert len(after["executions"]) == len(before["executions"])


def test_a_schedule_tick_asked_to_retrain_unchanged_data_runs_on_the_newest_upload(
    deployment: Deployment, third: tuple[RunResult, Path]
) -> None:
    _tick_now(deployment, retrain_unchanged=True)
    sfn = deployment.client("stepfunctions")
    arn, run_input = find_execution_where(
        sfn,
        deployment.outputs["state_machine_arn"],
        lambda run_input: run_input.get("started_by", {}).get("kind") == "schedule",
        "a scheduled retraining",
    )
    run = wait_for_execution(sfn, arn, run_input, timeout=RUN_TIMEOUT_SECONDS)
    assert run.status == "SUCCEEDED", (run.error, run.cause)
    assert run_input["source"]["key"] == third[0].run_input["source"]["key"]
    assert run_input["run_id"] != third[0].run_input["run_id"]
    assert run.output["outcome"] == "AwaitingApproval"


def test_a_failed_run_sends_exactly_one_message_naming_the_failed_step(
    deployment: Deployment, data_dir: Path, notifications: NotificationInbox
) -> None:
    bad = data_dir / "broken.csv"
    bad.write_text("not,a,churn,file\n" * 5)
    result = upload_and_follow(
        deployment.client("s3"),
        deployment.client("stepfunctions"),
        deployment.outputs,
        "broken.csv",
        bad.read_bytes(),
        timeout=RUN_TIMEOUT_SECONDS,
    )
    assert (result.status, result.error) == ("FAILED", "EtlFailed")
    run_id = result.run_input["run_id"]
    message = notifications.wait_for(f"run {run_id} FAILED", "Error: EtlFailed")
    assert "#/v2/executions/details/" in message
    time.sleep(QUIET_SECONDS)
    assert len([body for body in notifications.poll() if run_id in body]) == 1


def test_destroy_removes_everything(deployment: Deployment) -> None:
    destroy(deployment, PIPELINE)
    assert deployment.client("sns").list_topics()["Topics"] == []
    assert deployment.client("events").list_rules(NamePrefix=PIPELINE)["Rules"] == []
    assert deployment.client("scheduler").list_schedules()["Schedules"] == []
