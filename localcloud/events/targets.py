"""Sending one rule's payload to one target, each kind of target the way EventBridge calls it.

- Step Functions state machine: `StartExecution` with the payload as input and a random UUID as the
  execution's name, signed as the target's `RoleArn`, which EventBridge assumes as `events.amazonaws.com`
  (the role's trust policy decides, with the rule as `aws:SourceArn`); the role's own policies must allow
  `states:StartExecution`, which the local cloud's request authorization checks.
- SNS topic (`Publish`), SQS queue (`SendMessage`; a FIFO queue's `SqsParameters.MessageGroupId`, the
  event id as deduplication id) and Lambda function (`Invoke` as `Event`, so Lambda's own asynchronous
  retries and on-failure destination apply, `localcloud/awslambda/invoke.py`): EventBridge calls as itself,
  authorized by the target's resource policy (`resource_policies`), and then makes the call to the local
  endpoint.

A refused or failed call raises `DeliveryFailed` with EventBridge's error code (the `ERROR_CODE` a
dead-letter queue message carries) and whether EventBridge retries it: permission errors and missing
targets are not retried ("Event retry policy and using dead-letter queues"), throttling, server errors
and connection failures are.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError, ReadTimeoutError
from botocore.exceptions import ConnectionError as BotocoreConnectionError

from localcloud import config
from localcloud.events import resource_policies
from localcloud.events.resource_policies import NotAuthorized
from localcloud.iam import role_sessions, service_access
from localcloud.iam.role_sessions import RoleSession

SERVICE_PRINCIPAL = resource_policies.SERVICE_PRINCIPAL
DELIVERED_SERVICES = frozenset({"states", "sns", "sqs", "lambda"})

_NO_PERMISSIONS = frozenset(
    {"AccessDenied", "AccessDeniedException", "AuthorizationError", "KMSAccessDeniedException"}
)
_NO_RESOURCE = frozenset(
    {
        "StateMachineDoesNotExist",
        "ResourceNotFoundException",
        "NotFound",
        "NotFoundException",
        "QueueDoesNotExist",
        "AWS.SimpleQueueService.NonExistentQueue",
    }
)
_THROTTLING = frozenset(
    {"Throttling", "ThrottlingException", "TooManyRequestsException", "ThrottledException"}
)


class DeliveryFailed(Exception):
    def __init__(self, code: str, message: str, *, retryable: bool) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.retryable = retryable


@dataclass(frozen=True)
class RuleRef:
    """The rule an event is delivered for, copied when it matched (a later PutRule does not change it)."""

    name: str
    arn: str
    account_id: str
    region: str

    @property
    def source(self) -> resource_policies.Source:
        return resource_policies.Source(self.arn, self.account_id, self.region)


def delivered_here(target_arn: str) -> bool:
    """Whether the local cloud delivers to this target (else moto's delivery does: Logs, archives, buses)."""
    parts = target_arn.split(":")
    if len(parts) < 6 or parts[2] not in DELIVERED_SERVICES:
        return False
    # `arn:aws:states:<region>:::` names no state machine (AWS-managed rules of .sync integrations).
    return parts[2] != "states" or parts[5] == "stateMachine"


def _client(service: str, region: str, session: RoleSession | None = None) -> Any:
    """A client of the local endpoint: as `session`, else as EventBridge itself (the admin test keys, after
    the resource policy allowed the call). One attempt: EventBridge's retry policy decides about retries."""
    # A session per client: boto3's default session is not safe to use from several threads at once.
    return boto3.session.Session().client(
        service,
        endpoint_url=config.endpoint_url(),
        region_name=region,
        aws_access_key_id=session.access_key_id if session else config.ACCESS_KEY_ID,
        aws_secret_access_key=session.secret_access_key if session else config.SECRET_ACCESS_KEY,
        aws_session_token=session.session_token if session else None,
        config=Config(retries={"total_max_attempts": 1}, connect_timeout=10, read_timeout=60),
    )


def _failure(error: Exception) -> DeliveryFailed:
    if isinstance(error, ClientError):
        code = error.response.get("Error", {}).get("Code", "")
        status = int(error.response.get("ResponseMetadata", {}).get("HTTPStatusCode") or 0)
        message = f"{code}: {error.response.get('Error', {}).get('Message', '')}"
        if code in _NO_PERMISSIONS:
            return DeliveryFailed("NO_PERMISSIONS", message, retryable=False)
        if code in _NO_RESOURCE:
            return DeliveryFailed("NO_RESOURCE", message, retryable=False)
        if code in _THROTTLING or status == 429:
            return DeliveryFailed("THROTTLING", message, retryable=True)
        return DeliveryFailed("SDK_CLIENT_ERROR", message, retryable=status >= 500)
    if isinstance(error, ReadTimeoutError):
        return DeliveryFailed("TIMEOUT", str(error), retryable=True)
    if isinstance(error, BotocoreConnectionError):
        return DeliveryFailed("CONNECTION_FAILURE", str(error), retryable=True)
    return DeliveryFailed("SDK_CLIENT_ERROR", f"{type(error).__name__}: {error}", retryable=False)


def _target_session(rule: RuleRef, target: Mapping[str, Any]) -> RoleSession:
    role_arn = target.get("RoleArn")
    if not role_arn:
        raise DeliveryFailed(
            "NO_PERMISSIONS",
            f"target {target.get('Id')} has no RoleArn: EventBridge calls {target['Arn']} as a role it "
            "assumes",
            retryable=False,
        )
    try:
        return role_sessions.assume_role_as_service(
            role_arn,
            SERVICE_PRINCIPAL,
            session_name=rule.name,
            source_account=rule.account_id,
            source_arn=rule.arn,
        )
    except role_sessions.RoleAssumptionDenied as error:
        raise DeliveryFailed("NO_PERMISSIONS", str(error), retryable=False) from error


def _start_execution(rule: RuleRef, target: Mapping[str, Any], payload: str) -> None:
    session = _target_session(rule, target)
    client = _client("stepfunctions", rule.region, session)
    client.start_execution(stateMachineArn=target["Arn"], input=payload, name=str(uuid.uuid4()))


def _notes(*notes: str | None) -> str | None:
    """The denials IAM enforcement turned off let through, for the delivery log."""
    found = [note for note in notes if note]
    return "; ".join(found) or None


def _publish(rule: RuleRef, target: Mapping[str, Any], payload: str) -> str | None:
    from moto.sns.models import sns_backends

    topic_arn = target["Arn"]
    topic = sns_backends[rule.account_id][rule.region].topics.get(topic_arn)
    if topic is None:
        raise DeliveryFailed("NO_RESOURCE", f"topic {topic_arn} does not exist", retryable=False)
    try:
        notes = _notes(
            resource_policies.authorize(
                "sns:Publish", topic_arn, resource_policies.topic_policy(topic), rule.source
            ),
            resource_policies.authorize_key(topic.kms_master_key_id, "sns", rule.source)
            if topic.kms_master_key_id
            else None,
        )
    except NotAuthorized as error:
        raise DeliveryFailed("NO_PERMISSIONS", str(error), retryable=False) from error
    _client("sns", rule.region).publish(TopicArn=topic_arn, Message=payload)
    return notes


def send_to_queue(
    rule: RuleRef,
    queue_arn: str,
    body: str,
    *,
    group_id: str | None = None,
    deduplication_id: str | None = None,
    attributes: Mapping[str, Mapping[str, str]] | None = None,
) -> str | None:
    """SendMessage to `queue_arn` as EventBridge (targets and dead-letter queues), after its queue policy."""
    from moto.sqs.models import sqs_backends

    queue_name = queue_arn.rsplit(":", 1)[-1]
    queue = sqs_backends[rule.account_id][rule.region].queues.get(queue_name)
    if queue is None:
        raise DeliveryFailed("NO_RESOURCE", f"queue {queue_arn} does not exist", retryable=False)
    key_id = getattr(queue, "kms_master_key_id", None)
    try:
        notes = _notes(
            resource_policies.authorize(
                "sqs:SendMessage", queue_arn, service_access.queue_policy(queue), rule.source
            ),
            resource_policies.authorize_key(key_id, "sqs", rule.source) if key_id else None,
        )
    except NotAuthorized as error:
        raise DeliveryFailed("NO_PERMISSIONS", str(error), retryable=False) from error
    client = _client("sqs", rule.region)
    request: dict[str, Any] = {
        "QueueUrl": client.get_queue_url(QueueName=queue_name, QueueOwnerAWSAccountId=rule.account_id)[
            "QueueUrl"
        ],
        "MessageBody": body,
    }
    if queue_name.endswith(".fifo"):
        request["MessageGroupId"] = group_id or "default"
        request["MessageDeduplicationId"] = deduplication_id or str(uuid.uuid4())
    if attributes:
        request["MessageAttributes"] = dict(attributes)
    client.send_message(**request)
    return notes


def _invoke(rule: RuleRef, target: Mapping[str, Any], payload: str) -> str | None:
    from moto.awslambda.utils import get_backend

    function_arn = target["Arn"]
    try:
        function = get_backend(rule.account_id, rule.region).get_function(function_arn)
    except Exception as error:  # moto raises its own not-found errors for a missing function or version
        raise DeliveryFailed(
            "NO_RESOURCE", f"function {function_arn} does not exist", retryable=False
        ) from error
    try:
        notes = resource_policies.authorize(
            "lambda:InvokeFunction", function_arn, service_access.function_policy(function), rule.source
        )
    except NotAuthorized as error:
        raise DeliveryFailed("NO_PERMISSIONS", str(error), retryable=False) from error
    _client("lambda", rule.region).invoke(
        FunctionName=function_arn, InvocationType="Event", Payload=payload.encode()
    )
    return notes


def send(rule: RuleRef, target: Mapping[str, Any], payload: str, event: Mapping[str, Any]) -> str | None:
    """Deliver `payload` (the target's input for `event`) to `target`; raise DeliveryFailed.

    Returns the denials `LOCALCLOUD_IAM_ENFORCEMENT=off` let through, if any, for the delivery log.
    """
    service = target["Arn"].split(":")[2]
    try:
        if service == "states":
            _start_execution(rule, target, payload)
            return None
        if service == "sns":
            return _publish(rule, target, payload)
        if service == "sqs":
            return send_to_queue(
                rule,
                target["Arn"],
                payload,
                group_id=(target.get("SqsParameters") or {}).get("MessageGroupId"),
                deduplication_id=str(event.get("id") or "") or None,
            )
        if service == "lambda":
            return _invoke(rule, target, payload)
        raise DeliveryFailed(
            "INVALID_PARAMETER", f"target {target['Arn']} is not delivered here", retryable=False
        )
    except DeliveryFailed:
        raise
    except (ClientError, BotoCoreError) as error:
        raise _failure(error) from error
