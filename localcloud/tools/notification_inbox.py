"""A person's inbox for a pipeline's notifications: an SQS queue subscribed to its SNS topic.

On AWS a person subscribes an e-mail address (`notifications.email_addresses`); offline no mail leaves the
machine, so the demo and the tests subscribe a queue, as a chat integration would, and read what arrived.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from typing import Any

# Seconds one ReceiveMessage may wait for a message (SQS allows up to 20); short, so a timeout is kept.
LONG_POLL_SECONDS = 2


@dataclass
class NotificationInbox:
    sqs: Any
    queue_url: str
    received: list[str] = field(default_factory=list)

    @classmethod
    def subscribe(cls, sqs: Any, sns: Any, topic_arn: str, queue_name: str) -> NotificationInbox:
        """Create the queue, let the topic (and only it) send to it, as SNS requires, and subscribe it."""
        queue_url = sqs.create_queue(QueueName=queue_name)["QueueUrl"]
        queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"][
            "QueueArn"
        ]
        policy = {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"Service": "sns.amazonaws.com"},
                    "Action": "sqs:SendMessage",
                    "Resource": queue_arn,
                    "Condition": {"ArnEquals": {"aws:SourceArn": topic_arn}},
                }
            ],
        }
        sqs.set_queue_attributes(QueueUrl=queue_url, Attributes={"Policy": json.dumps(policy)})
        # Raw delivery: the message as the rule's input transformer wrote it, without SNS's envelope.
        sns.subscribe(
            TopicArn=topic_arn, Protocol="sqs", Endpoint=queue_arn, Attributes={"RawMessageDelivery": "true"}
        )
        return cls(sqs, queue_url)

    def poll(self) -> list[str]:
        """Everything received so far (read messages are deleted from the queue and kept here)."""
        while self._receive(wait_seconds=0):
            pass
        return self.received

    def wait_for(self, *fragments: str, timeout: float = 30.0) -> str:
        """The first message containing every fragment; AssertionError naming what arrived if none does."""
        deadline = time.monotonic() + timeout
        while True:
            for body in self.poll():
                if all(fragment in body for fragment in fragments):
                    return body
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError(
                    f"no notification with {fragments} within {timeout:.0f} s; received: {self.received}"
                )
            # A long poll, as an SQS consumer waits: it answers as soon as a message arrives.
            self._receive(wait_seconds=max(1, min(LONG_POLL_SECONDS, int(remaining))))

    def _receive(self, *, wait_seconds: int) -> bool:
        """One ReceiveMessage: keep and delete what it returned; whether it returned anything."""
        batch = self.sqs.receive_message(
            QueueUrl=self.queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=wait_seconds
        )
        messages = batch.get("Messages", [])
        for message in messages:
            self.received.append(message["Body"])
            self.sqs.delete_message(QueueUrl=self.queue_url, ReceiptHandle=message["ReceiptHandle"])
        return bool(messages)
