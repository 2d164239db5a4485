"""End to end, offline: the real root configuration, Lambda package, Glue script and state machine.

A local cloud is started in its own process (tests/e2e/conftest.py); `terraform apply` deploys
environments/demo.tfvars to it, the provider pointed there by the tools' override file; uploads go
through S3 as a user's would. The scenarios run in order on one deployment, as a
pipeline lives: first upload creates the endpoint, a second one updates it through demo.tfvars'
canary while a caller keeps invoking it, bad data fails at the ETL step without touching the endpoint,
a schema-changed upload's model passes its gate but fails production requests and is rolled back by
the canary's alarm, then plan is clean and destroy removes everything.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from localcloud import config, rollout_clock
from localcloud.tools.endpoint_traffic import Answer, EndpointTraffic
from localcloud.tools.notification_inbox import NotificationInbox
from localcloud.tools.run_follower import RunResult, read_json_object, upload_and_follow
from localcloud.tools.terraform import LocalTerraform
from sample_data import write_churn_csv
from statemachine.render import render_definition
from tests.e2e.deployment import Deployment, destroy, model_predictions

pytestmark = pytest.mark.e2e

PIPELINE = "churn-xgboost"
RUN_TIMEOUT_SECONDS = 300


@pytest.fixture(scope="module")
def deployment(cloud_port: int) -> Iterator[Deployment]:
    terraform = LocalTerraform(
        endpoint_url=config.endpoint_url(cloud_port), name=f"e2e-{uuid.uuid4().hex[:8]}"
    )
    terraform.init(fresh_state=True)
    terraform.apply()
    outputs = terraform.outputs()["pipelines"][PIPELINE]
    yield Deployment(terraform=terraform, port=cloud_port, outputs=outputs)
    # The working copy is removed by the destroy test; if that test did not run, leave its state behind
    # for inspection rather than hide the failure.


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("e2e-data")


def _run_upload(deployment: Deployment, file_name: str, body: bytes) -> RunResult:
    return upload_and_follow(
        deployment.client("s3"),
        deployment.client("stepfunctions"),
        deployment.outputs,
        file_name,
        body,
        timeout=RUN_TIMEOUT_SECONDS,
    )


def _predict(deployment: Deployment, rows: np.ndarray) -> list[float]:
    payload = "\n".join(",".join(f"{value:g}" for value in row) for row in rows)
    response = deployment.client("sagemaker-runtime").invoke_endpoint(
        EndpointName=deployment.outputs["endpoint_name"], ContentType="text/csv", Body=payload.encode()
    )
    text = response["Body"].read().decode().strip()
    return [float(value) for value in text.replace("\n", ",").split(",")]


def _local_model_predictions(deployment: Deployment, result: RunResult, rows: np.ndarray) -> np.ndarray:
    """Predictions of the run's own model.tar.gz, loaded here."""
    return model_predictions(deployment, result.output["model_artifacts"], rows)  # type: ignore[index]


def _feature_rows(csv_path: Path, count: int) -> np.ndarray:
    return np.loadtxt(csv_path, delimiter=",", max_rows=count)[:, 1:]


@pytest.fixture(scope="module")
def inbox(deployment: Deployment) -> NotificationInbox:
    """Subscribed to the pipeline's notification topic before the first upload, as a team's address is."""
    return NotificationInbox.subscribe(
        deployment.client("sqs"),
        deployment.client("sns"),
        deployment.outputs["notification_topic_arn"],
        "team-inbox",
    )


@pytest.fixture(scope="module")
def first_run(deployment: Deployment, data_dir: Path, inbox: NotificationInbox) -> tuple[RunResult, Path]:
    data = data_dir / "first.csv"
    write_churn_csv(data, rows=3000, seed=7)
    return _run_upload(deployment, "first upload.csv", data.read_bytes()), data


def _production_row(csv_path: Path) -> str:
    """A feature row as production sends it: the 69 features of the data the endpoint was built for."""
    return csv_path.read_text().splitlines()[0].split(",", 1)[1]


def _run_upload_under_traffic(
    deployment: Deployment, file_name: str, body: bytes, production_row: str
) -> tuple[RunResult, list[Answer]]:
    """Upload while a caller keeps invoking the endpoint, as production does during a rollout."""
    runtime = deployment.client("sagemaker-runtime")
    traffic = EndpointTraffic(runtime, deployment.outputs["endpoint_name"], production_row).start()
    try:
        result = _run_upload(deployment, file_name, body)
    finally:
        answers = traffic.stop()
    return result, answers


@pytest.fixture(scope="module")
def second_run(
    deployment: Deployment, data_dir: Path, first_run: tuple[RunResult, Path]
) -> tuple[RunResult, list[Answer]]:
    data = data_dir / "second.csv"
    write_churn_csv(data, rows=3000, seed=8)
    return _run_upload_under_traffic(
        deployment, "second.csv", data.read_bytes(), _production_row(first_run[1])
    )


def test_first_upload_creates_the_endpoint_and_serves_probabilities(
    deployment: Deployment, first_run: tuple[RunResult, Path]
) -> None:
    result, data = first_run
    assert result.status == "SUCCEEDED", f"{result.error}: {result.cause}"
    assert result.output["endpoint_action"] == "created"
    assert result.output["metric"]["name"] == "validation:error"
    assert 0.0 <= result.output["metric"]["value"] < 0.1
    manifest = read_json_object(deployment.client("s3"), result.run_input["outputs"]["manifest"])
    assert manifest["rows"]["rejected"] == 0
    assert manifest["rows"]["train"] + manifest["rows"]["validation"] == 3000

    # Registered in the pipeline's model package group, Approved with the gate's verdict, and served from
    # that package: the registry records what serves.
    sagemaker = deployment.client("sagemaker")
    package = sagemaker.describe_model_package(ModelPackageName=result.output["model_package_arn"])
    assert package["ModelPackageGroupName"] == PIPELINE and package["ModelPackageVersion"] == 1
    assert package["ModelApprovalStatus"] == "Approved"
    assert package["ModelPackageDescription"].startswith("Passed the quality gate: validation:error = ")
    assert (
        package["InferenceSpecification"]["Containers"][0]["ModelDataUrl"] == result.output["model_artifacts"]
    )
    assert package["CustomerMetadataProperties"]["run_id"] == result.run_input["run_id"]
    model = sagemaker.describe_model(ModelName=result.output["model_name"])
    assert model["PrimaryContainer"]["ModelPackageName"] == result.output["model_package_arn"]

    predictions = _predict(deployment, _feature_rows(data, 5))

    assert len(predictions) == 5
    assert all(0.0 <= value <= 1.0 for value in predictions)


def test_second_upload_updates_the_endpoint_to_the_new_model(
    deployment: Deployment, first_run: tuple[RunResult, Path], second_run: tuple[RunResult, list[Answer]]
) -> None:
    second_run, answers = second_run
    assert second_run.status == "SUCCEEDED", f"{second_run.error}: {second_run.cause}"
    # The canary (1 of demo.tfvars' 4 instances) took its share, then everything; no caller saw an error.
    new_config = second_run.run_input["names"]["endpoint_config"]
    assert answers and all(answer.ok for answer in answers)
    first_new = next(i for i, answer in enumerate(answers) if answer.config == new_config)
    all_new = next(
        i for i in range(first_new, len(answers)) if all(a.config == new_config for a in answers[i : i + 50])
    )
    canary_phase = answers[first_new:all_new]
    assert len(canary_phase) >= 200
    share = sum(answer.config == new_config for answer in canary_phase) / len(canary_phase)
    assert 0.25 * 0.9 <= share <= 0.25 * 1.1, share
    assert second_run.output["endpoint_action"] == "updated"
    endpoint = deployment.client("sagemaker").describe_endpoint(
        EndpointName=deployment.outputs["endpoint_name"]
    )
    assert endpoint["EndpointStatus"] == "InService"
    assert endpoint["EndpointConfigName"] == second_run.run_input["names"]["endpoint_config"]
    # The configuration's own bake (the module's 300 s), run on the local cloud's faster rollout clock.
    routing = endpoint["LastDeploymentConfig"]["BlueGreenUpdatePolicy"]["TrafficRoutingConfiguration"]
    assert routing["WaitIntervalInSeconds"] == 300
    bake = rollout_clock.current().real_seconds(300)
    assert 0.9 * bake <= answers[all_new].at - answers[first_new].at <= 3 * bake + 5

    rows = _feature_rows(first_run[1], 20)
    served = _predict(deployment, rows)

    np.testing.assert_allclose(served, _local_model_predictions(deployment, second_run, rows), rtol=1e-5)
    assert not np.allclose(served, _local_model_predictions(deployment, first_run[0], rows), rtol=1e-5)


def test_bad_upload_fails_at_etl_and_the_endpoint_keeps_serving(
    deployment: Deployment, first_run: tuple[RunResult, Path], second_run: tuple[RunResult, list[Answer]]
) -> None:
    second_run, _ = second_run
    rows = _feature_rows(first_run[1], 20)
    before = _predict(deployment, rows)
    quoted = "".join(f'"{line}"\n' for line in first_run[1].read_text().splitlines())

    result = _run_upload(deployment, "quoted.csv", quoted.encode())

    assert result.status == "FAILED"
    assert result.error == "EtlFailed"
    assert "double quote" in result.cause
    # No model, so nothing registered: versions 1 and 2 are the first two uploads'.
    packages = deployment.client("sagemaker").list_model_packages(ModelPackageGroupName=PIPELINE)
    assert sorted(p["ModelPackageVersion"] for p in packages["ModelPackageSummaryList"]) == [1, 2]
    endpoint = deployment.client("sagemaker").describe_endpoint(
        EndpointName=deployment.outputs["endpoint_name"]
    )
    assert endpoint["EndpointConfigName"] == second_run.run_input["names"]["endpoint_config"]
    assert _predict(deployment, rows) == before


def test_schema_changed_model_fails_production_requests_and_the_canary_rolls_it_back(
    deployment: Deployment,
    data_dir: Path,
    first_run: tuple[RunResult, Path],
    second_run: tuple[RunResult, list[Answer]],
) -> None:
    serving = second_run[0].run_input["names"]["endpoint_config"]
    changed = data_dir / "schema-changed.csv"
    write_churn_csv(changed, rows=3000, seed=9, extra_columns=1)

    result, answers = _run_upload_under_traffic(
        deployment, "schema changed.csv", changed.read_bytes(), _production_row(first_run[1])
    )

    # Its own gate passed: the model is fine on its own data, only production's 69 columns break it.
    assert result.status == "FAILED"
    assert result.error == "EndpointUpdateRolledBack", result.cause
    alarm = f"{PIPELINE}-endpoint-4xx-errors"
    assert f'Rollback alarms in ALARM: ["{alarm}"]' in result.cause
    assert serving in result.cause and result.run_input["names"]["endpoint_config"] in result.cause
    endpoint = deployment.client("sagemaker").describe_endpoint(
        EndpointName=deployment.outputs["endpoint_name"]
    )
    assert endpoint["EndpointStatus"] == "InService" and endpoint["EndpointConfigName"] == serving
    # Failures only from the canary's fleet, while it had its share; the old fleet answered the rest.
    broken = result.run_input["names"]["endpoint_config"]
    failures = [i for i, answer in enumerate(answers) if not answer.ok]
    assert failures, "the canary never answered a request"
    assert all(answers[i].config == broken for i in failures)
    canary_phase = answers[failures[0] : failures[-1] + 1]
    assert len(failures) <= 0.25 * len(canary_phase) * 1.1 + 3
    assert all(answer.ok and answer.config == serving for answer in answers[failures[-1] + 1 :])
    assert all(answer.ok for answer in answers[: failures[0]])
    assert len(answers) - failures[-1] > 20  # the caller kept being served after the rollback


def test_each_deployment_failure_and_rollback_sent_one_message(
    first_run: tuple[RunResult, Path], second_run: tuple[RunResult, list[Answer]], inbox: NotificationInbox
) -> None:
    """After the scenarios above: two deployments, a failed ETL, a rollback: one message each, no other."""
    for version, (result, _) in ((1, first_run), (2, second_run)):
        message = inbox.wait_for(f"model version {version} (validation:error", "serves on endpoint")
        assert f"run {result.run_input['run_id']}" in message and "(started by: upload)" in message
    assert "strategy canary" in inbox.wait_for("model version 2 (")
    inbox.wait_for("rolled back; the previous model still serves", "4xx-errors")
    failure = inbox.wait_for("FAILED. Error: EtlFailed", "double quote")
    assert "quoted" in failure and "#/v2/executions/details/" in failure
    assert len(inbox.poll()) == 4, inbox.received


def test_python_renders_the_definition_terraform_deployed(deployment: Deployment) -> None:
    # statemachine/render.py from the module's own template variables gives what templatefile() gave.
    rendered = render_definition(deployment.outputs["state_machine_template_variables"])
    deployed = deployment.client("stepfunctions").describe_state_machine(
        stateMachineArn=deployment.outputs["state_machine_arn"]
    )["definition"]
    assert json.loads(rendered) == json.loads(deployed)


def test_plan_after_apply_has_no_changes(deployment: Deployment) -> None:
    assert deployment.terraform.plan_changes() is None
    # What a repeated `make demo` does: plan, and apply nothing.
    assert deployment.terraform.apply_if_changed() is False


def test_destroy_removes_everything(deployment: Deployment) -> None:
    outputs = deployment.outputs
    destroy(deployment, PIPELINE)

    buckets = [bucket["Name"] for bucket in deployment.client("s3").list_buckets()["Buckets"]]
    assert outputs["bucket_name"] not in buckets
    groups = deployment.client("sagemaker").list_model_package_groups()["ModelPackageGroupSummaryList"]
    assert PIPELINE not in [group["ModelPackageGroupName"] for group in groups]
    machines = deployment.client("stepfunctions").list_state_machines()["stateMachines"]
    assert outputs["state_machine_arn"] not in [machine["stateMachineArn"] for machine in machines]
