"""What a tuning job reports about its candidates (pure: no moto, unit-tested alone): each candidate's
objective status, the status counters, and the best candidate.

- ObjectiveStatus: `Pending` while the training job runs, `Succeeded` once it completed with the objective
  metric in its FinalMetricDataList, `Failed` otherwise (failed, stopped, or no such metric).
- TrainingJobStatusCounters: a failed candidate is `RetryableError` when the service failed it
  (`InternalServerError: ...`) and `NonRetryableError` when the job or its data did (`ClientError: ...`,
  `AlgorithmError: ...`), as the API Reference defines the two.
- BestTrainingJob: the Succeeded candidate with the lowest (Minimize) or highest (Maximize) objective
  value; of equal values the one launched first.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

RUNNING_STATUSES = ("InProgress", "Stopping")


@dataclass(frozen=True)
class CandidateResult:
    index: int  # launch order, from 1
    training_job_status: str
    failure_reason: str | None = None
    objective_value: float | None = None

    @property
    def objective_status(self) -> str:
        if self.training_job_status in RUNNING_STATUSES:
            return "Pending"
        if self.training_job_status == "Completed" and self.objective_value is not None:
            return "Succeeded"
        return "Failed"


def objective_value(
    final_metric_data_list: Iterable[Mapping[str, Any]] | None, metric_name: str
) -> float | None:
    """The objective metric's final value in a training job's FinalMetricDataList, if it emitted one."""
    for entry in final_metric_data_list or ():
        if entry.get("MetricName") == metric_name:
            return float(entry["Value"])
    return None


def training_job_status_counters(results: Iterable[CandidateResult]) -> dict[str, int]:
    counters = {"Completed": 0, "InProgress": 0, "RetryableError": 0, "NonRetryableError": 0, "Stopped": 0}
    for result in results:
        if result.training_job_status in RUNNING_STATUSES:
            counters["InProgress"] += 1
        elif result.training_job_status in ("Completed", "Stopped"):
            counters[result.training_job_status] += 1
        elif (result.failure_reason or "").startswith("InternalServerError"):
            counters["RetryableError"] += 1
        else:
            counters["NonRetryableError"] += 1
    return counters


def objective_status_counters(results: Iterable[CandidateResult]) -> dict[str, int]:
    counters = {"Succeeded": 0, "Pending": 0, "Failed": 0}
    for result in results:
        counters[result.objective_status] += 1
    return counters


def best(results: Iterable[CandidateResult], objective_type: str) -> CandidateResult | None:
    """The best Succeeded candidate in the objective's direction; the earliest launched of equal ones."""
    chosen: CandidateResult | None = None
    for result in sorted(results, key=lambda result: result.index):
        if result.objective_status != "Succeeded":
            continue
        assert result.objective_value is not None  # Succeeded means it has one
        if chosen is None:
            chosen = result
            continue
        assert chosen.objective_value is not None
        better = (
            result.objective_value > chosen.objective_value
            if objective_type == "Maximize"
            else result.objective_value < chosen.objective_value
        )
        if better:
            chosen = result
    return chosen
