"""Service integrations call AWS as the state machine's role, as Step Functions does.

moto's interpreter makes every integration call (optimised, `aws-sdk:` and `.sync`'s own polling)
through `boto_client_for`, with fixed keys that act as an administrator. The replacement assumes the
execution's role as `states.amazonaws.com` (with `aws:SourceAccount` and the state machine as
`aws:SourceArn`, the keys Step Functions sends) and signs with that session, so the local cloud
authorizes each call against the role. A denied call fails the task with the service's
`AccessDeniedException`, which is where AWS reports it.

`_eval_state_credentials` is wrapped so the credentials a task carries name the state machine too.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import boto3
from botocore.config import Config
from moto.settings import moto_server_port
from moto.stepfunctions.parser.asl.component.common.timeouts.timeout import TimeoutSeconds
from moto.stepfunctions.parser.asl.component.state.exec.state_map.item_reader.eval import (
    resource_eval_s3 as item_reader_s3,
)
from moto.stepfunctions.parser.asl.component.state.exec.state_map.result_writer.resource_eval import (
    resource_eval_s3 as result_writer_s3,
)
from moto.stepfunctions.parser.asl.component.state.exec.state_task import lambda_eval_utils, state_task
from moto.stepfunctions.parser.asl.component.state.exec.state_task.credentials import StateCredentials
from moto.stepfunctions.parser.asl.component.state.exec.state_task.service import (
    state_task_service_aws_sdk,
    state_task_service_batch,
    state_task_service_dynamodb,
    state_task_service_ecs,
    state_task_service_events,
    state_task_service_glue,
    state_task_service_sfn,
    state_task_service_sns,
    state_task_service_sqs,
    state_task_service_unsupported,
)
from moto.stepfunctions.parser.asl.utils import boto_client

from localcloud import config, patching
from localcloud.iam import role_sessions
from localcloud.iam.role_sessions import RoleSession

SERVICE_PRINCIPAL = "states.amazonaws.com"


@dataclass
class ExecutionCredentials(StateCredentials):
    """The role a task calls AWS with, and its state machine (the aws:SourceArn of the role's assumption)."""

    state_machine_arn: str = ""


def session_for(credentials: StateCredentials) -> RoleSession:
    """A session of the task's role, assumed for this call (as Step Functions assumes it per execution,
    so a trust policy changed after the state machine was created takes effect)."""
    state_machine_arn = getattr(credentials, "state_machine_arn", "")
    return role_sessions.assume_role_as_service(
        credentials.role_arn,
        SERVICE_PRINCIPAL,
        session_name=f"StepFunctions-{state_machine_arn.rsplit(':', 1)[-1] or 'task'}",
        source_account=config.ACCOUNT_ID,
        source_arn=state_machine_arn or None,
    )


def client_for(region: str, service: str, state_credentials: Any = None) -> Any:
    """moto's `boto_client_for`, signed with the task's role session instead of administrator keys."""
    if state_credentials is None or not getattr(state_credentials, "role_arn", None):
        raise role_sessions.RoleAssumptionDenied(
            f"a {service} call of the state machine has no role to run as"
        )
    session = session_for(state_credentials)
    return boto3.client(
        service_name=service,
        region_name=region,
        endpoint_url=f"http://localhost:{moto_server_port()}",
        aws_access_key_id=session.access_key_id,
        aws_secret_access_key=session.secret_access_key,
        aws_session_token=session.session_token,
        config=Config(
            parameter_validation=False,
            retries={"max_attempts": 0, "total_max_attempts": 1},
            connect_timeout=TimeoutSeconds.DEFAULT_TIMEOUT_SECONDS,
            read_timeout=TimeoutSeconds.DEFAULT_TIMEOUT_SECONDS,
        ),
    )


def _naming_the_state_machine(original: Any) -> Any:
    def _eval_state_credentials(self: Any, env: Any) -> StateCredentials:
        credentials = original(self, env)
        state_machine_arn = env.states.context_object.context_object_data["StateMachine"]["Id"]
        return ExecutionCredentials(role_arn=credentials.role_arn, state_machine_arn=state_machine_arn)

    return _eval_state_credentials


# Every module that imported moto's `boto_client_for` by name holds its own reference to it.
_MODULES_CALLING_AWS = (
    boto_client,
    item_reader_s3,
    result_writer_s3,
    lambda_eval_utils,
    state_task_service_aws_sdk,
    state_task_service_batch,
    state_task_service_dynamodb,
    state_task_service_ecs,
    state_task_service_events,
    state_task_service_glue,
    state_task_service_sfn,
    state_task_service_sns,
    state_task_service_sqs,
    state_task_service_unsupported,
)

PATCHES = (
    patching.wrap(
        __name__,
        state_task.StateTask,
        "_eval_state_credentials",
        fingerprint="c3a8b53e139d7979",
        build=_naming_the_state_machine,
    ),
    # Replaced: moto's version signs with fixed administrator keys, which is exactly what must not happen.
    *(
        patching.replace(
            __name__, module, "boto_client_for", fingerprint="1f44dc2ac8aa2179", replacement=client_for
        )
        for module in _MODULES_CALLING_AWS
    ),
)
