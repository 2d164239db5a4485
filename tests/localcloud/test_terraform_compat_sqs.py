"""SQS queue attributes in the shape the aws provider (5.100.0) waits for (no patch needed with moto 5.2.5).

After CreateQueue the provider reads the attributes until every one it sent comes back with the same string
value six times in a row; a missing or differently written value would make `terraform apply` time out.
This guards that moto keeps answering like AWS when it is upgraded.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

# What the provider sends for modules/mlops_pipeline/trigger.tf's failure queue (its defaults included).
MODULE_QUEUE_ATTRIBUTES = {
    "SqsManagedSseEnabled": "true",
    "MessageRetentionPeriod": "1209600",
    "MaximumMessageSize": "262144",
    "DelaySeconds": "0",
    "ReceiveMessageWaitTimeSeconds": "0",
    "VisibilityTimeout": "30",
}


def test_queue_attributes_are_read_back_as_written(aws: Callable[[str], Any], unique_name: str) -> None:
    sqs = aws("sqs")
    url = sqs.create_queue(QueueName=unique_name, Attributes=MODULE_QUEUE_ATTRIBUTES)["QueueUrl"]

    attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]

    assert {name: attributes.get(name) for name in MODULE_QUEUE_ATTRIBUTES} == MODULE_QUEUE_ATTRIBUTES


def test_managed_sse_disabled_is_read_back(aws: Callable[[str], Any], unique_name: str) -> None:
    sqs = aws("sqs")
    url = sqs.create_queue(QueueName=unique_name, Attributes={"SqsManagedSseEnabled": "false"})["QueueUrl"]

    attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["SqsManagedSseEnabled"])["Attributes"]

    assert attributes == {"SqsManagedSseEnabled": "false"}
