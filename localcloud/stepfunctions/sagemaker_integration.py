"""A SageMaker service integration for moto's interpreter, which has none
(`Unsupported sync callback procedure`): request-response calls of the optimised SageMaker actions
(`createModel`, `createEndpointConfig`, `createEndpoint`, `updateEndpoint`, `createTransformJob`, ...) and
`createTrainingJob.sync` / `createTransformJob.sync` / `createHyperParameterTuningJob.sync`, which poll
DescribeTrainingJob / DescribeTransformJob / DescribeHyperParameterTuningJob:
`Completed` -> the description is the result; `Failed` / `Stopped` -> `States.TaskFailed` with the
description as cause. Errors are named `SageMaker.AmazonSageMakerException`, as on AWS.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final

from botocore.exceptions import ClientError
from moto.stepfunctions.parser.api import HistoryEventType, TaskFailedEventDetails
from moto.stepfunctions.parser.asl.component.common.error_name.custom_error_name import CustomErrorName
from moto.stepfunctions.parser.asl.component.common.error_name.failure_event import (
    FailureEvent,
    FailureEventException,
)
from moto.stepfunctions.parser.asl.component.common.error_name.states_error_name import StatesErrorName
from moto.stepfunctions.parser.asl.component.common.error_name.states_error_name_type import (
    StatesErrorNameType,
)
from moto.stepfunctions.parser.asl.component.state.exec.state_task import state_task_factory
from moto.stepfunctions.parser.asl.component.state.exec.state_task.credentials import StateCredentials
from moto.stepfunctions.parser.asl.component.state.exec.state_task.service import (
    state_task_service_callback,
)
from moto.stepfunctions.parser.asl.component.state.exec.state_task.service.resource import (
    ResourceCondition,
    ResourceRuntimePart,
)
from moto.stepfunctions.parser.asl.eval.environment import Environment
from moto.stepfunctions.parser.asl.eval.event.event_detail import EventDetails
from moto.stepfunctions.parser.asl.utils.encoding import to_json_str

from localcloud import config, patching
from localcloud.iam import authorization
from localcloud.stepfunctions import execution_role
from localcloud.stepfunctions.json_timestamps import to_epoch_millis

# Optimised SageMaker integrations listed by the Step Functions developer guide.
_SAGEMAKER_ACTIONS: Final[frozenset[str]] = frozenset(
    {
        "createendpoint",
        "createendpointconfig",
        "createhyperparametertuningjob",
        "createlabelingjob",
        "createmodel",
        "createprocessingjob",
        "createtrainingjob",
        "createtransformjob",
        "updateendpoint",
    }
)
_TERMINAL_FAILURES: Final = {"Failed", "Stopped"}
_MANAGED_RULE_ACTIONS: Final = ("events:PutTargets", "events:PutRule", "events:DescribeRule")


@dataclass(frozen=True)
class _SyncJob:
    """How `.sync` follows one kind of SageMaker job: the request's name parameter, the describe call and
    its status field, and the Step Functions-managed EventBridge rule through which Step Functions learns of
    the job's end (created and updated with the execution's role)."""

    name_parameter: str
    describe: str
    status_field: str
    managed_rule: str


_SYNC_JOBS: Final = {
    "create_training_job": _SyncJob(
        "TrainingJobName",
        "describe_training_job",
        "TrainingJobStatus",
        "StepFunctionsGetEventsForSageMakerTrainingJobsRule",
    ),
    "create_transform_job": _SyncJob(
        "TransformJobName",
        "describe_transform_job",
        "TransformJobStatus",
        "StepFunctionsGetEventsForSageMakerTransformJobsRule",
    ),
    "create_hyper_parameter_tuning_job": _SyncJob(
        "HyperParameterTuningJobName",
        "describe_hyper_parameter_tuning_job",
        "HyperParameterTuningJobStatus",
        "StepFunctionsGetEventsForSageMakerTuningJobsRule",
    ),
}


class StateTaskServiceSageMaker(state_task_service_callback.StateTaskServiceCallback):
    """Request-response for the optimised SageMaker actions, plus `createTrainingJob.sync`,
    `createTransformJob.sync` and `createHyperParameterTuningJob.sync`."""

    def __init__(self) -> None:
        super().__init__(supported_integration_patterns={ResourceCondition.Sync})

    def _get_supported_parameters(self) -> set[str] | None:
        # None makes moto reject the resource when the state machine is created, as AWS does.
        if self.resource.api_action.lower() not in _SAGEMAKER_ACTIONS:
            return None
        return set()

    def _client(self, resource_runtime_part: ResourceRuntimePart, credentials: StateCredentials) -> Any:
        return execution_role.client_for(
            service="sagemaker", region=resource_runtime_part.region, state_credentials=credentials
        )

    def _authorize_managed_rule(
        self,
        env: Environment,
        resource_runtime_part: ResourceRuntimePart,
        credentials: StateCredentials,
        rule: str,
    ) -> None:
        session = execution_role.session_for(credentials)
        rule_arn = f"arn:aws:events:{resource_runtime_part.region}:{config.ACCOUNT_ID}:rule/{rule}"
        try:
            for action in _MANAGED_RULE_ACTIONS:
                authorization.authorize(session, action, [rule_arn])
        except authorization.AccessDenied as denied:
            raise FailureEventException(
                FailureEvent(
                    env=env,
                    error_name=StatesErrorName(typ=StatesErrorNameType.StatesTaskFailed),
                    event_type=HistoryEventType.TaskFailed,
                    event_details=EventDetails(
                        taskFailedEventDetails=TaskFailedEventDetails(
                            resource=self._get_sfn_resource(),
                            resourceType=self._get_sfn_resource_type(),
                            error=StatesErrorNameType.StatesTaskFailed.to_name(),
                            cause=f"'{credentials.role_arn}' is not authorized to create managed-rule. "
                            f"{denied.message}",
                        )
                    ),
                )
            ) from denied

    def _from_error(self, env: Environment, ex: Exception) -> FailureEvent:
        if not isinstance(ex, ClientError):
            return super()._from_error(env=env, ex=ex)
        error_name = "SageMaker.AmazonSageMakerException"
        metadata = ex.response.get("ResponseMetadata", {})
        cause = (
            f"{ex.response['Error'].get('Message', '')} (Service: AmazonSageMaker; "
            f"Status Code: {metadata.get('HTTPStatusCode', 400)}; "
            f"Error Code: {ex.response['Error'].get('Code', 'Unknown')}; "
            f"Request ID: {metadata.get('RequestId', '')}; Proxy: null)"
        )
        return FailureEvent(
            env=env,
            error_name=CustomErrorName(error_name),
            event_type=HistoryEventType.TaskFailed,
            event_details=EventDetails(
                taskFailedEventDetails=TaskFailedEventDetails(
                    error=error_name,
                    cause=cause,
                    resource=self._get_sfn_resource(),
                    resourceType=self._get_sfn_resource_type(),
                )
            ),
        )

    def _eval_service_task(
        self,
        env: Environment,
        resource_runtime_part: ResourceRuntimePart,
        normalised_parameters: dict,
        state_credentials: StateCredentials,
    ) -> None:
        client = self._client(resource_runtime_part, state_credentials)
        response = getattr(client, self._get_boto_service_action())(**normalised_parameters)
        response.pop("ResponseMetadata", None)
        env.stack.append(to_epoch_millis(response))

    def _build_sync_resolver(
        self,
        env: Environment,
        resource_runtime_part: ResourceRuntimePart,
        normalised_parameters: dict,
        state_credentials: StateCredentials,
    ) -> Callable[[], Any] | None:
        sync_job = _SYNC_JOBS.get(self._get_boto_service_action())
        if sync_job is None:
            return super()._build_sync_resolver(
                env, resource_runtime_part, normalised_parameters, state_credentials
            )
        self._authorize_managed_rule(env, resource_runtime_part, state_credentials, sync_job.managed_rule)
        env.stack.pop()  # the Create*Job response; AWS outputs the final describe instead
        job_name = normalised_parameters[sync_job.name_parameter]
        client = self._client(resource_runtime_part, state_credentials)
        describe = getattr(client, sync_job.describe)

        def _resolve() -> dict | None:
            description = describe(**{sync_job.name_parameter: job_name})
            description.pop("ResponseMetadata", None)
            status = description[sync_job.status_field]
            if status == "Completed":
                return to_epoch_millis(description)
            if status not in _TERMINAL_FAILURES:
                return None
            raise FailureEventException(
                FailureEvent(
                    env=env,
                    error_name=StatesErrorName(typ=StatesErrorNameType.StatesTaskFailed),
                    event_type=HistoryEventType.TaskFailed,
                    event_details=EventDetails(
                        taskFailedEventDetails=TaskFailedEventDetails(
                            resource=self._get_sfn_resource(),
                            resourceType=self._get_sfn_resource_type(),
                            error=StatesErrorNameType.StatesTaskFailed.to_name(),
                            cause=to_json_str(to_epoch_millis(description)),
                        )
                    ),
                )
            )

        return _resolve


def _with_sagemaker(original: Callable[[str], Any]) -> Callable[[str], Any]:
    def state_task_service_for(service_name: str) -> Any:
        if service_name == "sagemaker":
            return StateTaskServiceSageMaker()
        return original(service_name)

    return state_task_service_for


PATCHES = (
    # `state_task_for` calls the factory function through the name its module imported.
    patching.wrap(
        __name__,
        state_task_factory,
        "state_task_service_for",
        fingerprint="a21a16afc5f63679",
        build=_with_sagemaker,
    ),
)
