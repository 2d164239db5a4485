"""Batch transform jobs on top of moto 5.2.5, which stores CreateTransformJob as an instantly `Completed`
job, runs nothing, has no StopTransformJob and lets a second job take an existing name.

- CreateTransformJob checks the request as SageMaker does (`transform_validation`), that the name is new
  (`ResourceInUse`, for ever, as for training jobs), that the model exists (`Could not find model
  "<arn>".`, AWS's message) and, as the model's execution role, that the input prefix lists at least one
  object (AWS's `No S3 objects found under S3 URL ...` ValidationException), then starts the job in the
  background (`transform_jobs`): `InProgress` -> `Completed` / `Failed` / `Stopped`.
- DescribeTransformJob and ListTransformJobs read under the SageMaker state lock.
- StopTransformJob (added): `Stopping`, then `Stopped` once the runner has stopped; a job that already
  ended is refused.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from moto.core.responses import EmptyResult
from moto.sagemaker.exceptions import MissingModel, ResourceInUseException, ValidationError
from moto.sagemaker.models import FakeTransformJob, Model, SageMakerModelBackend
from moto.sagemaker.responses import SageMakerResponse
from moto.sagemaker.utils import arn_formatter

from localcloud import patching
from localcloud.iam.role_sessions import RoleAssumptionDenied
from localcloud.sagemaker import execution_role, transform_jobs
from localcloud.sagemaker.s3_access import S3AccessError, list_object_keys, parse_s3_uri
from localcloud.sagemaker.transform_validation import validate_create_transform_job
from localcloud.shared_state import SAGEMAKER_STATE_LOCK, under_sagemaker_state_lock

# moto's keyword arguments of create_transform_job -> the request's parameter names (for validation).
_PARAMETERS = {
    "transform_job_name": "TransformJobName",
    "model_name": "ModelName",
    "max_concurrent_transforms": "MaxConcurrentTransforms",
    "model_client_config": "ModelClientConfig",
    "max_payload_in_mb": "MaxPayloadInMB",
    "batch_strategy": "BatchStrategy",
    "environment": "Environment",
    "transform_input": "TransformInput",
    "transform_output": "TransformOutput",
    "data_capture_config": "DataCaptureConfig",
    "transform_resources": "TransformResources",
    "data_processing": "DataProcessing",
    "tags": "Tags",
    "experiment_config": "ExperimentConfig",
}


def _name_in_use(backend: SageMakerModelBackend, name: str) -> ResourceInUseException:
    arn = FakeTransformJob.arn_formatter(name, backend.account_id, backend.region_name)
    return ResourceInUseException(
        message="Transform job names must be unique within an AWS account and region, and a transform job "
        f"with this name already exists ({arn})"
    )


def _check_input_listed(
    backend: SageMakerModelBackend, model: Model, name: str, transform_input: Any
) -> None:
    """SageMaker lists an S3Prefix input as the model's role before it accepts the job."""
    source = ((transform_input or {}).get("DataSource") or {}).get("S3DataSource") or {}
    if source.get("S3DataType", "S3Prefix") != "S3Prefix":
        return
    uri = source.get("S3Uri", "")
    job_arn = FakeTransformJob.arn_formatter(name, backend.account_id, backend.region_name)
    try:
        session = execution_role.session_for(model.execution_role_arn, job_arn)
    except RoleAssumptionDenied:
        return  # the job fails with the reason when it runs, as for an endpoint on the model
    try:
        keys = list_object_keys(backend.account_id, backend.region_name, uri, session=session)
    except S3AccessError:
        keys = []  # AWS's answer is the same for a missing bucket and a role that may not list it
    if keys:
        return
    try:
        bucket = parse_s3_uri(uri)[0]
    except S3AccessError:
        bucket = uri
    raise ValidationError(
        message=f'No S3 objects found under S3 URL "{uri}" given in input data source. Please ensure that '
        f"the bucket exists in the selected region ({backend.region_name}), that objects exist under that S3 "
        f'prefix, and that the role "{model.execution_role_arn}" has "s3:ListBucket" permissions on bucket '
        f'"{bucket}".'
    )


def _create_transform_job(original: Callable[..., FakeTransformJob]) -> Callable[..., FakeTransformJob]:
    @functools.wraps(original)
    def create_transform_job(self: SageMakerModelBackend, **kwargs: Any) -> FakeTransformJob:
        validate_create_transform_job(
            {_PARAMETERS[name]: value for name, value in kwargs.items() if value is not None}
        )
        name, model_name = kwargs["transform_job_name"], kwargs["model_name"]
        with SAGEMAKER_STATE_LOCK:
            if name in self.transform_jobs:
                raise _name_in_use(self, name)
            model = self._models.get(model_name)
        if model is None:
            raise MissingModel(arn_formatter("model", model_name, self.account_id, self.region_name))
        _check_input_listed(self, model, name, kwargs["transform_input"])
        with SAGEMAKER_STATE_LOCK:
            if name in self.transform_jobs:  # created while the input was being listed
                raise _name_in_use(self, name)
            job = original(self, **kwargs)
            transform_jobs.start_transform_job(self, job)
        return job

    return create_transform_job


def stop_transform_job(self: SageMakerModelBackend, transform_job_name: str) -> None:
    """StopTransformJob (moto has none)."""
    with SAGEMAKER_STATE_LOCK:
        job = self.transform_jobs.get(transform_job_name)
        arn = FakeTransformJob.arn_formatter(transform_job_name, self.account_id, self.region_name)
        if job is None:
            raise ValidationError(message=f"Could not find transform job '{arn}'.")
        if job.transform_job_status not in ("InProgress", "Stopping"):
            # The local cloud's wording, after StopTrainingJob's; AWS's for a transform job is not documented.
            raise ValidationError(
                message=f"The request was rejected because the transform job is in status "
                f"{job.transform_job_status}."
            )
    transform_jobs.request_stop(job)


def _stop_transform_job_action(self: SageMakerResponse) -> EmptyResult:
    self.sagemaker_backend.stop_transform_job(self._get_param("TransformJobName"))  # type: ignore[attr-defined]
    return EmptyResult()


PATCHES = (
    patching.wrap(
        __name__,
        SageMakerModelBackend,
        "create_transform_job",
        fingerprint="53e7fe036fa2f673",
        build=_create_transform_job,
    ),
    patching.wrap(
        __name__,
        SageMakerModelBackend,
        "describe_transform_job",
        fingerprint="9bfc10db71053966",
        build=under_sagemaker_state_lock,
    ),
    patching.wrap(
        __name__,
        SageMakerModelBackend,
        "list_transform_jobs",
        fingerprint="e95510d20107120c",
        build=under_sagemaker_state_lock,
    ),
    patching.add(__name__, SageMakerModelBackend, "stop_transform_job", stop_transform_job),
    patching.add(__name__, SageMakerResponse, "stop_transform_job", _stop_transform_job_action),
)
