"""SageMaker and SageMaker Runtime for the local cloud, on top of moto 5.2.5.

moto records training jobs as instantly Completed, endpoints as instantly InService, has no
UpdateEndpoint and answers InvokeEndpoint with canned text. These patches make them real:

- CreateTrainingJob validates the request as SageMaker does and runs the job in the background
  (localcloud.sagemaker.training); DescribeTrainingJob reports its live status.
- CreateEndpoint / UpdateEndpoint start a local model server (localcloud.sagemaker.endpoints);
  DeleteEndpoint stops it.
- InvokeEndpoint forwards the request to the endpoint's model server and publishes SageMaker's
  invocation metrics to CloudWatch (localcloud.sagemaker.invocations, invocation_metrics).
- The model registry: versions numbered under the lock, updates, CreateModel from a model package
  (`localcloud.sagemaker.model_registry`, whose PATCHES are part of these).
- Serverless endpoints: CreateEndpointConfig and UpdateEndpoint check `ServerlessConfig`
  (`localcloud.sagemaker.serverless_config`, whose PATCHES are part of these); InvokeEndpoint enforces
  MaxConcurrency, cold starts and the 4 MB payload (`localcloud.sagemaker.serverless_invocations`).
- Batch transform jobs that run (`localcloud.sagemaker.transform_patches`, whose PATCHES are part of
  these).
- Hyperparameter tuning jobs whose candidates are real training jobs (`localcloud.sagemaker.tuning_api`,
  whose PATCHES are part of these).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from moto.core.common_types import TYPE_RESPONSE
from moto.core.responses import ActionResult
from moto.sagemaker.exceptions import ResourceInUseException, ValidationError
from moto.sagemaker.models import FakeEndpoint, FakeEndpointConfig, FakeTrainingJob, SageMakerModelBackend
from moto.sagemaker.responses import SageMakerResponse
from moto.sagemakerruntime.responses import SageMakerRuntimeResponse

from localcloud import patching
from localcloud.iam.request_authorization import request_caller
from localcloud.sagemaker import (
    endpoints,
    guardrails,
    invocations,
    model_registry,
    serverless_config,
    training,
    transform_patches,
    tuning_api,
)
from localcloud.sagemaker.request_validation import validate_create_training_job
from localcloud.shared_state import SAGEMAKER_STATE_LOCK, under_sagemaker_state_lock


def _create_training_job(original: Callable[..., FakeTrainingJob]) -> Callable[..., FakeTrainingJob]:
    @functools.wraps(original)
    def create_training_job(self: SageMakerModelBackend, **kwargs: Any) -> FakeTrainingJob:
        name = kwargs["training_job_name"]
        validate_create_training_job(
            name=name,
            role_arn=kwargs["role_arn"],
            algorithm_specification=kwargs["algorithm_specification"] or {},
            input_data_config=kwargs["input_data_config"],
            output_data_config=kwargs["output_data_config"] or {},
            hyper_parameters=kwargs["hyper_parameters"],
        )
        with SAGEMAKER_STATE_LOCK:
            # Training job names are unique forever in an account and region, as on AWS.
            if name in self.training_jobs:
                arn = FakeTrainingJob.arn_formatter(name, self.account_id, self.region_name)
                raise ResourceInUseException(
                    message="Training job names must be unique within an AWS account and region, and a "
                    f"training job with this name already exists ({arn})"
                )
            job = original(self, **kwargs)
            training.start_training_job(job, self.account_id, self.region_name)
        return job

    return create_training_job


def _create_endpoint(original: Callable[..., FakeEndpoint]) -> Callable[..., FakeEndpoint]:
    @functools.wraps(original)
    def create_endpoint(
        self: SageMakerModelBackend, endpoint_name: str, endpoint_config_name: str, tags: Any
    ) -> FakeEndpoint:
        with SAGEMAKER_STATE_LOCK:
            if endpoint_name in self.endpoints:
                arn = FakeEndpoint.arn_formatter(endpoint_name, self.account_id, self.region_name)
                raise ValidationError(message=f'Cannot create already existing endpoint "{arn}".')
            endpoint = original(self, endpoint_name, endpoint_config_name, tags)
            endpoints.start_deployment(self, endpoint, endpoint_config_name, is_update=False)
        return endpoint

    return create_endpoint


def _delete_endpoint(original: Callable[..., None]) -> Callable[..., None]:
    @functools.wraps(original)
    def delete_endpoint(self: SageMakerModelBackend, endpoint_name: str) -> None:
        with SAGEMAKER_STATE_LOCK:
            original(self, endpoint_name)
        endpoints.retire_endpoint(self.account_id, self.region_name, endpoint_name)

    return delete_endpoint


def update_endpoint(
    self: SageMakerModelBackend,
    endpoint_name: str,
    endpoint_config_name: str,
    deployment_config: dict[str, Any] | None = None,
    caller: Any = None,
) -> FakeEndpoint:
    """UpdateEndpoint: deploy the new configuration while the current one keeps serving; with a
    DeploymentConfig, as a guarded (canary, linear, rolling) rollout watched by its alarms."""
    with SAGEMAKER_STATE_LOCK:
        endpoint = self.endpoints.get(endpoint_name)
        arn = FakeEndpoint.arn_formatter(endpoint_name, self.account_id, self.region_name)
        if endpoint is None:
            raise ValidationError(message=f'Could not find endpoint "{arn}".')
        if endpoint_config_name not in self.endpoint_configs:
            config_arn = FakeEndpointConfig.arn_formatter(
                endpoint_config_name, self.account_id, self.region_name
            )
            raise ValidationError(message=f'Could not find endpoint configuration "{config_arn}".')
        if endpoint.endpoint_status != "InService":
            raise ValidationError(message=f'Cannot update in-progress endpoint "{arn}".')
        serverless_config.check_update(self, endpoint, endpoint_config_name)
        plan = guardrails.rollout_plan(self, endpoint, endpoint_config_name, deployment_config, caller)
        if deployment_config is not None:
            endpoint.last_deployment_config = deployment_config
        endpoints.start_deployment(self, endpoint, endpoint_config_name, is_update=True, plan=plan)
        return endpoint


def _update_endpoint_action(self: SageMakerResponse) -> ActionResult:
    endpoint = self.sagemaker_backend.update_endpoint(  # type: ignore[attr-defined]
        endpoint_name=self._get_param("EndpointName"),
        endpoint_config_name=self._get_param("EndpointConfigName"),
        deployment_config=self._get_param("DeploymentConfig"),
        caller=request_caller(self),
    )
    return ActionResult({"EndpointArn": endpoint.arn})


def invoke_endpoint(self: SageMakerRuntimeResponse) -> TYPE_RESPONSE:
    """InvokeEndpoint routed to the endpoint's local model server, with AWS's errors and metrics."""
    body = self.body if isinstance(self.body, bytes) else (self.body or "").encode()
    return invocations.answer(
        invocations.Invocation(
            account=self.current_account,
            region=self.region,
            endpoint_name=invocations.endpoint_name_from_path(urlsplit(self.path).path),
            content_type=self.headers.get("Content-Type"),
            accept=self.headers.get("Accept"),
            body=body,
        )
    )


def _with_raw_body(original: Callable[..., None]) -> Callable[..., None]:
    """SageMaker Runtime's request body is the model's payload, never parameters: moto would decode it
    and parse it as a query string (about 1.5 ms for a 1,000-row CSV request), then our handler encodes
    it back. Kept as the bytes received."""

    @functools.wraps(original)
    def setup_class(self: Any, request: Any, full_url: Any = None, headers: Any = None, **_: Any) -> None:
        original(self, request, full_url, headers, use_raw_body=True)

    return setup_class


PATCHES = (
    patching.wrap(
        __name__,
        SageMakerModelBackend,
        "create_training_job",
        fingerprint="28e33b84f7b4fdf5",
        build=_create_training_job,
    ),
    patching.wrap(
        __name__,
        SageMakerModelBackend,
        "describe_training_job",
        fingerprint="c78ae1d18ef98dc3",
        build=under_sagemaker_state_lock,
    ),
    patching.wrap(
        __name__,
        SageMakerModelBackend,
        "create_endpoint",
        fingerprint="5474548999156c86",
        build=_create_endpoint,
    ),
    patching.wrap(
        __name__,
        SageMakerModelBackend,
        "describe_endpoint",
        fingerprint="18cd553c7db80a85",
        build=under_sagemaker_state_lock,
    ),
    patching.wrap(
        __name__,
        SageMakerModelBackend,
        "delete_endpoint",
        fingerprint="1fb59ee16c92c0e8",
        build=_delete_endpoint,
    ),
    patching.add(__name__, SageMakerModelBackend, "update_endpoint", update_endpoint),
    patching.add(__name__, SageMakerResponse, "update_endpoint", _update_endpoint_action),
    patching.wrap(
        __name__,
        SageMakerRuntimeResponse,
        "setup_class",
        fingerprint="0045fc77574abb17",
        build=_with_raw_body,
    ),
    # Replaced, not wrapped: moto's answer is canned text; the model server computes the real one.
    patching.replace(
        __name__,
        SageMakerRuntimeResponse,
        "invoke_endpoint",
        fingerprint="5559ed6a5dbe2534",
        replacement=invoke_endpoint,
    ),
    *model_registry.PATCHES,
    *serverless_config.PATCHES,
    *transform_patches.PATCHES,
    *tuning_api.PATCHES,
)
