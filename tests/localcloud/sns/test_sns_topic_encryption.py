"""Publishing to a topic encrypted with a customer managed key needs the publisher's KMS permissions."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError

from localcloud.iam import role_sessions
from localcloud.iam.role_sessions import RoleSession

Aws = Callable[[str], Any]
ACCOUNT = "123456789012"


def _publisher(aws: Aws, actions: list[str]) -> RoleSession:
    """A role session (as Lambda assumes it) allowed `actions` on every resource."""
    name = f"publisher-{uuid.uuid4().hex[:8]}"
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}
        ],
    }
    arn = aws("iam").create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]
    grants = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": actions, "Resource": "*"}]}
    aws("iam").put_role_policy(RoleName=name, PolicyName="grants", PolicyDocument=json.dumps(grants))
    return role_sessions.assume_role_as_service(arn, "lambda.amazonaws.com", session_name="publisher")


def _encrypted_topic(aws: Aws, name: str, key_policy: dict[str, Any] | None = None) -> str:
    created = aws("kms").create_key(**({"Policy": json.dumps(key_policy)} if key_policy else {}))
    return aws("sns").create_topic(Name=name, Attributes={"KmsMasterKeyId": created["KeyMetadata"]["Arn"]})[
        "TopicArn"
    ]


def test_a_publisher_without_kms_permissions_is_refused_with_kms_access_denied(
    aws: Aws, unique_name: str
) -> None:
    topic = _encrypted_topic(aws, unique_name)
    session = _publisher(aws, ["sns:Publish"])

    with pytest.raises(ClientError) as refused:
        session.client("sns").publish(TopicArn=topic, Message="x")

    assert refused.value.response["Error"]["Code"] == "KMSAccessDenied"
    assert "is not authorized to perform: kms:GenerateDataKey" in refused.value.response["Error"]["Message"]
    with pytest.raises(ClientError) as batch_refused:
        session.client("sns").publish_batch(
            TopicArn=topic, PublishBatchRequestEntries=[{"Id": "1", "Message": "x"}]
        )
    assert batch_refused.value.response["Error"]["Code"] == "KMSAccessDenied"


def test_a_publisher_with_kms_permissions_publishes_and_the_queue_gets_the_message(
    aws: Aws, unique_name: str
) -> None:
    topic = _encrypted_topic(aws, unique_name)
    url = aws("sqs").create_queue(QueueName=unique_name)["QueueUrl"]
    queue = f"arn:aws:sqs:us-east-1:{ACCOUNT}:{unique_name}"
    policy = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Service": "sns.amazonaws.com"},
                "Action": "sqs:SendMessage",
                "Resource": queue,
                "Condition": {"ArnEquals": {"aws:SourceArn": topic}},
            }
        ],
    }
    aws("sqs").set_queue_attributes(QueueUrl=url, Attributes={"Policy": json.dumps(policy)})
    aws("sns").subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue)
    session = _publisher(aws, ["sns:Publish", "kms:GenerateDataKey*", "kms:Decrypt"])

    session.client("sns").publish(TopicArn=topic, Message="encrypted at rest")

    [message] = aws("sqs").receive_message(QueueUrl=url)["Messages"]
    assert json.loads(message["Body"])["Message"] == "encrypted at rest"


def test_a_key_policy_that_does_not_delegate_to_the_account_refuses_even_a_granted_publisher(
    aws: Aws, unique_name: str
) -> None:
    only_someone_else = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:role/someone-else"},
                "Action": "kms:*",
                "Resource": "*",
            }
        ],
    }
    topic = _encrypted_topic(aws, unique_name, only_someone_else)
    session = _publisher(aws, ["sns:Publish", "kms:GenerateDataKey*", "kms:Decrypt"])

    with pytest.raises(ClientError) as refused:
        session.client("sns").publish(TopicArn=topic, Message="x")

    assert refused.value.response["Error"]["Code"] == "KMSAccessDenied"


def test_the_aws_managed_key_and_the_administrator_need_no_kms_grant(aws: Aws, unique_name: str) -> None:
    managed = aws("sns").create_topic(Name=unique_name, Attributes={"KmsMasterKeyId": "alias/aws/sns"})[
        "TopicArn"
    ]
    encrypted = _encrypted_topic(aws, f"{unique_name}-cmk")
    session = _publisher(aws, ["sns:Publish"])

    assert session.client("sns").publish(TopicArn=managed, Message="x")["MessageId"]
    assert aws("sns").publish(TopicArn=encrypted, Message="x")["MessageId"]
