"""Calling a schedule's target as EventBridge Scheduler does: as the target's role, with the input filled in.

Each invocation assumes the target's `RoleArn` as `scheduler.amazonaws.com`, with the confused-deputy keys
the Scheduler sends (`aws:SourceAccount`, and the schedule group's ARN as `aws:SourceArn`, per the
Scheduler User Guide's "Confused deputy prevention"), and calls the target with that session, so the
role's trust policy and permissions decide as on AWS. Templated targets by the ARN's service:

- Lambda function: asynchronous Invoke with the input as the event (authorized here for
  `lambda:InvokeFunction` on the function against the role and the function's resource policy, then run
  by the local Lambda runtime; a function error is Lambda's to retry, not the Scheduler's);
- Step Functions state machine: StartExecution with the input;
- SQS queue: SendMessage with the input as the body (`SqsParameters.MessageGroupId` for FIFO);
- SNS topic: Publish with the input as the message;
- EventBridge event bus: PutEvents of one entry, `EventBridgeParameters` Source and DetailType, the
  input as Detail.

Other targets (universal `aws-sdk:` targets, ECS, Kinesis, SageMaker pipelines, Firehose, ...) raise
`NotEmulated`. Without `Input`, `{}` is sent (AWS sends an undocumented default notification).
"""

from __future__ import annotations

import threading
from datetime import datetime
from typing import Any

from botocore.exceptions import ClientError
from moto.awslambda.utils import get_backend as lambda_backend

from localcloud import config
from localcloud.awslambda import invoke
from localcloud.iam import authorization, role_sessions, service_access
from localcloud.iam.role_sessions import RoleSession

SCHEDULER_SERVICE_PRINCIPAL = "scheduler.amazonaws.com"
CONTEXT_ATTRIBUTES = (
    "<aws.scheduler.schedule-arn>",
    "<aws.scheduler.scheduled-time>",
    "<aws.scheduler.execution-id>",
    "<aws.scheduler.attempt-number>",
)


class NotEmulated(Exception):
    """The local cloud does not call this kind of target."""


def group_arn(schedule_arn: str, group: str) -> str:
    """The schedule group's ARN, from the schedule's (`...:schedule/<group>/<name>`)."""
    prefix = schedule_arn.split(":schedule/", 1)[0]
    return f"{prefix}:schedule-group/{group}"


def scheduled_time_text(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def fill_input(
    template: str, *, schedule_arn: str, scheduled_time: datetime, execution_id: str, attempt: int
) -> str:
    """The input with the Scheduler's context attributes replaced (plain text replacement, as AWS does)."""
    values = (schedule_arn, scheduled_time_text(scheduled_time), execution_id, str(attempt))
    for keyword, value in zip(CONTEXT_ATTRIBUTES, values, strict=True):
        template = template.replace(keyword, value)
    return template


def kind(target_arn: str) -> str:
    """`lambda`, `states`, `sqs`, `sns` or `events`; NotEmulated for any other target."""
    fields = target_arn.split(":")
    service = fields[2] if len(fields) >= 6 else ""
    resource = fields[5] if len(fields) >= 6 else ""
    if service == "lambda" and resource == "function":
        return "lambda"
    if service == "states" and resource == "stateMachine":
        return "states"
    if service == "events" and resource.startswith("event-bus/"):
        return "events"
    if service in ("sqs", "sns"):
        return service
    if service == "scheduler" and "aws-sdk" in target_arn:
        raise NotEmulated(f"universal target {target_arn} is not emulated by the local cloud")
    raise NotEmulated(
        f"target {target_arn} is not emulated by the local cloud (only Lambda, Step "
        "Functions, SQS, SNS and EventBridge templated targets are)"
    )


def assume_role(role_arn: str, schedule_arn: str, group: str, execution_id: str) -> RoleSession:
    return role_sessions.assume_role_as_service(
        role_arn,
        SCHEDULER_SERVICE_PRINCIPAL,
        session_name=execution_id,
        source_account=schedule_arn.split(":")[4],
        source_arn=group_arn(schedule_arn, group),
    )


def _invoke_lambda(session: RoleSession, target: dict[str, Any], payload: str) -> str:
    arn = target["Arn"]
    fields = arn.split(":")
    function = lambda_backend(fields[4], fields[3]).get_function(arn)
    authorization.authorize(
        session, "lambda:InvokeFunction", [arn], resource_policy=service_access.function_policy(function)
    )
    threading.Thread(
        target=invoke.invoke_async,
        args=(function, payload.encode()),
        name=f"scheduler-lambda-{function.function_name}",
        daemon=True,
    ).start()
    return f"invoked {arn} asynchronously"


def _start_execution(session: RoleSession, target: dict[str, Any], payload: str) -> str:
    answer = session.client("stepfunctions").start_execution(stateMachineArn=target["Arn"], input=payload)
    return answer["executionArn"]


def _send_message(session: RoleSession, queue_arn: str, body: str, **extra: Any) -> str:
    # The Scheduler addresses the queue by ARN; finding its URL is local plumbing, not a call of the role.
    fields = queue_arn.split(":")
    queue_url = config.boto3_client("sqs").get_queue_url(
        QueueName=fields[5], QueueOwnerAWSAccountId=fields[4]
    )["QueueUrl"]
    return session.client("sqs").send_message(QueueUrl=queue_url, MessageBody=body, **extra)["MessageId"]


def _send_to_queue(session: RoleSession, target: dict[str, Any], payload: str) -> str:
    group_id = (target.get("SqsParameters") or {}).get("MessageGroupId")
    extra = {"MessageGroupId": group_id} if group_id else {}
    return _send_message(session, target["Arn"], payload, **extra)


def _publish(session: RoleSession, target: dict[str, Any], payload: str) -> str:
    return session.client("sns").publish(TopicArn=target["Arn"], Message=payload)["MessageId"]


def _put_event(session: RoleSession, target: dict[str, Any], payload: str) -> str:
    parameters = target.get("EventBridgeParameters") or {}
    answer = session.client("events").put_events(
        Entries=[
            {
                "EventBusName": target["Arn"],
                "Source": parameters.get("Source"),
                "DetailType": parameters.get("DetailType"),
                "Detail": payload,
            }
        ]
    )
    entry = answer["Entries"][0]
    if answer.get("FailedEntryCount"):
        raise ClientError(
            {
                "Error": {
                    "Code": entry.get("ErrorCode", "PutEventsFailed"),
                    "Message": entry.get("ErrorMessage", ""),
                }
            },
            "PutEvents",
        )
    return entry["EventId"]


_CALLS = {
    "lambda": _invoke_lambda,
    "states": _start_execution,
    "sqs": _send_to_queue,
    "sns": _publish,
    "events": _put_event,
}


def call(session: RoleSession, target: dict[str, Any], payload: str) -> str:
    """Invoke the target as `session`; returns what identifies the call (execution ARN, message id, ...)."""
    return _CALLS[kind(target["Arn"])](session, target, payload)


def describe_error(error: Exception) -> tuple[str, str]:
    """(error code, message) of a failed call, as a dead-letter message's ERROR_CODE and ERROR_MESSAGE."""
    if isinstance(error, ClientError):
        details = error.response.get("Error", {})
        return str(details.get("Code") or "ClientError"), str(details.get("Message") or error)
    if isinstance(error, authorization.AccessDenied | role_sessions.RoleAssumptionDenied):
        return "AccessDeniedException", str(error)
    # moto's in-process errors (a missing function): a RESTError's error_type, a ServiceException's code.
    for attribute in ("error_type", "code"):
        code = getattr(error, attribute, None)
        if isinstance(code, str) and code:
            return code, str(getattr(error, "message", None) or error)
    return type(error).__name__, str(error)


def send_dead_letter(session: RoleSession, queue_arn: str, body: str, attributes: dict[str, str]) -> str:
    """The dead-letter event: the input as the body, the invocation's details as String attributes."""
    return _send_message(
        session,
        queue_arn,
        body,
        MessageAttributes={
            name: {"DataType": "String", "StringValue": value} for name, value in attributes.items() if value
        },
    )
