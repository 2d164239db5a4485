"""Creating or updating a state machine checks its role as Step Functions does: trust, then log delivery.

Step Functions assumes the state machine's role when the machine is created or updated and, when
logging is on, sets up the CloudWatch Logs vended-log delivery with that role. AWS refuses the call
(`AccessDeniedException`) when `states.amazonaws.com` may not assume the role, or when the role may not
manage the log delivery ("The state machine IAM Role is not authorized to access the Log Destination").
moto accepts any role; these wrappers make the same checks with the local cloud's evaluator.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from moto.core.exceptions import AWSError
from moto.stepfunctions.parser.models import StepFunctionsParserBackend

from localcloud import config, patching
from localcloud.iam import authorization, role_sessions
from localcloud.stepfunctions.execution_role import ExecutionCredentials, session_for

# What Step Functions calls with the role to deliver execution logs (developer guide, "IAM policies for
# logging to CloudWatch Logs"); these APIs have no resource-level permissions.
_ON_CREATE = (
    "logs:CreateLogDelivery",
    "logs:GetLogDelivery",
    "logs:ListLogDeliveries",
    "logs:DescribeLogGroups",
    "logs:DescribeResourcePolicies",
    "logs:PutResourcePolicy",
)
_ON_UPDATE = (
    "logs:UpdateLogDelivery",
    "logs:GetLogDelivery",
    "logs:ListLogDeliveries",
    "logs:DescribeLogGroups",
    "logs:DescribeResourcePolicies",
    "logs:PutResourcePolicy",
)
_ON_DELETE = ("logs:DeleteLogDelivery",)


class AccessDeniedException(AWSError):
    TYPE = "AccessDeniedException"
    STATUS = 400


def _logs_enabled(logging_configuration: dict[str, Any] | None) -> bool:
    if not logging_configuration:
        return False
    return logging_configuration.get("level", "OFF") != "OFF" and bool(
        logging_configuration.get("destinations")
    )


def check_role(role_arn: str, state_machine_arn: str, delivery_actions: tuple[str, ...]) -> None:
    """Raise AccessDeniedException as AWS does when the role cannot be assumed or cannot deliver logs."""
    try:
        session = session_for(ExecutionCredentials(role_arn=role_arn, state_machine_arn=state_machine_arn))
    except role_sessions.RoleAssumptionDenied as error:
        raise AccessDeniedException(
            "Neither the global service principal states.amazonaws.com, nor the regional one is authorized "
            f"to assume the provided role. ({error})"
        ) from error
    try:
        for action in delivery_actions:
            authorization.authorize(session, action, ["*"])
    except authorization.AccessDenied as denied:
        raise AccessDeniedException(
            f"The state machine IAM Role is not authorized to access the Log Destination. {denied.message}"
        ) from denied


def _state_machine_arn(name: str) -> str:
    return f"arn:aws:states:{config.REGION}:{config.ACCOUNT_ID}:stateMachine:{name}"


def _checking_create(original: Callable[..., Any]) -> Callable[..., Any]:
    def create_state_machine(
        self: StepFunctionsParserBackend, name: str, definition: str, roleArn: str, **kwargs: Any
    ) -> Any:
        logging_on = _logs_enabled(kwargs.get("loggingConfiguration"))
        check_role(roleArn, _state_machine_arn(name), _ON_CREATE if logging_on else ())
        return original(self, name, definition, roleArn, **kwargs)

    return create_state_machine


def _checking_update(original: Callable[..., Any]) -> Callable[..., Any]:
    def update_state_machine(self: StepFunctionsParserBackend, arn: str, **kwargs: Any) -> Any:
        current = self.describe_state_machine(arn)
        role_arn = kwargs.get("role_arn") or current.roleArn
        logging = kwargs.get("logging_configuration")
        if logging is None:
            actions: tuple[str, ...] = ()
        elif _logs_enabled(logging):
            actions = _ON_UPDATE
        else:
            actions = _ON_DELETE if _logs_enabled(current.loggingConfiguration) else ()
        check_role(role_arn, arn, actions)
        return original(self, arn, **kwargs)

    return update_state_machine


PATCHES = (
    patching.wrap(
        __name__,
        StepFunctionsParserBackend,
        "create_state_machine",
        fingerprint="dc56ec54216f7b97",
        build=_checking_create,
    ),
    patching.wrap(
        __name__,
        StepFunctionsParserBackend,
        "update_state_machine",
        fingerprint="03b6b2ec8ffdfbb0",
        build=_checking_update,
    ),
)
