"""Step Functions gaps of moto 5.2.5 that the pipeline meets.

1. Two API actions the Terraform aws provider (5.100) calls and moto lacks:
   `ValidateStateMachineDefinition` (checked before create/update) and `ListStateMachineVersions`
   (read after create). Without them the provider retries HTTP 500 for minutes.
2. Every `.sync` task of a service without a task-token callback (Glue, SageMaker) crashes with
   `'NoneType' object has no attribute 'interrupt_all'`: a `finally` block releases a callback
   endpoint that only `.waitForTaskToken` tasks have.
3. The interpreter has no SageMaker service integration (`Unsupported sync callback procedure`):
   `StateTaskServiceSageMaker` adds request-response calls and `createTrainingJob.sync`.
4. A JSONPath filter that matches nothing (`$.list[?(@.x == 'y')]`) raises `States.Runtime`; on
   AWS it yields `[]`, which the template's missing-metric check relies on.
5. aws-sdk:sagemaker errors are named `SageMaker.<Name>Exception`, as on AWS.
6. Task results holding timestamps (Glue GetJobRun, SageMaker describe calls) break
   DescribeExecution (`datetime is not JSON serializable`). Step Functions renders them as epoch
   milliseconds for optimised integrations and as ISO-8601 strings for aws-sdk integrations
   (also in the JobRun JSON that a failed `glue:startJobRun.sync` puts in the error cause).
"""

from __future__ import annotations

import datetime
import inspect
import json
import sys
import textwrap
from collections.abc import Callable
from typing import Any, Final

from botocore.exceptions import ClientError
from moto.core.responses import ActionResult
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
    state_task_service_aws_sdk,
    state_task_service_callback,
    state_task_service_factory,
    state_task_service_glue,
)
from moto.stepfunctions.parser.asl.component.state.exec.state_task.service.resource import (
    ResourceCondition,
    ResourceRuntimePart,
)
from moto.stepfunctions.parser.asl.component.state.exec.state_task.service.state_task_service import (
    StateTaskService,
)
from moto.stepfunctions.parser.asl.eval.environment import Environment
from moto.stepfunctions.parser.asl.eval.event.event_detail import EventDetails
from moto.stepfunctions.parser.asl.parse.asl_parser import AmazonStateLanguageParser, ASLParserException
from moto.stepfunctions.parser.asl.utils import json_path
from moto.stepfunctions.parser.asl.utils.boto_client import boto_client_for
from moto.stepfunctions.parser.asl.utils.encoding import to_json_str
from moto.stepfunctions.responses import StepFunctionResponse

StateTaskServiceCallback = state_task_service_callback.StateTaskServiceCallback

# ---------------------------------------------------------------------------------------------------
# 1. API actions for the Terraform provider


def _validate_state_machine_definition(self: StepFunctionResponse) -> ActionResult:
    """Parse the definition with the interpreter's own ASL parser and report its errors as AWS does."""
    definition = self._get_param("definition") or ""
    diagnostics = [
        {"severity": "ERROR", "code": code, "message": message}
        for code, message in definition_errors(definition)
    ]
    return ActionResult(
        {"result": "FAIL" if diagnostics else "OK", "diagnostics": diagnostics, "truncated": False}
    )


def definition_errors(definition: str) -> list[tuple[str, str]]:
    """(code, message) pairs for a definition that the local interpreter could not run; [] if valid."""
    try:
        json.loads(definition)
    except json.JSONDecodeError as error:
        return [("INVALID_JSON_DESCRIPTION", f"Definition is not valid JSON: {error}")]
    try:
        AmazonStateLanguageParser.parse(definition)
    except ASLParserException as error:
        return [("SCHEMA_VALIDATION_FAILED", str(error))]
    except Exception as error:  # the parser reports semantic problems as plain exceptions
        return [("SCHEMA_VALIDATION_FAILED", f"{type(error).__name__}: {error}")]
    return []


def _list_state_machine_versions(self: StepFunctionResponse) -> ActionResult:
    # The module never publishes versions, and moto does not keep a version list to page through.
    return ActionResult({"stateMachineVersions": []})


# ---------------------------------------------------------------------------------------------------
# 2. `.sync` without a callback endpoint

_UNGUARDED_RELEASE: Final = "            callback_endpoint.interrupt_all()\n"
_GUARDED_RELEASE: Final = (
    "            if callback_endpoint is not None:\n                callback_endpoint.interrupt_all()\n"
)


def _guard_callback_release() -> None:
    """Recompile `_eval_integration_pattern` with a None check around the one faulty line.

    Rewriting the single line keeps moto's logic otherwise untouched; if moto changes the method,
    the assertion stops the server at start instead of failing every `.sync` task at run time.
    """
    method = StateTaskServiceCallback._eval_integration_pattern
    if getattr(method, "localcloud_patched", False):
        return
    source = inspect.getsource(method)
    if source.count(_UNGUARDED_RELEASE) != 1:
        raise RuntimeError("moto's _eval_integration_pattern changed: review this patch")
    namespace: dict[str, Any] = {}
    patched_source = textwrap.dedent(source.replace(_UNGUARDED_RELEASE, _GUARDED_RELEASE))
    code = compile(patched_source, inspect.getsourcefile(method) or "<moto>", "exec")
    exec(code, vars(state_task_service_callback), namespace)
    patched = namespace["_eval_integration_pattern"]
    patched.localcloud_patched = True
    StateTaskServiceCallback._eval_integration_pattern = patched


# ---------------------------------------------------------------------------------------------------
# 3. SageMaker service integration

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
_TRAINING_TERMINAL_FAILURES: Final = {"Failed", "Stopped"}


def _to_epoch_millis(value: Any) -> Any:
    return _render_timestamps(value, lambda moment: int(moment.timestamp() * 1000))


def _render_timestamps(value: Any, render: Callable[[datetime.datetime], Any]) -> Any:
    if isinstance(value, datetime.datetime):
        return render(value)
    if isinstance(value, dict):
        return {key: _render_timestamps(item, render) for key, item in value.items()}
    if isinstance(value, list):
        return [_render_timestamps(item, render) for item in value]
    return value


class StateTaskServiceSageMaker(StateTaskServiceCallback):
    """Request-response for the optimised SageMaker actions, plus `createTrainingJob.sync`."""

    def __init__(self) -> None:
        super().__init__(supported_integration_patterns={ResourceCondition.Sync})

    def _get_supported_parameters(self) -> set[str] | None:
        # None makes moto reject the resource when the state machine is created, as AWS does.
        if self.resource.api_action.lower() not in _SAGEMAKER_ACTIONS:
            return None
        return set()

    def _client(self, resource_runtime_part: ResourceRuntimePart, credentials: StateCredentials) -> Any:
        return boto_client_for(
            service="sagemaker", region=resource_runtime_part.region, state_credentials=credentials
        )

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
        env.stack.append(_to_epoch_millis(response))

    def _build_sync_resolver(
        self,
        env: Environment,
        resource_runtime_part: ResourceRuntimePart,
        normalised_parameters: dict,
        state_credentials: StateCredentials,
    ) -> Callable[[], Any] | None:
        if self._get_boto_service_action() != "create_training_job":
            return super()._build_sync_resolver(
                env, resource_runtime_part, normalised_parameters, state_credentials
            )
        env.stack.pop()  # the CreateTrainingJob response; AWS outputs the final describe instead
        job_name = normalised_parameters["TrainingJobName"]
        client = self._client(resource_runtime_part, state_credentials)

        def _resolve() -> dict | None:
            description = client.describe_training_job(TrainingJobName=job_name)
            description.pop("ResponseMetadata", None)
            status = description["TrainingJobStatus"]
            if status == "Completed":
                return _to_epoch_millis(description)
            if status not in _TRAINING_TERMINAL_FAILURES:
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
                            cause=to_json_str(_to_epoch_millis(description)),
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

    state_task_service_for.localcloud_patched = True  # type: ignore[attr-defined]
    return state_task_service_for


# ---------------------------------------------------------------------------------------------------
# 4. JSONPath filters that match nothing


def _with_empty_filter_result(original: Callable[[str, Any], Any]) -> Callable[[str, Any], Any]:
    def extract_json(path: str, data: Any) -> Any:
        try:
            return original(path, data)
        except json_path.NoSuchJsonPathError:
            # A filter selects a (possibly empty) list; only a missing plain field is an error on AWS.
            if "[?(" in path:
                return []
            raise

    extract_json.localcloud_patched = True  # type: ignore[attr-defined]
    return extract_json


def _patch_extract_json() -> None:
    original = json_path.extract_json
    if getattr(original, "localcloud_patched", False):
        return
    patched = _with_empty_filter_result(original)
    # Modules bound the function by name at import time (importing the ASL parser above imported all
    # of them); rebind it wherever it was imported.
    for module in list(sys.modules.values()):
        if getattr(module, "extract_json", None) is original:
            module.extract_json = patched  # type: ignore[attr-defined]


# ---------------------------------------------------------------------------------------------------
# 6. JSON-safe task results

_original_after_eval_execution = StateTaskService._after_eval_execution


def _after_eval_execution_with_json_timestamps(
    self: StateTaskService, env: Environment, *args: Any, **kwargs: Any
) -> None:
    if isinstance(self, state_task_service_aws_sdk.StateTaskServiceAwsSdk):
        env.stack[-1] = _render_timestamps(env.stack[-1], datetime.datetime.isoformat)
    else:
        env.stack[-1] = _to_epoch_millis(env.stack[-1])
    _original_after_eval_execution(self, env, *args, **kwargs)


def _glue_cause_json(value: Any, separators: tuple[str, str] | None = None) -> str:
    return to_json_str(_to_epoch_millis(value), separators=separators)


def apply() -> None:
    StateTaskService._after_eval_execution = _after_eval_execution_with_json_timestamps
    StepFunctionResponse.validate_state_machine_definition = _validate_state_machine_definition
    StepFunctionResponse.list_state_machine_versions = _list_state_machine_versions
    _guard_callback_release()
    if not getattr(state_task_service_factory.state_task_service_for, "localcloud_patched", False):
        patched_factory = _with_sagemaker(state_task_service_factory.state_task_service_for)
        state_task_service_factory.state_task_service_for = patched_factory
        state_task_factory.state_task_service_for = patched_factory
    state_task_service_aws_sdk._SERVICE_ERROR_NAMES.setdefault("sagemaker", "SageMaker")
    _patch_extract_json()
    state_task_service_glue.to_json_str = _glue_cause_json
