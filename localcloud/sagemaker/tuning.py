"""Runs a hyperparameter tuning job: candidates drawn from its ranges, each a real local training job.

Each candidate is created through the backend's CreateTrainingJob (the same checks, the same runner as a
training job a client creates, run as the TrainingJobDefinition's RoleArn), named as SageMaker names
tuning candidates, `<tuning job>-<3-digit index>-<8 hex>`, with the static hyperparameters, the tuned
values and `_tuning_objective_metric` (which SageMaker adds, and the XGBoost container reads to log the
objective). At most MaxParallelTrainingJobs run at once, until MaxNumberOfTrainingJobs have ended; five
failures without a success end the launches, as on AWS ("No training job succeeded after 5 attempts").

The tuning job object is moto's HyperParameterTuningJob; its attributes become
DescribeHyperParameterTuningJob's fields, changed only under shared_state.SAGEMAKER_STATE_LOCK.
"""

from __future__ import annotations

import copy
import os
import random
import secrets
import threading
import time
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from moto.core.utils import utcnow
from moto.sagemaker.exceptions import SagemakerClientError

from localcloud.sagemaker import training, tuning_ranges, tuning_results
from localcloud.sagemaker.tuning_results import CandidateResult
from localcloud.sagemaker.tuning_validation import TuningPlan
from localcloud.shared_state import SAGEMAKER_STATE_LOCK

SEED_ENV_VAR = "LOCALCLOUD_TUNING_SEED"
POLL_SECONDS = 0.1
# AWS ends a tuning job whose first attempts all fail instead of spending the rest of its budget.
FAILED_ATTEMPTS_BEFORE_GIVING_UP = 5
TUNING_OBJECTIVE_HYPERPARAMETER = "_tuning_objective_metric"

# The run of every tuning job started in this process, by tuning job ARN.
_RUNS: dict[str, TuningRun] = {}


def sampling_seed(random_seed: int | None, environ: Mapping[str, str]) -> int | None:
    """The request's RandomSeed, else LOCALCLOUD_TUNING_SEED, else None (a fresh random seed)."""
    if random_seed is not None:
        return random_seed
    value = environ.get(SEED_ENV_VAR, "").strip()
    return int(value) if value else None


def candidate_name(tuning_job_name: str, index: int) -> str:
    return f"{tuning_job_name}-{index:03d}-{secrets.token_hex(4)}"


@dataclass
class _Candidate:
    index: int
    name: str
    tuned: dict[str, str]
    job: Any | None  # moto's FakeTrainingJob; None when CreateTrainingJob refused it
    refusal: str | None = None


class TuningRun:
    """One tuning job's candidates and its background loop."""

    def __init__(self, backend: Any, tuning_job: Any, plan: TuningPlan) -> None:
        self.backend = backend
        self.job = tuning_job
        self.plan = plan
        rng = random.Random(sampling_seed(plan.random_seed, os.environ))
        self.pending = deque(tuning_ranges.candidates(plan.strategy, plan.space, plan.max_jobs, rng))
        self.candidates: list[_Candidate] = []
        self.stop_requested = threading.Event()

    # Read under SAGEMAKER_STATE_LOCK, by the request threads too.
    def result(self, candidate: _Candidate) -> CandidateResult:
        if candidate.job is None:
            return CandidateResult(candidate.index, "Failed", candidate.refusal)
        return CandidateResult(
            candidate.index,
            candidate.job.training_job_status,
            candidate.job.failure_reason,
            tuning_results.objective_value(candidate.job.final_metric_data_list, self.plan.objective_metric),
        )

    def summary(self, candidate: _Candidate) -> dict[str, Any]:
        """The candidate as a HyperParameterTrainingJobSummary (BestTrainingJob, ListTrainingJobsFor...)."""
        result = self.result(candidate)
        job = candidate.job
        summary: dict[str, Any] = {
            "TrainingJobName": candidate.name,
            "TrainingJobArn": job.arn if job is not None else None,
            "TuningJobName": self.plan.name,
            "CreationTime": job.creation_time if job is not None else None,
            "TrainingStartTime": job.training_start_time if job is not None else None,
            "TrainingEndTime": job.training_end_time if job is not None else None,
            "TrainingJobStatus": result.training_job_status,
            "TunedHyperParameters": dict(candidate.tuned),
            "FailureReason": result.failure_reason,
            "ObjectiveStatus": result.objective_status,
        }
        if result.objective_value is not None:
            summary["FinalHyperParameterTuningJobObjectiveMetric"] = {
                "Type": self.plan.objective_type,
                "MetricName": self.plan.objective_metric,
                "Value": result.objective_value,
            }
        return {key: value for key, value in summary.items() if value is not None}

    def listed_candidates(self) -> list[_Candidate]:
        return [candidate for candidate in self.candidates if candidate.job is not None]

    def run(self) -> None:
        """The tuning job's whole life after CreateHyperParameterTuningJob; never raises."""
        try:
            while True:
                results = self.refresh()
                in_flight = sum(result.objective_status == "Pending" for result in results)
                launched = 0
                if self.stop_requested.is_set():
                    self._stop_candidates()
                elif not self._given_up(results):
                    launched = self._launch(self.plan.max_parallel - in_flight)
                if in_flight == 0 and launched == 0:
                    break
                if self.stop_requested.is_set():
                    time.sleep(POLL_SECONDS)  # the event stays set: wait() would not wait
                else:
                    self.stop_requested.wait(POLL_SECONDS)
            self._finish(self.refresh())
        except Exception as error:  # the server must survive any bug here: report it on the job instead
            now = utcnow()
            with SAGEMAKER_STATE_LOCK:
                self.job.hyper_parameter_tuning_job_status = "Failed"
                self.job.failure_reason = f"InternalServerError: local tuning runner failed: {error!r}"
                self.job.hyper_parameter_tuning_end_time = now
                self.job.last_modified_time = now

    def _given_up(self, results: list[CandidateResult]) -> bool:
        failed = sum(result.objective_status == "Failed" for result in results)
        succeeded = any(result.objective_status == "Succeeded" for result in results)
        return not succeeded and failed >= FAILED_ATTEMPTS_BEFORE_GIVING_UP

    def _launch(self, slots: int) -> int:
        launched = 0
        while self.pending and launched < slots:
            self._create_candidate(self.pending.popleft())
            launched += 1
        return launched

    def _create_candidate(self, tuned: dict[str, str]) -> None:
        definition = self.plan.definition
        index = len(self.candidates) + 1
        name = candidate_name(self.plan.name, index)
        hyper_parameters = {
            **(definition.get("StaticHyperParameters") or {}),
            **tuned,
            TUNING_OBJECTIVE_HYPERPARAMETER: self.plan.objective_metric,
        }
        # Copies: the training runner adds MetricDefinitions to its job's AlgorithmSpecification.
        request = {
            "training_job_name": name,
            "hyper_parameters": hyper_parameters,
            "algorithm_specification": copy.deepcopy(dict(definition["AlgorithmSpecification"])),
            "role_arn": definition["RoleArn"],
            "input_data_config": copy.deepcopy(definition.get("InputDataConfig")),
            "output_data_config": copy.deepcopy(dict(definition["OutputDataConfig"])),
            "resource_config": copy.deepcopy(
                definition.get("ResourceConfig") or definition.get("HyperParameterTuningResourceConfig")
            ),
            "vpc_config": copy.deepcopy(definition.get("VpcConfig")),
            "stopping_condition": copy.deepcopy(definition.get("StoppingCondition")),
            # "Tags that you specify for the tuning job are also added to all training jobs that the tuning
            # job launches" (CreateHyperParameterTuningJob).
            "tags": copy.deepcopy(self.plan.tags),
            "enable_network_isolation": definition.get("EnableNetworkIsolation", False),
            "enable_inter_container_traffic_encryption": definition.get(
                "EnableInterContainerTrafficEncryption", False
            ),
            "enable_managed_spot_training": definition.get("EnableManagedSpotTraining", False),
            "checkpoint_config": copy.deepcopy(definition.get("CheckpointConfig")),
            "debug_hook_config": None,
            "debug_rule_configurations": None,
            "tensor_board_output_config": None,
            "experiment_config": None,
        }
        with SAGEMAKER_STATE_LOCK:
            try:
                job = self.backend.create_training_job(**request)
            except SagemakerClientError as error:
                self.candidates.append(_Candidate(index, name, tuned, None, f"ClientError: {error.message}"))
                return
            job.tuning_job_arn = self.job.arn  # DescribeTrainingJob's TuningJobArn
            self.candidates.append(_Candidate(index, name, tuned, job))

    def _stop_candidates(self) -> None:
        with SAGEMAKER_STATE_LOCK:
            running = [candidate.job for candidate in self.listed_candidates()]
        for job in running:
            training.request_stop(job)  # a no-op for a job that has ended

    def refresh(self) -> list[CandidateResult]:
        """Counters and best candidate from the candidates' current state (the loop, and every describe, so
        that a describe never lags behind the training jobs it summarizes)."""
        with SAGEMAKER_STATE_LOCK:
            results = [self.result(candidate) for candidate in self.candidates]
            self.job.training_job_status_counters = tuning_results.training_job_status_counters(results)
            self.job.objective_status_counters = tuning_results.objective_status_counters(results)
            best = tuning_results.best(results, self.plan.objective_type)
            self.job.best_training_job = self.summary(self.candidates[best.index - 1]) if best else None
        return results

    def _finish(self, results: list[CandidateResult]) -> None:
        now = utcnow()
        with SAGEMAKER_STATE_LOCK:
            if self.stop_requested.is_set():
                status = "Stopped"
            elif tuning_results.best(results, self.plan.objective_type) is not None:
                status = "Completed"
            else:
                status = "Failed"
                # AWS's reason, for a tuning job none of whose training jobs gave the objective metric.
                self.job.failure_reason = (
                    f"No training job succeeded after {len(results)} attempts. Please take a look at the "
                    "training job failures to get more details."
                )
            self.job.hyper_parameter_tuning_job_status = status
            self.job.hyper_parameter_tuning_end_time = now
            self.job.last_modified_time = now
            self.job.consumed_resources = {
                "RuntimeInSeconds": max(1, int((now - self.job.creation_time).total_seconds()))
            }


def _prepare_new_tuning_job(tuning_job: Any) -> None:
    """Replace moto's canned Completed answer (a fake best job, fixed counters) with an InProgress job."""
    now = utcnow()
    with SAGEMAKER_STATE_LOCK:
        tuning_job.hyper_parameter_tuning_job_status = "InProgress"
        tuning_job.hyper_parameter_tuning_end_time = None
        tuning_job.training_job_status_counters = tuning_results.training_job_status_counters([])
        tuning_job.objective_status_counters = tuning_results.objective_status_counters([])
        tuning_job.best_training_job = None
        tuning_job.OverallBestTrainingJob = None  # warm start only, which is not emulated
        tuning_job.failure_reason = None
        tuning_job.tuning_job_completion_details = None
        tuning_job.consumed_resources = None
        tuning_job.last_modified_time = now


def start_tuning_job(backend: Any, tuning_job: Any, plan: TuningPlan) -> threading.Thread:
    _prepare_new_tuning_job(tuning_job)
    run = TuningRun(backend, tuning_job, plan)
    with SAGEMAKER_STATE_LOCK:
        _RUNS[tuning_job.arn] = run
    thread = threading.Thread(target=run.run, name=f"tuning-{plan.name}", daemon=True)
    thread.start()
    return thread


def run_of(tuning_job: Any) -> TuningRun | None:
    """The tuning job's run; None for one this process did not start (moto's state outlives a server)."""
    with SAGEMAKER_STATE_LOCK:
        return _RUNS.get(tuning_job.arn)
