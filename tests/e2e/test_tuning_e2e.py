"""Hyperparameter tuning before the gate, offline: the demo pipeline with a `tuning` input.

The run's training is a tuning job (4 candidates, 2 at once) whose objective is the gate metric; the best
candidate by that objective is judged by the gate, recorded, registered and deployed: the endpoint serves
exactly its model. Its candidates are real local training jobs named as SageMaker names them.
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from typing import Any

import numpy as np
import pytest

from localcloud.tools.run_follower import RunResult
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
RUN_TIMEOUT_SECONDS = 420
MAX_JOBS = 4
MAX_PARALLEL_JOBS = 2
TUNED = ("eta", "max_depth")
TUNING = {
    "strategy": "Random",
    "max_jobs": MAX_JOBS,
    "max_parallel_jobs": MAX_PARALLEL_JOBS,
    "ranges": {
        "continuous": {"eta": {"min": 0.05, "max": 0.5, "scaling": "Logarithmic"}},
        "integer": {"max_depth": {"min": 2, "max": 6}},
    },
}
STATIC_HYPERPARAMETERS = {
    "gamma": "4",
    "min_child_weight": "6",
    "subsample": "0.8",
    "objective": "binary:logistic",
    "eval_metric": "error",
    "num_round": "40",
}


@pytest.fixture(scope="module")
def deployment(cloud_port: int, tmp_path_factory: pytest.TempPathFactory) -> Deployment:
    return deploy_demo_variant(
        cloud_port,
        "e2e-tuning",
        tmp_path_factory.mktemp("tuning"),
        PIPELINE,
        {
            "training": {"hyperparameters": STATIC_HYPERPARAMETERS},
            "tuning": TUNING,
            # One instance, replaced all at once: this test is about what gets deployed, not how.
            "endpoint": {"instance_count": 1},
            "endpoint_deployment": {"strategy": "all_at_once"},
        },
    )


@pytest.fixture(scope="module")
def tuned_run(deployment: Deployment, tmp_path_factory: pytest.TempPathFactory) -> tuple[RunResult, Any]:
    result, data = upload_generated(
        deployment, tmp_path_factory.mktemp("tuning-data"), "tuned.csv", 41, RUN_TIMEOUT_SECONDS
    )
    assert result.status == "SUCCEEDED", (result.error, result.cause)
    return result, data


def _candidates(deployment: Deployment, tuning_job: str) -> list[dict[str, Any]]:
    sagemaker = deployment.client("sagemaker")
    summaries = sagemaker.list_training_jobs_for_hyper_parameter_tuning_job(
        HyperParameterTuningJobName=tuning_job, MaxResults=100
    )["TrainingJobSummaries"]
    return [
        {**summary, **sagemaker.describe_training_job(TrainingJobName=summary["TrainingJobName"])}
        for summary in summaries
    ]


def test_the_run_deploys_the_best_candidate(deployment: Deployment, tuned_run: tuple[RunResult, Any]) -> None:
    result, data = tuned_run
    tuning_job = result.run_input["names"]["tuning_job"]
    assert re.fullmatch(rf"{PIPELINE}--[0-9a-z]+", tuning_job) and len(tuning_job) == 32
    candidates = _candidates(deployment, tuning_job)
    assert len(candidates) == MAX_JOBS
    for candidate in candidates:
        # SageMaker's naming, within the pipeline's `training-job/<name>--*` grant.
        assert re.fullmatch(rf"{tuning_job}-\d{{3}}-[0-9a-f]{{8}}", candidate["TrainingJobName"])
        assert candidate["RoleArn"] == deployment.outputs["sagemaker_role_arn"]
        assert set(candidate["HyperParameters"]) >= set(STATIC_HYPERPARAMETERS) | set(TUNED)
    succeeded = [c for c in candidates if c["ObjectiveStatus"] == "Succeeded"]
    assert succeeded, [c.get("FailureReason") for c in candidates]
    # The gate is LessThan, so the objective is minimised.
    best = min(succeeded, key=lambda c: c["FinalHyperParameterTuningJobObjectiveMetric"]["Value"])

    described = deployment.client("sagemaker").describe_hyper_parameter_tuning_job(
        HyperParameterTuningJobName=tuning_job
    )
    assert described["HyperParameterTuningJobConfig"]["HyperParameterTuningJobObjective"] == {
        "Type": "Minimize",
        "MetricName": "validation:error",
    }
    assert described["BestTrainingJob"]["TrainingJobName"] == best["TrainingJobName"]
    assert result.output["training_job_name"] == best["TrainingJobName"]
    assert result.output["model_artifacts"] == best["ModelArtifacts"]["S3ModelArtifacts"]
    assert result.output["metric"]["value"] == pytest.approx(
        best["FinalHyperParameterTuningJobObjectiveMetric"]["Value"]
    )

    rows = np.loadtxt(data, delimiter=",", max_rows=50)[:, 1:]
    np.testing.assert_allclose(
        served_predictions(deployment, rows),
        model_predictions(deployment, best["ModelArtifacts"]["S3ModelArtifacts"], rows),
        rtol=1e-6,
    )


def test_no_more_than_max_parallel_candidates_ran_at_once(
    deployment: Deployment, tuned_run: tuple[RunResult, Any]
) -> None:
    result, _ = tuned_run
    candidates = _candidates(deployment, result.run_input["names"]["tuning_job"])
    moments: list[tuple[datetime, int]] = []
    for candidate in candidates:
        moments += [(candidate["TrainingStartTime"], 1), (candidate["TrainingEndTime"], -1)]
    running = peak = 0
    # Ends sort before starts at the same instant: a slot freed is taken by the next candidate.
    for _, change in sorted(moments, key=lambda moment: (moment[0], moment[1])):
        running += change
        peak = max(peak, running)
    assert peak <= MAX_PARALLEL_JOBS


def test_evaluation_and_registry_name_the_tuning(
    deployment: Deployment, tuned_run: tuple[RunResult, Any]
) -> None:
    result, _ = tuned_run
    tuning_job = result.run_input["names"]["tuning_job"]
    s3 = deployment.client("s3")
    evaluation = json.loads(
        s3.get_object(
            Bucket=result.run_input["source"]["bucket"], Key=result.run_input["output_keys"]["evaluation"]
        )["Body"].read()
    )
    best_job = result.output["training_job_name"]
    best = deployment.client("sagemaker").describe_hyper_parameter_tuning_job(
        HyperParameterTuningJobName=tuning_job
    )["BestTrainingJob"]
    assert evaluation["training_job"] == best_job
    assert evaluation["tuning"]["tuning_job"] == tuning_job
    assert evaluation["tuning"]["best_training_job"] == best_job
    assert evaluation["tuning"]["hyperparameters"] == best["TunedHyperParameters"]
    assert set(evaluation["tuning"]["hyperparameters"]) == set(TUNED)
    assert evaluation["tuning"]["objective"]["MetricName"] == "validation:error"
    assert (
        evaluation["tuning"]["training_jobs"]["Completed"]
        + evaluation["tuning"]["training_jobs"]["NonRetryableError"]
        == MAX_JOBS
    )

    package = deployment.client("sagemaker").describe_model_package(
        ModelPackageName=result.output["model_package_arn"]
    )
    assert package["CustomerMetadataProperties"]["tuning_job"] == tuning_job
    assert package["CustomerMetadataProperties"]["training_job"] == best_job


def test_destroy_removes_everything(deployment: Deployment) -> None:
    destroy(deployment, PIPELINE)
    assert deployment.client("sagemaker").list_endpoints()["Endpoints"] == []
