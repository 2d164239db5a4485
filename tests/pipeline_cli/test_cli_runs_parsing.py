"""A run from DescribeExecution's answer: what started it, how it ended, which version it concerns."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from pipeline_cli.runs import Source, run_from_execution

STARTED = datetime(2026, 11, 25, 21, 15, 3, tzinfo=UTC)
STATE_MACHINE = "arn:aws:states:eu-west-1:123456789012:stateMachine:churn-xgboost-pipeline"
PACKAGE = "arn:aws:sagemaker:eu-west-1:123456789012:model-package/churn-xgboost/8"
UPLOAD = {
    "run_id": "churn-data-3f9a1c2b7d",
    "source": {"bucket": "churn-bucket", "key": "input/churn data.csv", "version_id": "3HL4kq", "size": 1},
}


def _execution(status: str, run_input: object, **extra: object) -> dict[str, object]:
    return {
        "executionArn": f"{STATE_MACHINE.replace(':stateMachine:', ':execution:')}:churn-data-3f9a1c2b7d",
        "name": "churn-data-3f9a1c2b7d",
        "status": status,
        "startDate": STARTED,
        "input": json.dumps(run_input),
        **extra,
    }


def test_a_deployed_upload() -> None:
    output = {"outcome": "Deployed", "model_package_arn": PACKAGE, "metric": {"name": "auc", "value": 0.91}}
    run = run_from_execution(_execution("SUCCEEDED", UPLOAD, output=json.dumps(output), stopDate=STARTED))

    assert run.run_id == "churn-data-3f9a1c2b7d"
    assert (run.status, run.outcome, run.package_arn) == ("SUCCEEDED", "Deployed", PACKAGE)
    assert run.source == Source("churn-bucket", "input/churn data.csv", "3HL4kq")
    assert run.metric == {"name": "auc", "value": 0.91}
    assert (run.error, run.cause, run.approved_arn, run.stopped) == (None, None, None, STARTED)


def test_a_run_started_by_an_approval_names_the_version_from_its_input_while_it_runs() -> None:
    run_input = {
        "run_id": "approved-v8-0123456789",
        "started_by": {"kind": "approval", "model_package_arn": PACKAGE},
    }
    run = run_from_execution(_execution("RUNNING", run_input))

    assert (run.source, run.approved_arn, run.package_arn, run.outcome) == (None, PACKAGE, PACKAGE, None)


def test_an_upload_is_not_an_approval() -> None:
    run_input = {
        **UPLOAD,
        "started_by": {"kind": "upload", "source_uri": "s3://churn-bucket/input/churn data.csv"},
    }
    run = run_from_execution(_execution("RUNNING", run_input))

    assert run.approved_arn is None
    assert run.source is not None


def test_a_failed_run_takes_the_version_its_cause_names() -> None:
    cause = (
        "Model of training job churn-xgboost--churn-data-3f9a1c2b7d rejected by the quality gate: "
        f"validation:error = 0.18, required LessThan 0.1. Registered as {PACKAGE} (Rejected)."
    )
    run = run_from_execution(_execution("FAILED", UPLOAD, error="ModelRejected", cause=cause))

    assert (run.error, run.cause, run.package_arn, run.outcome) == ("ModelRejected", cause, PACKAGE, None)


def test_a_failed_run_without_a_version() -> None:
    run = run_from_execution(
        _execution("FAILED", UPLOAD, error="EtlFailed", cause="ETL step failed with X: y")
    )

    assert run.package_arn is None


def test_input_and_output_that_are_not_json_objects_are_ignored() -> None:
    execution = _execution("SUCCEEDED", UPLOAD) | {"input": "not json", "output": "[1, 2]"}
    run = run_from_execution(execution)

    assert (run.source, run.outcome, run.package_arn, run.metric) == (None, None, None, None)


def test_an_upload_without_bucket_versioning() -> None:
    run_input = {"source": {"bucket": "b", "key": "input/a.csv", "version_id": None}}

    assert run_from_execution(_execution("RUNNING", run_input)).source == Source("b", "input/a.csv", None)
