"""Hyperparameter tuning before the gate: the rendered Tune states, and their logic on the interpreter.

With `tuning` set, the run's training is a createHyperParameterTuningJob.sync whose objective is the gate
metric and whose training job definition is Train's; the best candidate, described as Train would have
returned it, goes on to the gate, the evaluation record, the registry and the deployment unchanged.
"""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from statemachine_fixtures.mocked_execution import ExecutionResult, Throw, execute
from statemachine_fixtures.template_values import PIPELINES, TUNING, template_values
from test_state_machine_definition import MODEL_PACKAGE, RUN_INPUT, _responses

from statemachine.render import render_definition

TUNING_JOB = "escapes--k3v9q0a1b2c3d4e5f6g7h8i9"
BEST = f"{TUNING_JOB}-002-5e1f0c3a"
BEST_ARTIFACTS = f"s3://b/runs/churn-3f9a1c2b7d/model/{BEST}/output/model.tar.gz"
TUNED_RUN_INPUT = copy.deepcopy(RUN_INPUT)
TUNED_RUN_INPUT["names"]["tuning_job"] = TUNING_JOB
# Settings a candidate shares with the training job the run would otherwise start.
SHARED_TRAINING_SETTINGS = (
    "AlgorithmSpecification",
    "InputDataConfig",
    "OutputDataConfig",
    "ResourceConfig",
    "StoppingCondition",
    "VpcConfig",
    "EnableNetworkIsolation",
    "EnableInterContainerTrafficEncryption",
    "RoleArn",
)


def _states(**overrides: Any) -> dict[str, Any]:
    return json.loads(render_definition(template_values(**overrides)))["States"]


def _tuned_states(pipeline: str = "churn-xgboost", **tuning: Any) -> dict[str, Any]:
    return json.loads(render_definition(template_values(pipeline, tuning={**TUNING, **tuning})))["States"]


def test_without_tuning_the_run_trains_one_job() -> None:
    states = _states()
    assert states["RunEtl"]["Next"] == "Train"
    assert not {"Tune", "CheckBestTrainingJob", "DescribeBestTrainingJob", "SummarizeTuning"} & states.keys()
    assert "tuning" not in states["ComposeEvaluation"]["Parameters"]
    assert "tuning_job.$" not in states["RegisterModel"]["Parameters"]["CustomerMetadataProperties"]
    assert "$.names.training_job" in states["TrainingFailed"]["CausePath"]


def test_with_tuning_the_run_tunes_instead_of_training() -> None:
    states = _tuned_states()
    assert states["RunEtl"]["Next"] == "Tune"
    # Step Functions refuses unreachable states: Train is left out, not bypassed.
    assert "Train" not in states
    tune = states["Tune"]
    assert tune["Resource"] == "arn:aws:states:::sagemaker:createHyperParameterTuningJob.sync"
    assert tune["Parameters"]["HyperParameterTuningJobName.$"] == "$.names.tuning_job"
    assert tune["Catch"] == [
        {"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": "TrainingFailed"}
    ]
    assert tune["Next"] == "CheckBestTrainingJob"
    assert states["SummarizeTuning"]["Next"] == "SelectGateMetric"
    assert "$.names.tuning_job" in states["TrainingFailed"]["CausePath"]


def test_retry_policy_is_train_s() -> None:
    assert _tuned_states()["Tune"]["Retry"] == _states()["Train"]["Retry"]


@pytest.mark.parametrize(
    ("comparison", "objective_type"),
    [
        ("LessThan", "Minimize"),
        ("LessThanEquals", "Minimize"),
        ("GreaterThan", "Maximize"),
        ("GreaterThanEquals", "Maximize"),
    ],
)
def test_objective_is_the_gate_metric(comparison: str, objective_type: str) -> None:
    # The module derives the type from the comparison (tuning.tf); the template writes what it is given.
    definition = render_definition(
        template_values(
            quality_gate={"comparison": comparison, "metric_name": "validation:auc"},
            tuning={**TUNING, "objective_type": objective_type},
        )
    )
    config = json.loads(definition)["States"]["Tune"]["Parameters"]["HyperParameterTuningJobConfig"]
    assert config["HyperParameterTuningJobObjective"] == {
        "Type": objective_type,
        "MetricName": "validation:auc",
    }


def test_job_config_carries_strategy_limits_ranges_and_early_stopping() -> None:
    config = _tuned_states(early_stopping="Auto", strategy="Random")["Tune"]["Parameters"][
        "HyperParameterTuningJobConfig"
    ]
    assert config["Strategy"] == "Random"
    assert config["ResourceLimits"] == {"MaxNumberOfTrainingJobs": 6, "MaxParallelTrainingJobs": 2}
    assert config["ParameterRanges"] == TUNING["parameter_ranges"]
    assert config["TrainingJobEarlyStoppingType"] == "Auto"


def test_grid_leaves_the_number_of_jobs_to_the_combinations() -> None:
    grid_ranges = {
        "ContinuousParameterRanges": [],
        "IntegerParameterRanges": [],
        "CategoricalParameterRanges": [{"Name": "max_depth", "Values": ["3", "5", "7"]}],
    }
    config = _tuned_states(strategy="Grid", max_jobs=None, parameter_ranges=grid_ranges)["Tune"][
        "Parameters"
    ]["HyperParameterTuningJobConfig"]
    assert config["ResourceLimits"] == {"MaxParallelTrainingJobs": 2}


@pytest.mark.parametrize("pipeline", sorted(PIPELINES))
@pytest.mark.parametrize(
    "training",
    [
        {},
        {"enable_network_isolation": True},
        {"vpc": {"subnet_ids": ["subnet-0123456789abcdef0"], "security_group_ids": ["sg-0123456789abcdef0"]}},
    ],
    ids=["as-is", "isolated", "vpc"],
)
def test_candidates_get_train_s_settings(pipeline: str, training: dict[str, Any]) -> None:
    """The template writes the shared settings twice (its language has no includes): this keeps them equal."""
    values = template_values(pipeline, training=training)
    train = json.loads(render_definition(values))["States"]["Train"]["Parameters"]
    tuned = json.loads(render_definition({**values, "tuning": TUNING}))["States"]["Tune"]["Parameters"]
    definition = tuned["TrainingJobDefinition"]
    for setting in SHARED_TRAINING_SETTINGS:
        assert definition.get(setting) == train.get(setting), setting
    assert set(definition) - set(SHARED_TRAINING_SETTINGS) == {"StaticHyperParameters"}
    assert definition["StaticHyperParameters"] == TUNING["static_hyperparameters"]


def test_best_candidate_is_read_as_train_returns_a_job() -> None:
    describe = _tuned_states()["DescribeBestTrainingJob"]
    assert describe["Resource"] == "arn:aws:states:::aws-sdk:sagemaker:describeTrainingJob"
    assert describe["Parameters"] == {"TrainingJobName.$": "$.tuning.BestTrainingJob.TrainingJobName"}
    assert describe["ResultSelector"] == _states()["Train"]["ResultSelector"]
    assert describe["ResultPath"] == "$.training"


# ---------------------------------------------------------------------------------------------------------
# On the interpreter, with scripted results
# ---------------------------------------------------------------------------------------------------------


def _tuning_result(best: bool = True) -> dict[str, Any]:
    result: dict[str, Any] = {
        "HyperParameterTuningJobName": TUNING_JOB,
        "HyperParameterTuningJobStatus": "Completed",
        "TrainingJobStatusCounters": {
            "Completed": 3 if best else 0,
            "InProgress": 0,
            "RetryableError": 0,
            "NonRetryableError": 0 if best else 3,
            "Stopped": 0,
        },
    }
    if best:
        result["BestTrainingJob"] = {
            "TrainingJobName": BEST,
            "TunedHyperParameters": {"eta": "0.21", "max_depth": "4", "gamma": "0"},
            "FinalHyperParameterTuningJobObjectiveMetric": {
                "Type": "Maximize",
                "MetricName": "validation:ndcg@5",
                "Value": 1.5,
            },
        }
    return result


def _best_training_job() -> dict[str, Any]:
    return {
        "TrainingJobName": BEST,
        "TrainingJobStatus": "Completed",
        "TuningJobArn": f"arn:aws:sagemaker:us-east-1:123456789012:hyper-parameter-tuning-job/{TUNING_JOB}",
        "FinalMetricDataList": [
            {"MetricName": "train:ndcg@5", "Value": 0.99},
            {"MetricName": "validation:ndcg@5", "Value": 1.5},
        ],
        "ModelArtifacts": {"S3ModelArtifacts": BEST_ARTIFACTS},
    }


def _run_tuned(monkeypatch: pytest.MonkeyPatch, **overrides: list[Any]) -> ExecutionResult:
    variables = template_values(
        "escapes",
        tuning={**TUNING, "objective_type": "Maximize", "static_hyperparameters": {"num_round": "7"}},
    )
    variables["quality_gate"].update(comparison="GreaterThan", threshold=1.0)
    scripted: dict[str, list[Any]] = {
        "Tune": [_tuning_result()],
        "DescribeBestTrainingJob": [_best_training_job()],
        **overrides,
    }
    responses = _responses(**scripted)
    return execute(monkeypatch, render_definition(variables), TUNED_RUN_INPUT, responses)


def test_best_candidate_is_judged_recorded_and_deployed(monkeypatch: pytest.MonkeyPatch) -> None:
    result = _run_tuned(monkeypatch)
    assert result.status == "SUCCEEDED", (result.error, result.cause)
    output = json.loads(result.output) if isinstance(result.output, str) else result.output
    assert (output["training_job_name"], output["model_artifacts"]) == (BEST, BEST_ARTIFACTS)
    assert output["metric"]["value"] == 1.5
    (evaluation_put,) = result.sent("putObject")
    evaluation = json.loads(evaluation_put["Body"])
    assert evaluation["training_job"] == BEST
    assert evaluation["tuning"] == {
        "tuning_job": TUNING_JOB,
        "strategy": "Bayesian",
        "best_training_job": BEST,
        "hyperparameters": {"eta": "0.21", "max_depth": "4", "gamma": "0"},
        "objective": {"Type": "Maximize", "MetricName": "validation:ndcg@5", "Value": 1.5},
        "training_jobs": _tuning_result()["TrainingJobStatusCounters"],
    }
    (registration,) = result.sent("createModelPackage")
    assert registration["CustomerMetadataProperties"]["tuning_job"] == TUNING_JOB
    assert registration["CustomerMetadataProperties"]["training_job"] == BEST
    assert registration["InferenceSpecification"]["Containers"][0]["ModelDataUrl"] == BEST_ARTIFACTS
    # The model is created from that registered version.
    (model,) = result.sent("createModel")
    assert model["PrimaryContainer"] == {"ModelPackageName": MODEL_PACKAGE}
    assert result.scheduled("createTrainingJob.sync") == 0


def test_tuning_without_a_best_candidate_fails_before_the_registry(monkeypatch: pytest.MonkeyPatch) -> None:
    result = _run_tuned(monkeypatch, Tune=[_tuning_result(best=False)])
    assert (result.status, result.error) == ("FAILED", "TrainingFailed")
    assert (
        f"Hyperparameter tuning job {TUNING_JOB} ended Completed without a best training job" in result.cause
    )
    assert '"NonRetryableError":3' in result.cause
    assert "DescribeBestTrainingJob" not in result.entered()
    assert result.scheduled("createModelPackage") == 0


def test_failed_tuning_job_is_final_and_named(monkeypatch: pytest.MonkeyPatch) -> None:
    failure = Throw(
        "States.TaskFailed",
        json.dumps({"FailureReason": "No training job succeeded after 5 attempts."}),
    )
    result = _run_tuned(monkeypatch, Tune=[failure])
    assert (result.status, result.error) == ("FAILED", "TrainingFailed")
    assert (
        f"Training step (hyperparameter tuning job {TUNING_JOB}) failed with States.TaskFailed"
        in result.cause
    )
    assert "No training job succeeded after 5 attempts." in result.cause
    assert result.scheduled("createHyperParameterTuningJob.sync") == 1
