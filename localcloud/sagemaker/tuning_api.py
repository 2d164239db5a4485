"""Hyperparameter tuning jobs in moto: what changes and what is added (the runner is `tuning.py`).

moto 5.2.5 stores CreateHyperParameterTuningJob's request and answers every describe with a canned
`Completed` job (a fake best training job named "FakeTrainingJobName", fixed counters); it has no
StopHyperParameterTuningJob and no ListTrainingJobsForHyperParameterTuningJob. Here
CreateHyperParameterTuningJob validates the request (`tuning_validation`) and starts the run;
DescribeHyperParameterTuningJob and ListHyperParameterTuningJobs read under the shared lock, with counters
and best candidate as of that moment; the two missing actions are added.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from moto.core.responses import ActionResult, EmptyResult
from moto.sagemaker.exceptions import ResourceNotFound, ValidationError
from moto.sagemaker.models import SageMakerModelBackend
from moto.sagemaker.responses import SageMakerResponse

from localcloud import patching
from localcloud.sagemaker import tuning
from localcloud.sagemaker.tuning_validation import validate_create_tuning_job
from localcloud.shared_state import SAGEMAKER_STATE_LOCK

_SORT_KEYS = ("Name", "CreationTime", "Status", "FinalObjectiveMetricValue")
_DEFAULT_MAX_RESULTS = 10


def _create_hyper_parameter_tuning_job(original: Callable[..., str]) -> Callable[..., str]:
    @functools.wraps(original)
    def create_hyper_parameter_tuning_job(self: SageMakerModelBackend, **kwargs: Any) -> str:
        name = kwargs["hyper_parameter_tuning_job_name"]
        plan = validate_create_tuning_job(
            name=name,
            config=kwargs["hyper_parameter_tuning_job_config"] or {},
            definition=kwargs.get("training_job_definition"),
            definitions=kwargs.get("training_job_definitions"),
            warm_start_config=kwargs.get("warm_start_config"),
            autotune=kwargs.get("autotune"),
            tags=kwargs.get("tags"),
        )
        with SAGEMAKER_STATE_LOCK:
            arn = original(self, **kwargs)  # ResourceInUse for a name already used, as on AWS
            tuning.start_tuning_job(self, self.hyper_parameter_tuning_jobs[name], plan)
        return arn

    return create_hyper_parameter_tuning_job


def _refreshed(original: Callable[..., Any]) -> Callable[..., Any]:
    """Describe/List of tuning jobs: under the lock, once each run has counted its candidates' state."""

    @functools.wraps(original)
    def refreshed(self: SageMakerModelBackend, *args: Any, **kwargs: Any) -> Any:
        with SAGEMAKER_STATE_LOCK:
            for job in self.hyper_parameter_tuning_jobs.values():
                run = tuning.run_of(job)
                if run is not None:
                    run.refresh()
            return original(self, *args, **kwargs)

    return refreshed


def _tuning_job(backend: SageMakerModelBackend, name: str) -> Any:
    job = backend.hyper_parameter_tuning_jobs.get(name)
    if job is None:
        # moto's message for DescribeHyperParameterTuningJob, so every action answers alike.
        raise ResourceNotFound(message=f"Could not find hyper parameter tuning job '{name}'.")
    return job


def stop_hyper_parameter_tuning_job(
    self: SageMakerModelBackend, hyper_parameter_tuning_job_name: str
) -> None:
    """StopHyperParameterTuningJob: `Stopping`, every running candidate stopped, then `Stopped`."""
    with SAGEMAKER_STATE_LOCK:
        job = _tuning_job(self, hyper_parameter_tuning_job_name)
        status = job.hyper_parameter_tuning_job_status
        if status != "InProgress":
            raise ValidationError(
                message=f"The hyperparameter tuning job {job.arn} can't be stopped: its status is {status}, "
                "and only a job that is InProgress can be stopped."
            )
        run = tuning.run_of(job)
        job.hyper_parameter_tuning_job_status = "Stopping"
    if run is not None:
        run.stop_requested.set()
    else:  # started by an earlier server in this process: nothing runs it any more
        with SAGEMAKER_STATE_LOCK:
            job.hyper_parameter_tuning_job_status = "Stopped"


def list_training_jobs_for_hyper_parameter_tuning_job(
    self: SageMakerModelBackend,
    hyper_parameter_tuning_job_name: str,
    status_equals: str | None = None,
    sort_by: str | None = None,
    sort_order: str | None = None,
) -> list[dict[str, Any]]:
    """Every candidate's HyperParameterTrainingJobSummary, filtered and sorted as the API Reference says
    (default: by Name, ascending; sorting by FinalObjectiveMetricValue leaves out those without one)."""
    with SAGEMAKER_STATE_LOCK:
        run = tuning.run_of(_tuning_job(self, hyper_parameter_tuning_job_name))
        summaries = [run.summary(candidate) for candidate in run.listed_candidates()] if run else []
    if status_equals:
        summaries = [summary for summary in summaries if summary["TrainingJobStatus"] == status_equals]
    key = sort_by or "Name"
    if key not in _SORT_KEYS:
        raise ValidationError(
            message=f"Value '{key}' at 'sortBy' failed to satisfy constraint: Member must satisfy enum value "
            f"set: [{', '.join(_SORT_KEYS)}]"
        )
    if key == "FinalObjectiveMetricValue":
        summaries = [
            summary for summary in summaries if "FinalHyperParameterTuningJobObjectiveMetric" in summary
        ]
    sort_key: Callable[[dict[str, Any]], Any] = {
        "Name": lambda summary: summary["TrainingJobName"],
        "CreationTime": lambda summary: summary["CreationTime"],
        "Status": lambda summary: summary["TrainingJobStatus"],
        "FinalObjectiveMetricValue": lambda summary: summary["FinalHyperParameterTuningJobObjectiveMetric"][
            "Value"
        ],
    }[key]
    return sorted(summaries, key=sort_key, reverse=sort_order == "Descending")


def _stop_action(self: SageMakerResponse) -> EmptyResult:
    self.sagemaker_backend.stop_hyper_parameter_tuning_job(  # type: ignore[attr-defined]
        hyper_parameter_tuning_job_name=self._get_param("HyperParameterTuningJobName")
    )
    return EmptyResult()


def _list_training_jobs_action(self: SageMakerResponse) -> ActionResult:
    summaries = self.sagemaker_backend.list_training_jobs_for_hyper_parameter_tuning_job(  # type: ignore[attr-defined]
        hyper_parameter_tuning_job_name=self._get_param("HyperParameterTuningJobName"),
        status_equals=self._get_param("StatusEquals"),
        sort_by=self._get_param("SortBy"),
        sort_order=self._get_param("SortOrder"),
    )
    # NextToken is the index of the next summary; the list is rebuilt per page, as moto's paginators do.
    start = int(self._get_param("NextToken") or 0)
    end = start + int(self._get_param("MaxResults") or _DEFAULT_MAX_RESULTS)
    result: dict[str, Any] = {"TrainingJobSummaries": summaries[start:end]}
    if end < len(summaries):
        result["NextToken"] = str(end)
    return ActionResult(result)


PATCHES = (
    patching.wrap(
        __name__,
        SageMakerModelBackend,
        "create_hyper_parameter_tuning_job",
        fingerprint="ee5e9c07749b6616",
        build=_create_hyper_parameter_tuning_job,
    ),
    patching.wrap(
        __name__,
        SageMakerModelBackend,
        "describe_hyper_parameter_tuning_job",
        fingerprint="e5af7ce73b55b969",
        build=_refreshed,
    ),
    patching.wrap(
        __name__,
        SageMakerModelBackend,
        "list_hyper_parameter_tuning_jobs",
        fingerprint="7e5ce3d3c1b7457a",
        build=_refreshed,
    ),
    patching.add(
        __name__, SageMakerModelBackend, "stop_hyper_parameter_tuning_job", stop_hyper_parameter_tuning_job
    ),
    patching.add(
        __name__,
        SageMakerModelBackend,
        "list_training_jobs_for_hyper_parameter_tuning_job",
        list_training_jobs_for_hyper_parameter_tuning_job,
    ),
    patching.add(__name__, SageMakerResponse, "stop_hyper_parameter_tuning_job", _stop_action),
    patching.add(
        __name__,
        SageMakerResponse,
        "list_training_jobs_for_hyper_parameter_tuning_job",
        _list_training_jobs_action,
    ),
)
