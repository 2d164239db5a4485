"""Helpers of the EventBridge tests: queues EventBridge may write to, and polling for asynchronous results
with a deadline (deliveries run in the background, as on AWS)."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

from localcloud import config
from localcloud.events import delivery, delivery_log

DEADLINE_SECONDS = 60.0


def poll(check: Callable[[], Any], what: str, timeout: float = DEADLINE_SECONDS) -> Any:
    """check()'s first truthy result; TimeoutError naming `what` after the deadline."""
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result:
            return result
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what}: still not there after {timeout:.0f} s")
        time.sleep(0.1)


def drained() -> None:
    """Wait until no delivery is queued or running: every event put so far has had its outcome."""
    poll(lambda: not delivery.pending(), "deliveries to finish")


def log_line(rule_name: str, text: str) -> str:
    """The rule's first delivery-log line containing `text`, once it is written."""

    def find() -> str | None:
        path = delivery_log.path(rule_name)
        lines = path.read_text().splitlines() if path.exists() else []
        return next((line for line in lines if text in line), None)

    return poll(find, f"a line with {text!r} in the delivery log of {rule_name}")


def allow_events(resource_arn: str, action: str, rule_arn: str) -> str:
    """A resource policy letting EventBridge make `action` for `rule_arn` only, as the User Guide has it."""
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": "AllowEventBridge",
                    "Effect": "Allow",
                    "Principal": {"Service": "events.amazonaws.com"},
                    "Action": action,
                    "Resource": resource_arn,
                    "Condition": {"ArnEquals": {"aws:SourceArn": rule_arn}},
                }
            ],
        }
    )


def queue_arn(name: str) -> str:
    return f"arn:aws:sqs:{config.REGION}:{config.ACCOUNT_ID}:{name}"


def make_queue(
    sqs: Any, name: str, *, events_rule_arn: str | None = None, fifo: bool = False
) -> tuple[str, str]:
    """(url, arn) of a new queue; with `events_rule_arn`, a policy letting that rule's EventBridge send."""
    name = f"{name}.fifo" if fifo else name
    attributes = {"FifoQueue": "true", "ContentBasedDeduplication": "true"} if fifo else {}
    if events_rule_arn:
        attributes["Policy"] = allow_events(queue_arn(name), "sqs:SendMessage", events_rule_arn)
    url = sqs.create_queue(QueueName=name, Attributes=attributes)["QueueUrl"]
    return url, queue_arn(name)


def receive(sqs: Any, url: str, count: int, *, attributes: bool = False) -> list[dict[str, Any]]:
    """The first `count` messages of the queue, in the order received (deleted once read)."""
    messages: list[dict[str, Any]] = []

    def gather() -> bool:
        response = sqs.receive_message(
            QueueUrl=url,
            MaxNumberOfMessages=10,
            WaitTimeSeconds=1,
            MessageAttributeNames=["All"] if attributes else [],
        )
        for message in response.get("Messages", []):
            messages.append(message)
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
        return len(messages) >= count

    poll(gather, f"{count} message(s) in {url}")
    return messages


def empty(sqs: Any, url: str) -> bool:
    return not sqs.receive_message(QueueUrl=url, WaitTimeSeconds=0).get("Messages")


def make_role(iam: Any, name: str, service: str, statements: list[dict[str, Any]]) -> str:
    """A role `service` may assume, with one inline policy of `statements` (none: no permission at all)."""
    trust = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}],
    }
    arn = iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]
    if statements:
        policy = {"Version": "2012-10-17", "Statement": statements}
        iam.put_role_policy(RoleName=name, PolicyName="permissions", PolicyDocument=json.dumps(policy))
    return arn


def subscribed_queue(aws: Callable[[str], Any], topic_arn: str, name: str) -> str:
    """URL of a new SQS queue subscribed to the topic, with the queue policy SNS needs to deliver to it."""
    sns, sqs = aws("sns"), aws("sqs")
    arn = queue_arn(name)
    policy = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Service": "sns.amazonaws.com"},
                "Action": "sqs:SendMessage",
                "Resource": arn,
                "Condition": {"ArnEquals": {"aws:SourceArn": topic_arn}},
            }
        ],
    }
    url = sqs.create_queue(QueueName=name, Attributes={"Policy": json.dumps(policy)})["QueueUrl"]
    sns.subscribe(TopicArn=topic_arn, Protocol="sqs", Endpoint=arn)
    return url
