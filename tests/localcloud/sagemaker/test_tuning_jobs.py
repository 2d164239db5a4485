"""Hyperparameter tuning jobs: the search space's sampling (pure), the best candidate, and tuning jobs
whose candidates are real local training jobs, through boto3 and Step Functions against the in-process
local cloud."""

from __future__ import annotations

import json
import math
import random
import re
import time
import uuid
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError
from hypothesis import given, settings
from hypothesis import strategies as st

from localcloud import config
from localcloud.iam import api_calls
from localcloud.sagemaker import tuning, tuning_ranges, tuning_results
from localcloud.sagemaker.hyperparameters import parse_hyperparameters
from localcloud.sagemaker.tuning_ranges import CategoricalRange, ContinuousRange, IntegerRange, SearchSpace
from localcloud.sagemaker.tuning_results import CandidateResult
from localcloud.server import LocalCloud
from sample_data import write_churn_csv
from tests.localcloud.sagemaker.role_statements import ECR_PULL

IMAGE = "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:3.0-5"
ACCOUNT = config.ACCOUNT_ID
REGION = config.REGION
RANGES = {
    "IntegerParameterRanges": [{"Name": "max_depth", "MinValue": "1", "MaxValue": "6"}],
    "ContinuousParameterRanges": [
        {"Name": "eta", "MinValue": "0.01", "MaxValue": "0.5", "ScalingType": "Logarithmic"}
    ],
}
TERMINAL = ("Completed", "Failed", "Stopped")
MANAGED_RULE = "StepFunctionsGetEventsForSageMakerTuningJobsRule"

# --- the search space, without a cloud ---------------------------------------------------------------

scalings = st.sampled_from(tuning_ranges.SCALING_TYPES)
seeds = st.integers(min_value=0, max_value=2**32)


@st.composite
def continuous_ranges(draw: st.DrawFn) -> ContinuousRange:
    scaling = draw(scalings)
    if scaling == tuning_ranges.REVERSE_LOGARITHMIC:
        low = draw(st.floats(min_value=0.0, max_value=0.98))
        high = draw(st.floats(min_value=low + 0.001, max_value=0.999))
    elif scaling == tuning_ranges.LOGARITHMIC:
        low = draw(st.floats(min_value=1e-8, max_value=1e6))
        high = low * draw(st.floats(min_value=1.001, max_value=1e6))
    else:
        low = draw(st.floats(min_value=-1e6, max_value=1e6))
        high = low + draw(st.floats(min_value=1e-3, max_value=1e6))
    return ContinuousRange("x", low, high, scaling)


@st.composite
def integer_ranges(draw: st.DrawFn) -> IntegerRange:
    scaling = draw(st.sampled_from((tuning_ranges.AUTO, tuning_ranges.LINEAR, tuning_ranges.LOGARITHMIC)))
    low = draw(st.integers(min_value=1 if scaling == tuning_ranges.LOGARITHMIC else -1000, max_value=1000))
    return IntegerRange("n", low, low + draw(st.integers(min_value=1, max_value=10_000)), scaling)


@given(continuous_ranges(), seeds)
def test_continuous_draws_stay_inside_the_range_and_read_back_as_the_same_float(
    parameter_range: ContinuousRange, seed: int
) -> None:
    space = SearchSpace(continuous=(parameter_range,))
    for candidate in tuning_ranges.candidates("Random", space, 20, random.Random(seed)):
        value = float(candidate["x"])
        assert parameter_range.low <= value <= parameter_range.high
        assert repr(value) == candidate["x"]  # SageMaker passes the float's shortest form


@given(integer_ranges(), seeds)
def test_integer_draws_are_integers_inside_the_range(parameter_range: IntegerRange, seed: int) -> None:
    space = SearchSpace(integer=(parameter_range,))
    for candidate in tuning_ranges.candidates("Random", space, 20, random.Random(seed)):
        assert re.fullmatch(r"-?\d+", candidate["n"]), candidate
        assert parameter_range.low <= int(candidate["n"]) <= parameter_range.high


@given(st.floats(min_value=1e-8, max_value=1e6), st.floats(min_value=1.001, max_value=1e8))
def test_logarithmic_scale_is_uniform_in_log_space(low: float, ratio: float) -> None:
    high = low * ratio
    assert tuning_ranges.scaled(0.5, low, high, "Logarithmic") == pytest.approx(
        math.sqrt(low * high), rel=1e-9
    )
    quarter = tuning_ranges.scaled(0.25, low, high, "Logarithmic")
    assert math.log(quarter / low) == pytest.approx(math.log(high / low) / 4, rel=1e-6, abs=1e-12)


@given(st.floats(min_value=0.0, max_value=0.98), st.floats(min_value=0.001, max_value=0.999))
def test_reverse_logarithmic_scale_is_uniform_in_log_of_one_minus_x(low: float, high_share: float) -> None:
    high = low + (0.999 - low) * high_share
    if high <= low:
        return
    middle = tuning_ranges.scaled(0.5, low, high, "ReverseLogarithmic")
    assert 1 - middle == pytest.approx(math.sqrt((1 - low) * (1 - high)), rel=1e-9)


def test_logarithmic_draws_spread_evenly_over_orders_of_magnitude_and_linear_ones_do_not() -> None:
    """The API Reference's example: 0.0001-1.0 searched linearly spends 90% of the budget on 0.1-1.0."""

    def decade_shares(scaling: str) -> list[float]:
        space = SearchSpace(continuous=(ContinuousRange("lr", 1e-4, 1.0, scaling),))
        values = [float(c["lr"]) for c in tuning_ranges.candidates("Random", space, 4000, random.Random(7))]
        return [sum(10.0**-k <= v * 10 < 10.0 ** -(k - 1) for v in values) / len(values) for k in range(4)]

    assert decade_shares("Logarithmic") == pytest.approx([0.25] * 4, abs=0.03)
    assert decade_shares("Linear")[0] > 0.85  # 0.1-1.0


def test_logarithmic_integer_draws_favour_small_values_and_reach_both_ends() -> None:
    space = SearchSpace(integer=(IntegerRange("trees", 1, 1000, "Logarithmic"),))
    values = [int(c["trees"]) for c in tuning_ranges.candidates("Random", space, 3000, random.Random(3))]
    assert sum(v < 32 for v in values) / len(values) == pytest.approx(0.5, abs=0.05)  # sqrt(1000) ~ 32
    assert min(values) == 1
    assert max(values) > 800


def test_grid_is_every_categorical_combination_the_first_range_varying_slowest() -> None:
    space = SearchSpace(
        categorical=(
            CategoricalRange("booster", ("gbtree", "dart")),
            CategoricalRange("depth", ("2", "4", "6")),
        )
    )
    grid = tuning_ranges.candidates("Grid", space, 6, random.Random(0))
    assert grid == [
        {"booster": booster, "depth": depth} for booster in ("gbtree", "dart") for depth in ("2", "4", "6")
    ]
    assert space.combinations() == 6


@given(seeds)
@settings(max_examples=25)
def test_the_same_seed_draws_the_same_candidates(seed: int) -> None:
    space = tuning_ranges.search_space(
        {**RANGES, "CategoricalParameterRanges": [{"Name": "c", "Values": ["a", "b"]}]}
    )
    first = tuning_ranges.candidates("Bayesian", space, 5, random.Random(seed))
    assert first == tuning_ranges.candidates("Bayesian", space, 5, random.Random(seed))
    assert first != tuning_ranges.candidates("Bayesian", space, 5, random.Random(seed + 1))


def test_the_seed_is_the_requests_random_seed_then_localcloud_tuning_seed() -> None:
    assert tuning.sampling_seed(5, {"LOCALCLOUD_TUNING_SEED": "9"}) == 5
    assert tuning.sampling_seed(None, {"LOCALCLOUD_TUNING_SEED": "9"}) == 9
    assert tuning.sampling_seed(None, {}) is None


# --- the best candidate and the counters, without a cloud ---------------------------------------------


def test_the_best_candidate_is_the_lowest_when_minimizing_and_the_highest_when_maximizing() -> None:
    results = [
        CandidateResult(1, "Completed", objective_value=0.30),
        CandidateResult(2, "Completed", objective_value=0.10),
        CandidateResult(3, "Failed", "AlgorithmError: boom"),
        CandidateResult(4, "Completed", objective_value=0.90),
        CandidateResult(5, "InProgress"),
    ]
    assert tuning_results.best(results, "Minimize") == results[1]
    assert tuning_results.best(results, "Maximize") == results[3]


def test_of_equal_objective_values_the_first_launched_is_best() -> None:
    results = [
        CandidateResult(3, "Completed", objective_value=0.5),
        CandidateResult(1, "Completed", objective_value=0.5),
        CandidateResult(2, "Completed", objective_value=0.5),
    ]
    assert tuning_results.best(results, "Minimize") == results[1]
    assert tuning_results.best(results, "Maximize") == results[1]


def test_a_completed_candidate_without_the_objective_metric_is_not_a_success() -> None:
    results = [CandidateResult(1, "Completed"), CandidateResult(2, "Stopped", objective_value=0.2)]
    assert tuning_results.best(results, "Minimize") is None
    assert tuning_results.objective_status_counters(results) == {"Succeeded": 0, "Pending": 0, "Failed": 2}


def test_counters_tell_retryable_service_failures_from_the_jobs_own() -> None:
    results = [
        CandidateResult(1, "Completed", objective_value=0.1),
        CandidateResult(2, "InProgress"),
        CandidateResult(3, "Stopping"),
        CandidateResult(4, "Failed", "ClientError: No S3 objects found"),
        CandidateResult(5, "Failed", "AlgorithmError: training exited with code 1"),
        CandidateResult(6, "Failed", "InternalServerError: local training runner failed"),
        CandidateResult(7, "Stopped"),
    ]
    assert tuning_results.training_job_status_counters(results) == {
        "Completed": 1,
        "InProgress": 2,
        "RetryableError": 1,
        "NonRetryableError": 2,
        "Stopped": 1,
    }
    assert tuning_results.objective_status_counters(results) == {"Succeeded": 1, "Pending": 2, "Failed": 4}


def test_the_container_adds_the_tuning_objective_to_eval_metric_last() -> None:
    parsed = parse_hyperparameters(
        {
            "num_round": "2",
            "objective": "binary:logistic",
            "eval_metric": "auc,error",
            "_tuning_objective_metric": "validation:auc",
        }
    )
    assert parsed["eval_metric"] == ["error", "auc"]
    assert "_tuning_objective_metric" not in parsed


def test_creating_a_tuning_job_passes_the_training_job_definitions_role() -> None:
    role = f"arn:aws:iam::{ACCOUNT}:role/training"
    calls = api_calls.json_api_calls(
        "sagemaker",
        "CreateHyperParameterTuningJob",
        {"HyperParameterTuningJobName": "Churn-Tune", "TrainingJobDefinition": {"RoleArn": role}},
        region=REGION,
        account=ACCOUNT,
    )
    tuning_arn = f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:hyper-parameter-tuning-job/churn-tune"
    assert calls == [
        api_calls.ApiCall("sagemaker:CreateHyperParameterTuningJob", (tuning_arn,)),
        api_calls.ApiCall(
            "iam:PassRole",
            (role,),
            {"iam:PassedToService": "sagemaker.amazonaws.com", "iam:AssociatedResourceArn": tuning_arn},
        ),
    ]


# --- tuning jobs in the local cloud --------------------------------------------------------------------


def _document(*statements: dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def _role(aws: Callable[[str], Any], service: str, *statements: dict[str, Any]) -> str:
    name = f"tuning-{uuid.uuid4().hex[:8]}"
    trust = _document({"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"})
    iam = aws("iam")
    arn = iam.create_role(RoleName=name, AssumeRolePolicyDocument=trust)["Role"]["Arn"]
    iam.put_role_policy(RoleName=name, PolicyName="permissions", PolicyDocument=_document(*statements))
    return arn


class Tuning:
    """Tuning jobs against the local cloud, on generated churn data in one bucket."""

    def __init__(self, aws: Callable[[str], Any], role_arn: str, bucket: str) -> None:
        self.sagemaker = aws("sagemaker")
        self.role_arn = role_arn
        self.bucket = bucket

    def definition(self, image: str = IMAGE, role_arn: str | None = None, **static: str) -> dict[str, Any]:
        def channel(name: str) -> dict[str, Any]:
            source = {"S3DataType": "S3Prefix", "S3Uri": f"s3://{self.bucket}/etl/{name}/"}
            return {"ChannelName": name, "ContentType": "text/csv", "DataSource": {"S3DataSource": source}}

        return {
            "StaticHyperParameters": {"num_round": "5", "objective": "binary:logistic", **static},
            "AlgorithmSpecification": {"TrainingImage": image, "TrainingInputMode": "File"},
            "RoleArn": role_arn or self.role_arn,
            "InputDataConfig": [channel("train"), channel("validation")],
            "OutputDataConfig": {"S3OutputPath": f"s3://{self.bucket}/models/"},
            "ResourceConfig": {"InstanceType": "ml.m5.large", "InstanceCount": 1, "VolumeSizeInGB": 5},
            "StoppingCondition": {"MaxRuntimeInSeconds": 600},
        }

    @staticmethod
    def config(
        objective_type: str = "Minimize",
        metric: str = "validation:logloss",
        max_jobs: int | None = 4,
        parallel: int = 2,
        strategy: str = "Random",
        ranges: dict[str, Any] | None = None,
        seed: int | None = None,
    ) -> dict[str, Any]:
        limits: dict[str, int] = {"MaxParallelTrainingJobs": parallel}
        if max_jobs is not None:
            limits["MaxNumberOfTrainingJobs"] = max_jobs
        tuning_config: dict[str, Any] = {
            "Strategy": strategy,
            "HyperParameterTuningJobObjective": {"Type": objective_type, "MetricName": metric},
            "ResourceLimits": limits,
            "ParameterRanges": RANGES if ranges is None else ranges,
        }
        if seed is not None:
            tuning_config["RandomSeed"] = seed
        return tuning_config

    def create(
        self, name: str, tuning_config: dict[str, Any], definition: dict[str, Any] | None = None
    ) -> None:
        self.sagemaker.create_hyper_parameter_tuning_job(
            HyperParameterTuningJobName=name,
            HyperParameterTuningJobConfig=tuning_config,
            TrainingJobDefinition=definition or self.definition(),
        )

    def describe(self, name: str) -> dict[str, Any]:
        return self.sagemaker.describe_hyper_parameter_tuning_job(HyperParameterTuningJobName=name)

    def wait(self, name: str) -> dict[str, Any]:
        deadline = time.monotonic() + 180
        while True:
            described = self.describe(name)
            if described["HyperParameterTuningJobStatus"] in TERMINAL:
                return described
            assert time.monotonic() < deadline, (
                f"still {described['HyperParameterTuningJobStatus']} after 180 s"
            )
            time.sleep(0.2)

    def candidates(self, name: str) -> list[dict[str, Any]]:
        """Every candidate's summary, oldest first (the default order is by name, which is launch order)."""
        summaries: list[dict[str, Any]] = []
        request: dict[str, Any] = {"HyperParameterTuningJobName": name, "MaxResults": 2}
        while True:  # two per page: pagination is exercised by every test
            page = self.sagemaker.list_training_jobs_for_hyper_parameter_tuning_job(**request)
            summaries.extend(page["TrainingJobSummaries"])
            if "NextToken" not in page:
                return summaries
            request["NextToken"] = page["NextToken"]


@pytest.fixture(scope="module")
def churn_bucket(aws: Callable[[str], Any], tmp_path_factory: pytest.TempPathFactory) -> str:
    name = f"tuning-{uuid.uuid4().hex[:10]}"
    s3 = aws("s3")
    s3.create_bucket(Bucket=name)
    folder = tmp_path_factory.mktemp("churn")
    for channel, rows, seed in (("train", 300, 1), ("validation", 150, 2)):
        path = Path(folder) / f"{channel}.csv"
        write_churn_csv(path, rows=rows, seed=seed)
        s3.upload_file(str(path), name, f"etl/{channel}/part-00000.csv")
    return name


@pytest.fixture(scope="module")
def tuner(aws: Callable[[str], Any], role_arn: str, churn_bucket: str) -> Tuning:
    return Tuning(aws, role_arn, churn_bucket)


@pytest.fixture(scope="module")
def same_seed_pair(tuner: Tuning) -> dict[str, dict[str, Any]]:
    """Two tuning jobs with the same seed, one minimizing the validation log loss and one maximizing it."""
    run = uuid.uuid4().hex[:6]
    names = {"Minimize": f"min-{run}", "Maximize": f"max-{run}"}
    for objective_type, name in names.items():
        tuner.create(name, tuner.config(objective_type=objective_type, seed=11))
    return {objective_type: tuner.wait(name) for objective_type, name in names.items()}


def _objective_values(tuner: Tuning, candidates: list[dict[str, Any]], metric: str) -> dict[str, float]:
    """Each candidate's final objective value, read from its own DescribeTrainingJob."""
    values = {}
    for candidate in candidates:
        described = tuner.sagemaker.describe_training_job(TrainingJobName=candidate["TrainingJobName"])
        [value] = [m["Value"] for m in described["FinalMetricDataList"] if m["MetricName"] == metric]
        values[candidate["TrainingJobName"]] = value
    return values


@pytest.mark.parametrize("objective_type", ["Minimize", "Maximize"])
def test_the_best_training_job_is_the_best_candidate_in_the_objectives_direction(
    tuner: Tuning, same_seed_pair: dict[str, dict[str, Any]], objective_type: str
) -> None:
    described = same_seed_pair[objective_type]
    assert described["HyperParameterTuningJobStatus"] == "Completed", described.get("FailureReason")
    candidates = tuner.candidates(described["HyperParameterTuningJobName"])
    values = _objective_values(tuner, candidates, "validation:logloss")
    assert len(set(values.values())) > 1  # else any candidate would do and the test could not fail
    pick = min if objective_type == "Minimize" else max
    expected = pick(values.values())
    first_best = next(name for name, value in values.items() if value == expected)
    best = described["BestTrainingJob"]
    assert best["TrainingJobName"] == first_best
    assert best["FinalHyperParameterTuningJobObjectiveMetric"] == {
        "Type": objective_type,
        "MetricName": "validation:logloss",
        "Value": expected,
    }
    assert best["ObjectiveStatus"] == "Succeeded"
    assert best["TunedHyperParameters"] == next(
        c["TunedHyperParameters"] for c in candidates if c["TrainingJobName"] == first_best
    )
    assert described["TrainingJobStatusCounters"] == {
        "Completed": 4,
        "InProgress": 0,
        "RetryableError": 0,
        "NonRetryableError": 0,
        "Stopped": 0,
    }
    assert described["ObjectiveStatusCounters"] == {"Succeeded": 4, "Pending": 0, "Failed": 0}
    assert described["HyperParameterTuningEndTime"] >= described["CreationTime"]


def test_the_same_seed_draws_the_same_candidates_in_the_same_order(
    tuner: Tuning, same_seed_pair: dict[str, dict[str, Any]]
) -> None:
    drawn = {
        objective_type: [
            c["TunedHyperParameters"] for c in tuner.candidates(d["HyperParameterTuningJobName"])
        ]
        for objective_type, d in same_seed_pair.items()
    }
    assert drawn["Minimize"] == drawn["Maximize"]
    assert len({json.dumps(tuned, sort_keys=True) for tuned in drawn["Minimize"]}) == 4
    best = {t: d["BestTrainingJob"]["TunedHyperParameters"] for t, d in same_seed_pair.items()}
    assert best["Minimize"] != best["Maximize"]


def test_candidates_are_training_jobs_named_and_configured_as_sagemaker_does(
    tuner: Tuning, same_seed_pair: dict[str, dict[str, Any]]
) -> None:
    described = same_seed_pair["Minimize"]
    name = described["HyperParameterTuningJobName"]
    candidates = tuner.candidates(name)
    listed = {
        job["TrainingJobName"]
        for page in tuner.sagemaker.get_paginator("list_training_jobs").paginate(NameContains=name)
        for job in page["TrainingJobSummaries"]
    }
    assert listed == {c["TrainingJobName"] for c in candidates}
    [summary] = tuner.sagemaker.list_hyper_parameter_tuning_jobs(NameContains=name)[
        "HyperParameterTuningJobSummaries"
    ]
    assert summary["HyperParameterTuningJobStatus"] == "Completed"
    assert summary["TrainingJobStatusCounters"]["Completed"] == 4
    for index, candidate in enumerate(candidates, start=1):
        assert re.fullmatch(rf"{name}-{index:03d}-[0-9a-f]{{8}}", candidate["TrainingJobName"])
        job = tuner.sagemaker.describe_training_job(TrainingJobName=candidate["TrainingJobName"])
        assert job["TuningJobArn"] == described["HyperParameterTuningJobArn"]
        assert job["RoleArn"] == tuner.role_arn
        assert job["HyperParameters"] == {
            "num_round": "5",
            "objective": "binary:logistic",
            **candidate["TunedHyperParameters"],
            "_tuning_objective_metric": "validation:logloss",
        }
        tuned = candidate["TunedHyperParameters"]
        assert 1 <= int(tuned["max_depth"]) <= 6
        assert 0.01 <= float(tuned["eta"]) <= 0.5


def _peak_concurrency(intervals: list[tuple[datetime, datetime]]) -> int:
    # At equal times an end comes before a start: a slot freed and reused is not two running at once.
    events = sorted([(start, 1) for start, _ in intervals] + [(end, -1) for _, end in intervals])
    running = peak = 0
    for _, change in events:
        running += change
        peak = max(peak, running)
    return peak


def test_no_more_than_max_parallel_training_jobs_run_at_once(
    tuner: Tuning, same_seed_pair: dict[str, dict[str, Any]]
) -> None:
    for described in same_seed_pair.values():
        candidates = tuner.candidates(described["HyperParameterTuningJobName"])
        intervals = [(c["CreationTime"], c["TrainingEndTime"]) for c in candidates]
        assert len(intervals) == 4
        assert _peak_concurrency(intervals) == 2  # MaxParallelTrainingJobs, reached and never exceeded


def test_localcloud_tuning_seed_draws_like_the_same_random_seed(
    tuner: Tuning,
    same_seed_pair: dict[str, dict[str, Any]],
    wait_for: Callable[..., dict],
    unique_name: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(tuning.SEED_ENV_VAR, "11")
    tuner.create(unique_name, tuner.config(max_jobs=2))  # no RandomSeed in the request
    assert tuner.wait(unique_name)["HyperParameterTuningJobStatus"] == "Completed"
    seeded = tuner.candidates(same_seed_pair["Minimize"]["HyperParameterTuningJobName"])
    drawn = [c["TunedHyperParameters"] for c in tuner.candidates(unique_name)]
    assert drawn == [c["TunedHyperParameters"] for c in seeded[:2]]


def test_a_failing_candidate_counts_as_failed_and_the_grid_goes_on(
    tuner: Tuning, wait_for: Callable[..., dict], unique_name: str
) -> None:
    # The container refuses subsample 1.5 (it must be in (0, 1]): the grid's second candidate fails.
    ranges = {"CategoricalParameterRanges": [{"Name": "subsample", "Values": ["0.8", "1.5", "0.6"]}]}
    tuner.create(unique_name, tuner.config(strategy="Grid", max_jobs=None, parallel=3, ranges=ranges))
    described = tuner.wait(unique_name)
    assert described["HyperParameterTuningJobStatus"] == "Completed"
    candidates = tuner.candidates(unique_name)
    assert [c["TunedHyperParameters"] for c in candidates] == [
        {"subsample": "0.8"},
        {"subsample": "1.5"},
        {"subsample": "0.6"},
    ]
    assert [c["TrainingJobStatus"] for c in candidates] == ["Completed", "Failed", "Completed"]
    assert [c["ObjectiveStatus"] for c in candidates] == ["Succeeded", "Failed", "Succeeded"]
    assert candidates[1]["FailureReason"].startswith("ClientError: Hyperparameter subsample: 1.5")
    assert described["TrainingJobStatusCounters"]["NonRetryableError"] == 1
    assert described["TrainingJobStatusCounters"]["Completed"] == 2
    assert described["ObjectiveStatusCounters"] == {"Succeeded": 2, "Pending": 0, "Failed": 1}
    assert described["BestTrainingJob"]["TrainingJobName"] in {
        candidates[0]["TrainingJobName"],
        candidates[2]["TrainingJobName"],
    }


def test_a_tuning_job_whose_candidates_all_fail_fails_with_awss_reason(
    tuner: Tuning, wait_for: Callable[..., dict], unique_name: str
) -> None:
    image = "123456789012.dkr.ecr.us-east-1.amazonaws.com/not-an-algorithm:1"
    tuner.create(unique_name, tuner.config(max_jobs=2), tuner.definition(image=image))
    described = tuner.wait(unique_name)
    assert described["HyperParameterTuningJobStatus"] == "Failed"
    assert described["FailureReason"] == (
        "No training job succeeded after 2 attempts. Please take a look at the training job failures to get "
        "more details."
    )
    assert "BestTrainingJob" not in described
    assert described["TrainingJobStatusCounters"]["NonRetryableError"] == 2
    assert all("cannot be emulated" in c["FailureReason"] for c in tuner.candidates(unique_name))


def test_five_failures_without_a_success_end_the_launches(
    tuner: Tuning, wait_for: Callable[..., dict], unique_name: str
) -> None:
    image = "123456789012.dkr.ecr.us-east-1.amazonaws.com/not-an-algorithm:1"
    tuner.create(unique_name, tuner.config(max_jobs=8, parallel=1), tuner.definition(image=image))
    described = tuner.wait(unique_name)
    assert described["HyperParameterTuningJobStatus"] == "Failed"
    assert len(tuner.candidates(unique_name)) == 5
    assert "after 5 attempts" in described["FailureReason"]


def test_candidates_run_as_the_definitions_role_and_fail_as_a_training_job_would(
    tuner: Tuning, aws: Callable[[str], Any], wait_for: Callable[..., dict], unique_name: str
) -> None:
    bucket = tuner.bucket
    no_read = _role(
        aws,
        "sagemaker.amazonaws.com",
        ECR_PULL,
        {"Effect": "Allow", "Action": "s3:ListBucket", "Resource": f"arn:aws:s3:::{bucket}"},
        {"Effect": "Allow", "Action": "s3:PutObject", "Resource": f"arn:aws:s3:::{bucket}/models/*"},
    )
    tuner.create(unique_name, tuner.config(max_jobs=2), tuner.definition(role_arn=no_read))
    described = tuner.wait(unique_name)
    assert described["HyperParameterTuningJobStatus"] == "Failed"
    for candidate in tuner.candidates(unique_name):
        reason = candidate["FailureReason"]
        assert reason.startswith("ClientError: Data download failed: An error occurred (AccessDenied)")
        assert "s3:GetObject" in reason
        assert no_read.rsplit("/", 1)[1] in reason


def test_stopping_a_tuning_job_stops_its_running_candidates_and_launches_no_more(
    tuner: Tuning, wait_for: Callable[..., dict], unique_name: str
) -> None:
    # Enough rounds that no candidate can end by itself before the stop.
    tuner.create(unique_name, tuner.config(max_jobs=4), tuner.definition(num_round="1000000"))

    def secondary_statuses() -> dict[str, list[str]]:
        return {
            "statuses": [
                tuner.sagemaker.describe_training_job(TrainingJobName=c["TrainingJobName"])["SecondaryStatus"]
                for c in tuner.candidates(unique_name)
            ]
        }

    # Both containers training: the stop has processes to end, not only jobs still starting.
    wait_for(secondary_statuses, lambda seen: seen["statuses"] == ["Training", "Training"])
    running = tuner.describe(unique_name)
    assert running["HyperParameterTuningJobStatus"] == "InProgress"
    assert running["TrainingJobStatusCounters"]["InProgress"] == 2
    assert running["ObjectiveStatusCounters"]["Pending"] == 2
    assert "HyperParameterTuningEndTime" not in running
    assert "BestTrainingJob" not in running
    tuner.sagemaker.stop_hyper_parameter_tuning_job(HyperParameterTuningJobName=unique_name)
    assert tuner.describe(unique_name)["HyperParameterTuningJobStatus"] in ("Stopping", "Stopped")
    described = tuner.wait(unique_name)
    assert described["HyperParameterTuningJobStatus"] == "Stopped"
    candidates = tuner.candidates(unique_name)
    assert [c["TrainingJobStatus"] for c in candidates] == ["Stopped", "Stopped"]
    assert described["TrainingJobStatusCounters"]["Stopped"] == 2
    assert described["ObjectiveStatusCounters"] == {"Succeeded": 0, "Pending": 0, "Failed": 2}
    job = tuner.sagemaker.describe_training_job(TrainingJobName=candidates[0]["TrainingJobName"])
    assert [t["Status"] for t in job["SecondaryStatusTransitions"]][-3:] == [
        "Training",
        "Stopping",
        "Stopped",
    ]
    with pytest.raises(ClientError) as again:
        tuner.sagemaker.stop_hyper_parameter_tuning_job(HyperParameterTuningJobName=unique_name)
    assert again.value.response["Error"]["Code"] == "ValidationException"
    assert "its status is Stopped" in again.value.response["Error"]["Message"]


def test_actions_on_an_unknown_tuning_job_answer_resource_not_found(tuner: Tuning) -> None:
    for call in (
        tuner.sagemaker.stop_hyper_parameter_tuning_job,
        tuner.sagemaker.list_training_jobs_for_hyper_parameter_tuning_job,
    ):
        with pytest.raises(ClientError) as missing:
            call(HyperParameterTuningJobName="no-such-tuning-job")
        assert missing.value.response["Error"]["Code"] == "ResourceNotFound"
        assert missing.value.response["Error"]["Message"] == (
            "Could not find hyper parameter tuning job 'no-such-tuning-job'."
        )


def _without(mapping: dict[str, Any], key: str) -> dict[str, Any]:
    return {k: v for k, v in mapping.items() if k != key}


def _invalid_requests(tuner: Tuning) -> list[tuple[str, dict[str, Any], dict[str, Any], str]]:
    """(name, config, definition, a fragment of the message) for requests SageMaker refuses."""
    c, d = tuner.config, tuner.definition
    log_from_zero = {
        "ContinuousParameterRanges": [
            {"Name": "eta", "MinValue": "0", "MaxValue": "1", "ScalingType": "Logarithmic"}
        ]
    }
    reversed_range = {"IntegerParameterRanges": [{"Name": "max_depth", "MinValue": "8", "MaxValue": "2"}]}
    reverse_log_int = {
        "IntegerParameterRanges": [
            {"Name": "max_depth", "MinValue": "1", "MaxValue": "8", "ScalingType": "ReverseLogarithmic"}
        ]
    }
    reverse_log_past_one = {
        "ContinuousParameterRanges": [
            {"Name": "subsample", "MinValue": "0.5", "MaxValue": "1", "ScalingType": "ReverseLogarithmic"}
        ]
    }
    few = {"CategoricalParameterRanges": [{"Name": "booster", "Values": ["gbtree", "dart", "gblinear"]}]}
    return [
        (
            "a" * 33,
            c(),
            d(),
            "Value '"
            + "a" * 33
            + "' at 'hyperParameterTuningJobName' failed to satisfy constraint: Member must "
            "have length less than or equal to 32",
        ),
        (
            "bad_name",
            c(),
            d(),
            "at 'hyperParameterTuningJobName' failed to satisfy constraint: Member must satisfy regular "
            "expression pattern: ^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,31}",
        ),
        (
            "{n}",
            {**c(), "HyperParameterTuningJobObjective": {"Type": "Biggest", "MetricName": "validation:auc"}},
            d(),
            "1 validation error detected: Value 'Biggest' at 'hyperParameterTuningJobConfig."
            "hyperParameterTuningJobObjective.type' failed to satisfy constraint: Member must satisfy enum "
            "value set: [Maximize, Minimize]",
        ),
        (
            "{n}",
            c(ranges=log_from_zero),
            d(),
            "Logarithmic scaling works only for ranges that have only values greater than 0",
        ),
        (
            "{n}",
            c(ranges=reversed_range),
            d(),
            "The MinValue [8] of hyperparameter [max_depth] must be less than its MaxValue [2].",
        ),
        (
            "{n}",
            c(ranges=reverse_log_int),
            d(),
            "Reverse logarithmic scaling is supported only for continuous",
        ),
        ("{n}", c(ranges=reverse_log_past_one), d(), "entirely within the range 0<=x<1.0"),
        (
            "{n}",
            c(),
            d(eta="0.3"),
            "Hyperparameters ['eta'] are specified both as static hyperparameters and in parameter ranges",
        ),
        (
            "{n}",
            c(max_jobs=2, parallel=3),
            d(),
            "MaxParallelTrainingJobs, [3], must be less than or equal to MaxNumberOfTrainingJobs, [2].",
        ),
        (
            "{n}",
            c(metric="validation:loss"),
            d(),
            "The objective metric for the hyperparameter tuning job, [validation:loss], isn't valid",
        ),
        (
            "{n}",
            c(strategy="Grid", max_jobs=None),
            d(),
            "Only categorical parameters are supported when using the Grid strategy",
        ),
        (
            "{n}",
            c(ranges=few, max_jobs=10, parallel=2),
            d(),
            "You don't have enough combinations of hyperparameter ranges. The total number of hyperparameter "
            "combinations for the provided ranges [3.0] must be equal or greater than the value of "
            "MaxNumberOfJobs, [10]. Provide additional ranges.",
        ),
        ("{n}", c(max_jobs=None), d(), "MaxNumberOfTrainingJobs is required with the Random strategy."),
        ("{n}", c(ranges={}), d(), "at least one hyperparameter range"),
        ("{n}", c(), _without(d(), "RoleArn"), "Value null at 'trainingJobDefinition.roleArn'"),
    ]


def test_invalid_requests_are_refused_with_sagemakers_kind_of_message(
    tuner: Tuning, local_cloud: LocalCloud
) -> None:
    # Without client-side validation, so that the server's own checks answer, as for any SDK or CLI.
    raw = boto3.client(
        "sagemaker",
        endpoint_url=config.endpoint_url(local_cloud.port),
        region_name=REGION,
        aws_access_key_id=config.ACCESS_KEY_ID,
        aws_secret_access_key=config.SECRET_ACCESS_KEY,
        config=Config(parameter_validation=False),
    )
    for name, tuning_config, definition, message in _invalid_requests(tuner):
        job_name = name.replace("{n}", f"bad-{uuid.uuid4().hex[:8]}")
        with pytest.raises(ClientError) as refused:
            raw.create_hyper_parameter_tuning_job(
                HyperParameterTuningJobName=job_name,
                HyperParameterTuningJobConfig=tuning_config,
                TrainingJobDefinition=definition,
            )
        error = refused.value.response["Error"]
        assert error["Code"] == "ValidationException", (message, error)
        assert message in error["Message"], error["Message"]
        with pytest.raises(ClientError):  # refused, so nothing was created
            raw.describe_hyper_parameter_tuning_job(HyperParameterTuningJobName=job_name)


# --- Step Functions: createHyperParameterTuningJob.sync --------------------------------------------------


def _state_machine_role(
    aws: Callable[[str], Any], name: str, training_role: str, pass_role: bool = True
) -> str:
    """The policy Step Functions' developer guide gives a `.sync` tuning task, and nothing more."""
    statements: list[dict[str, Any]] = [
        {
            "Effect": "Allow",
            "Action": [
                "sagemaker:CreateHyperParameterTuningJob",
                "sagemaker:DescribeHyperParameterTuningJob",
                "sagemaker:StopHyperParameterTuningJob",
                "sagemaker:ListTrainingJobsForHyperParameterTuningJob",
            ],
            "Resource": f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:hyper-parameter-tuning-job/{name}*",
        },
        {"Effect": "Allow", "Action": "sagemaker:ListTags", "Resource": "*"},
        {
            "Effect": "Allow",
            "Action": ["events:PutTargets", "events:PutRule", "events:DescribeRule"],
            "Resource": f"arn:aws:events:{REGION}:{ACCOUNT}:rule/{MANAGED_RULE}",
        },
    ]
    if pass_role:
        statements.append(
            {
                "Effect": "Allow",
                "Action": "iam:PassRole",
                "Resource": training_role,
                "Condition": {"StringEquals": {"iam:PassedToService": "sagemaker.amazonaws.com"}},
            }
        )
    return _role(aws, "states.amazonaws.com", *statements)


def _execute(
    aws: Callable[[str], Any],
    wait_for: Callable[..., dict],
    tuner: Tuning,
    name: str,
    states_role: str,
    definition: dict[str, Any],
) -> dict[str, Any]:
    machine = {
        "StartAt": "Tune",
        "States": {
            "Tune": {
                "Type": "Task",
                "Resource": "arn:aws:states:::sagemaker:createHyperParameterTuningJob.sync",
                "Parameters": {
                    "HyperParameterTuningJobName": name,
                    "HyperParameterTuningJobConfig": tuner.config(max_jobs=2, seed=4),
                    "TrainingJobDefinition": definition,
                },
                "End": True,
            }
        },
    }
    sfn = aws("stepfunctions")
    arn = sfn.create_state_machine(name=name, definition=json.dumps(machine), roleArn=states_role)[
        "stateMachineArn"
    ]
    execution = sfn.start_execution(stateMachineArn=arn, input="{}")["executionArn"]
    return wait_for(
        lambda: sfn.describe_execution(executionArn=execution),
        lambda described: described["status"] != "RUNNING",
        timeout=180,
    )


def _failure(aws: Callable[[str], Any], execution: dict[str, Any]) -> dict[str, str]:
    history = aws("stepfunctions").get_execution_history(executionArn=execution["executionArn"])["events"]
    [failed] = [event for event in history if event["type"] == "ExecutionFailed"]
    return failed["executionFailedEventDetails"]


def test_tuning_sync_outputs_the_completed_tuning_jobs_description(
    tuner: Tuning, aws: Callable[[str], Any], wait_for: Callable[..., dict], unique_name: str
) -> None:
    states_role = _state_machine_role(aws, unique_name, tuner.role_arn)
    execution = _execute(aws, wait_for, tuner, unique_name, states_role, tuner.definition())
    assert execution["status"] == "SUCCEEDED", (
        _failure(aws, execution) if execution["status"] == "FAILED" else execution
    )
    output = json.loads(execution["output"])
    assert output["HyperParameterTuningJobName"] == unique_name
    assert output["HyperParameterTuningJobStatus"] == "Completed"
    assert output["TrainingJobStatusCounters"]["Completed"] == 2
    assert output["BestTrainingJob"]["TrainingJobName"].startswith(f"{unique_name}-")
    assert isinstance(output["CreationTime"], int)  # epoch milliseconds, as Step Functions renders them


def test_tuning_sync_failure_is_a_task_failure_with_the_description_as_cause(
    tuner: Tuning, aws: Callable[[str], Any], wait_for: Callable[..., dict], unique_name: str
) -> None:
    states_role = _state_machine_role(aws, unique_name, tuner.role_arn)
    definition = tuner.definition(image="123456789012.dkr.ecr.us-east-1.amazonaws.com/not-an-algorithm:1")
    execution = _execute(aws, wait_for, tuner, unique_name, states_role, definition)
    assert execution["status"] == "FAILED"
    details = _failure(aws, execution)
    assert details["error"] == "States.TaskFailed"
    cause = json.loads(details["cause"])
    assert cause["HyperParameterTuningJobStatus"] == "Failed"
    assert cause["FailureReason"].startswith("No training job succeeded after 2 attempts.")


def test_tuning_sync_needs_the_state_machine_role_to_pass_the_training_role(
    tuner: Tuning, aws: Callable[[str], Any], wait_for: Callable[..., dict], unique_name: str
) -> None:
    states_role = _state_machine_role(aws, unique_name, tuner.role_arn, pass_role=False)
    execution = _execute(aws, wait_for, tuner, unique_name, states_role, tuner.definition())
    assert execution["status"] == "FAILED"
    details = _failure(aws, execution)
    assert details["error"] == "SageMaker.AmazonSageMakerException"
    assert f'iam:PassRole on resource: "{tuner.role_arn}"' in details["cause"]
    with pytest.raises(ClientError):  # refused before anything was created
        tuner.describe(unique_name)
