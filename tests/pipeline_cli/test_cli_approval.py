"""What the CLI tells a person after approving or rejecting, for each approval mode and endpoint role."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from pipeline_cli.approval import already_message, change_message, default_reason, next_steps
from pipeline_cli.pipeline import Pipeline
from pipeline_cli.registry import ModelVersion
from pipeline_cli.serving import Role

FOLLOW = "mlops-pipeline runs --pipeline churn-xgboost --region eu-west-1"


def _pipeline(mode: str) -> Pipeline:
    return Pipeline(
        name="churn-xgboost",
        where="eu-west-1",
        group_arn="arn:aws:sagemaker:eu-west-1:123456789012:model-package-group/churn-xgboost",
        endpoint_name="churn-xgboost-endpoint",
        state_machine_arn="arn:aws:states:eu-west-1:123456789012:stateMachine:churn-xgboost-pipeline",
        approval_mode=mode,
    )


VERSION = ModelVersion(
    number=9,
    arn="arn:aws:sagemaker:eu-west-1:123456789012:model-package/churn-xgboost/9",
    status="PendingManualApproval",
    created=datetime(2026, 11, 26, 9, 12, 40, tzinfo=UTC),
    description=None,
    approval_description=None,
    run_id="churn-data-9a0c1d2e3f",
    training_job=None,
    source_bucket=None,
    gate_verdict=None,
    metric_name=None,
    metric_value=None,
    evaluation_uri=None,
)


def test_approving_in_manual_mode_deploys_that_version_and_says_how_to_follow_it() -> None:
    steps = next_steps(_pipeline("manual"), VERSION, "Approved", None, FOLLOW)

    assert steps == [
        "Approval mode manual: the pipeline's approval rule now starts a run that deploys exactly version 9 "
        "to endpoint churn-xgboost-endpoint.",
        f"Follow it with: {FOLLOW}",
    ]


def test_approving_in_auto_mode_deploys_nothing_and_says_how_to_switch() -> None:
    steps = next_steps(_pipeline("auto"), VERSION, "Approved", None, FOLLOW)

    assert steps[0].startswith("Approval mode auto: approving a version does not deploy it")
    assert steps[1] == (
        'To deploy versions by approving them, set the pipeline\'s approval_mode = "manual" (module input; '
        "it tags the group mlops-pipeline:approval-mode=manual) and run terraform apply."
    )
    assert FOLLOW not in "".join(steps)


@pytest.mark.parametrize(
    ("mode", "remedy"),
    [("manual", "approve another version."), ("auto", "upload new data: a run whose model passes")],
)
def test_rejecting_the_serving_version_warns_it_stays_deployed(mode: str, remedy: str) -> None:
    (warning,) = next_steps(_pipeline(mode), VERSION, "Rejected", Role.SERVING, FOLLOW)

    assert warning.startswith(
        "Warning: endpoint churn-xgboost-endpoint serves version 9; rejecting it does not undeploy it. To "
        f"replace it, {remedy}"
    )


def test_rejecting_a_version_being_deployed_warns_the_deployment_goes_on() -> None:
    (warning,) = next_steps(_pipeline("manual"), VERSION, "Rejected", Role.DEPLOYING, FOLLOW)

    assert warning == (
        "Warning: version 9 is being deployed to endpoint churn-xgboost-endpoint; rejecting it does not stop "
        "the deployment."
    )


@pytest.mark.parametrize("role", [None, Role.NOT_SERVING])
def test_rejecting_a_version_that_does_not_serve(role: Role | None) -> None:
    assert next_steps(_pipeline("manual"), VERSION, "Rejected", role, FOLLOW) == [
        "Endpoint churn-xgboost-endpoint does not serve version 9; nothing else changes."
    ]


def test_messages() -> None:
    assert default_reason("Rejected", "arn:aws:sts::123456789012:assumed-role/MLOps/alice") == (
        "Rejected with mlops-pipeline by arn:aws:sts::123456789012:assumed-role/MLOps/alice"
    )
    assert change_message(_pipeline("auto"), VERSION, "Approved", "fine") == (
        "Version 9 of churn-xgboost: PendingManualApproval -> Approved (fine)."
    )
    assert already_message(_pipeline("auto"), VERSION) == (
        "Version 9 of churn-xgboost is already PendingManualApproval; nothing changed."
    )
