"""Glue jobs: `UpdateJob`, and job runs that really execute the job's script.

- `UpdateJob` replaces the job's definition as AWS does (what the update leaves out is reset); moto
  answered HTTP 500, so any in-place change of the module's Glue job failed.
- `StartJobRun` starts moto's run record and executes the job's script in a background thread
  (`localcloud.glue.runner`); the run's state, times and `ErrorMessage` come from that execution
  instead of advancing on reads.
"""

from __future__ import annotations

import datetime
import threading
from collections.abc import Callable
from typing import Any

from moto.core.responses import ActionResult
from moto.core.utils import utcnow
from moto.glue import models as glue_models
from moto.glue.exceptions import InvalidInputException
from moto.glue.models import FakeJob, FakeJobRun, GlueBackend
from moto.glue.responses import GlueResponse

from localcloud import patching
from localcloud.glue import runner

# JobUpdate member -> FakeJob attribute. AWS resets whatever the update leaves out.
_JOB_UPDATE_FIELDS: dict[str, str] = {
    "Description": "description",
    "LogUri": "log_uri",
    "Role": "role",
    "ExecutionProperty": "execution_property",
    "Command": "command",
    "DefaultArguments": "default_arguments",
    "NonOverridableArguments": "non_overridable_arguments",
    "Connections": "connections",
    "MaxRetries": "max_retries",
    "AllocatedCapacity": "allocated_capacity",
    "Timeout": "timeout",
    "MaxCapacity": "max_capacity",
    "WorkerType": "worker_type",
    "NumberOfWorkers": "number_of_workers",
    "SecurityConfiguration": "security_configuration",
    "NotificationProperty": "notification_property",
    "GlueVersion": "glue_version",
    "CodeGenConfigurationNodes": "code_gen_configuration_nodes",
    "ExecutionClass": "execution_class",
    "SourceControlDetails": "source_control_details",
}
# Newer JobUpdate members moto's FakeJob has no attribute for; kept and returned by GetJob.
_EXTRA_FIELDS = ("JobMode", "JobRunQueuingEnabled", "MaintenanceWindow")
_JOB_UPDATE_DEFAULTS: dict[str, Any] = {
    "ExecutionProperty": {},
    "DefaultArguments": {},
    "ExecutionClass": "STANDARD",
}


def update_job(job: FakeJob, job_update: dict[str, Any]) -> None:
    unknown = set(job_update) - set(_JOB_UPDATE_FIELDS) - set(_EXTRA_FIELDS)
    if unknown:
        raise InvalidInputException("UpdateJob", f"JobUpdate fields not supported locally: {sorted(unknown)}")
    for field, attribute in _JOB_UPDATE_FIELDS.items():
        default = _JOB_UPDATE_DEFAULTS.get(field)
        setattr(job, attribute, job_update.get(field, default))
    job.localcloud_extra_fields = {field: job_update[field] for field in _EXTRA_FIELDS if field in job_update}
    job.last_modified_on = utcnow()


def _with_extra_fields(original: Callable[[FakeJob], dict[str, Any]]) -> Callable[[FakeJob], dict[str, Any]]:
    def as_dict(self: FakeJob) -> dict[str, Any]:
        return {**original(self), **getattr(self, "localcloud_extra_fields", {})}

    return as_dict


def _update_job_action(self: GlueResponse) -> ActionResult:
    name = self._get_param("JobName")
    update_job(self.glue_backend.get_job(name), self._get_param("JobUpdate") or {})
    return ActionResult({"JobName": name})


class LocalJobRun(FakeJobRun):
    """A job run whose state is set by the runner executing it, not advanced by reads."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._status = "RUNNING"
        self.completed_on: datetime.datetime | None = None  # type: ignore[assignment]
        self.error_message: str | None = None
        self.execution_seconds = 0
        self.log_file: str | None = None

    @property
    def status(self) -> str:  # type: ignore[override]
        return self._status

    @status.setter
    def status(self, value: str) -> None:
        self._status = value

    def finish(self, state: str, error_message: str | None = None) -> None:
        self.completed_on = utcnow()
        self.modified_on = self.completed_on
        self.execution_seconds = round((self.completed_on - self.started_on).total_seconds())
        self.error_message = error_message
        self._status = state

    def as_dict(self) -> dict[str, Any]:
        result = super().as_dict()
        result["ExecutionTime"] = self.execution_seconds
        result.pop("CompletedOn", None)
        if self.completed_on is not None:
            result["CompletedOn"] = self.completed_on
        if self.error_message:
            result["ErrorMessage"] = self.error_message
        return result


def _executing_the_run(original: Callable[..., str]) -> Callable[..., str]:
    def start_job_run(self: GlueBackend, name: str, *args: Any, **kwargs: Any) -> str:
        run_id = original(self, name, *args, **kwargs)
        job = self.get_job(name)
        job_run = next(run for run in job.job_runs if run.job_run_id == run_id)
        threading.Thread(
            target=runner.execute_job_run, args=(job, job_run), name=f"glue-{name}-{run_id}", daemon=True
        ).start()
        return run_id

    return start_job_run


PATCHES = (
    patching.add(__name__, GlueResponse, "update_job", _update_job_action),
    patching.wrap(__name__, FakeJob, "as_dict", fingerprint="94ca48d217bbc8c2", build=_with_extra_fields),
    # FakeJob.start_job_run looks the run class up in moto's module at call time.
    patching.wrap(
        __name__, glue_models, "FakeJobRun", fingerprint="7825b0e9ca2f401f", build=lambda _moto: LocalJobRun
    ),
    patching.wrap(
        __name__, GlueBackend, "start_job_run", fingerprint="86006fa0ebaa0443", build=_executing_the_run
    ),
)
