"""SNS delivers to SQS and Lambda subscriptions as AWS does: only with the target's permission, in SNS's
formats, after the filter policy; every published message is in the topic's log."""

from __future__ import annotations

import json
import textwrap
from collections.abc import Callable
from typing import Any

import pytest

from localcloud.awslambda import invoke
from localcloud.sns import topic_log

Aws = Callable[[str], Any]


def _queue(aws: Aws, name: str) -> tuple[str, str]:
    url = aws("sqs").create_queue(QueueName=name)["QueueUrl"]
    arn = aws("sqs").get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    return url, arn


def _allow_topic(aws: Aws, queue_url: str, queue_arn: str, topic_arn: str) -> None:
    """The queue policy AWS's console writes for a topic subscription."""
    policy = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "topic",
                "Effect": "Allow",
                "Principal": {"Service": "sns.amazonaws.com"},
                "Action": "sqs:SendMessage",
                "Resource": queue_arn,
                "Condition": {"ArnEquals": {"aws:SourceArn": topic_arn}},
            }
        ],
    }
    aws("sqs").set_queue_attributes(QueueUrl=queue_url, Attributes={"Policy": json.dumps(policy)})


def _received(aws: Aws, queue_url: str) -> list[dict[str, Any]]:
    answer = aws("sqs").receive_message(
        QueueUrl=queue_url, MaxNumberOfMessages=10, MessageAttributeNames=["All"], WaitTimeSeconds=0
    )
    return answer.get("Messages", [])


@pytest.fixture
def topic(aws: Aws, unique_name: str) -> dict[str, str]:
    arn = aws("sns").create_topic(Name=unique_name)["TopicArn"]
    return {"arn": arn, "name": unique_name}


def test_a_queue_whose_policy_allows_the_topic_gets_the_sns_envelope(aws: Aws, topic: dict[str, str]) -> None:
    url, arn = _queue(aws, f"{topic['name']}-q")
    _allow_topic(aws, url, arn, topic["arn"])
    subscription = aws("sns").subscribe(TopicArn=topic["arn"], Protocol="sqs", Endpoint=arn)[
        "SubscriptionArn"
    ]

    message_id = aws("sns").publish(
        TopicArn=topic["arn"],
        Message="model v3 deployed",
        Subject="deployed",
        MessageAttributes={"kind": {"DataType": "String", "StringValue": "deploy"}},
    )["MessageId"]

    [message] = _received(aws, url)
    envelope = json.loads(message["Body"])
    assert {key: envelope[key] for key in ("Type", "MessageId", "TopicArn", "Subject", "Message")} == {
        "Type": "Notification",
        "MessageId": message_id,
        "TopicArn": topic["arn"],
        "Subject": "deployed",
        "Message": "model v3 deployed",
    }
    assert envelope["MessageAttributes"] == {"kind": {"Type": "String", "Value": "deploy"}}
    assert envelope["Signature"] and envelope["SignatureVersion"] and envelope["Timestamp"].endswith("Z")
    assert envelope["SigningCertURL"].startswith("https://sns.us-east-1.amazonaws.com/")
    assert envelope["UnsubscribeURL"].endswith(f"SubscriptionArn={subscription}")


def test_a_queue_without_a_policy_for_the_topic_gets_nothing_and_the_log_says_why(
    aws: Aws, topic: dict[str, str]
) -> None:
    url, arn = _queue(aws, f"{topic['name']}-q")
    aws("sns").subscribe(TopicArn=topic["arn"], Protocol="sqs", Endpoint=arn)

    aws("sns").publish(TopicArn=topic["arn"], Message="lost")

    assert _received(aws, url) == []
    [delivery] = topic_log.read(topic["name"])[-1]["deliveries"]
    assert delivery["outcome"] == "dropped"
    assert delivery["reason"] == (
        f'User: sns.amazonaws.com is not authorized to perform: sqs:SendMessage on resource: "{arn}" '
        "because no resource-based policy allows the sqs:SendMessage action"
    )


def test_a_queue_policy_naming_another_topic_drops_the_message(aws: Aws, topic: dict[str, str]) -> None:
    url, arn = _queue(aws, f"{topic['name']}-q")
    _allow_topic(aws, url, arn, topic["arn"] + "-other")
    aws("sns").subscribe(TopicArn=topic["arn"], Protocol="sqs", Endpoint=arn)

    aws("sns").publish(TopicArn=topic["arn"], Message="lost")

    assert _received(aws, url) == []
    [delivery] = topic_log.read(topic["name"])[-1]["deliveries"]
    assert delivery["outcome"] == "dropped"
    assert delivery["reason"] == (
        f'User: sns.amazonaws.com is not authorized to perform: sqs:SendMessage on resource: "{arn}" '
        "because no resource-based policy allows the sqs:SendMessage action"
    )


def test_raw_message_delivery_sends_the_message_itself_with_its_attributes(
    aws: Aws, topic: dict[str, str]
) -> None:
    url, arn = _queue(aws, f"{topic['name']}-q")
    _allow_topic(aws, url, arn, topic["arn"])
    aws("sns").subscribe(
        TopicArn=topic["arn"], Protocol="sqs", Endpoint=arn, Attributes={"RawMessageDelivery": "true"}
    )

    aws("sns").publish(
        TopicArn=topic["arn"],
        Message='{"run": "r1"}',
        MessageAttributes={"kind": {"DataType": "String", "StringValue": "deploy"}},
    )

    [message] = _received(aws, url)
    assert message["Body"] == '{"run": "r1"}'
    assert message["MessageAttributes"] == {"kind": {"StringValue": "deploy", "DataType": "String"}}


def test_a_missing_queue_drops_the_message_and_the_publish_succeeds(aws: Aws, topic: dict[str, str]) -> None:
    arn = f"arn:aws:sqs:us-east-1:123456789012:{topic['name']}-gone"
    aws("sns").subscribe(TopicArn=topic["arn"], Protocol="sqs", Endpoint=arn)

    assert aws("sns").publish(TopicArn=topic["arn"], Message="x")["MessageId"]

    [delivery] = topic_log.read(topic["name"])[-1]["deliveries"]
    assert (delivery["outcome"], delivery["reason"]) == ("dropped", f"queue {arn} does not exist")


def test_the_filter_policy_on_attributes_decides_which_messages_a_queue_gets(
    aws: Aws, topic: dict[str, str]
) -> None:
    url, arn = _queue(aws, f"{topic['name']}-q")
    _allow_topic(aws, url, arn, topic["arn"])
    policy = {"severity": ["high"], "pipeline": [{"prefix": "churn"}], "score": [{"numeric": [">=", 0.5]}]}
    aws("sns").subscribe(
        TopicArn=topic["arn"], Protocol="sqs", Endpoint=arn, Attributes={"FilterPolicy": json.dumps(policy)}
    )

    def publish(severity: str, pipeline: str, score: str) -> None:
        aws("sns").publish(
            TopicArn=topic["arn"],
            Message=f"{severity} {pipeline} {score}",
            MessageAttributes={
                "severity": {"DataType": "String", "StringValue": severity},
                "pipeline": {"DataType": "String", "StringValue": pipeline},
                "score": {"DataType": "Number", "StringValue": score},
            },
        )

    publish("high", "churn-demo", "0.7")
    publish("low", "churn-demo", "0.7")
    publish("high", "fraud", "0.7")
    publish("high", "churn-demo", "0.2")

    assert [json.loads(m["Body"])["Message"] for m in _received(aws, url)] == ["high churn-demo 0.7"]
    outcomes = [line["deliveries"][0]["outcome"] for line in topic_log.read(topic["name"])]
    assert outcomes == ["delivered", "filtered_out", "filtered_out", "filtered_out"]


def test_a_message_body_filter_matches_nested_fields_of_a_json_message(
    aws: Aws, topic: dict[str, str]
) -> None:
    url, arn = _queue(aws, f"{topic['name']}-q")
    _allow_topic(aws, url, arn, topic["arn"])
    aws("sns").subscribe(
        TopicArn=topic["arn"],
        Protocol="sqs",
        Endpoint=arn,
        Attributes={
            "FilterPolicyScope": "MessageBody",
            "FilterPolicy": json.dumps({"detail": {"status": ["FAILED"]}}),
        },
    )

    aws("sns").publish(TopicArn=topic["arn"], Message=json.dumps({"detail": {"status": "FAILED"}}))
    aws("sns").publish(TopicArn=topic["arn"], Message=json.dumps({"detail": {"status": "SUCCEEDED"}}))
    aws("sns").publish(TopicArn=topic["arn"], Message="not json")

    bodies = [json.loads(json.loads(m["Body"])["Message"]) for m in _received(aws, url)]
    assert bodies == [{"detail": {"status": "FAILED"}}]


def test_changing_only_the_filter_policy_scope_applies_the_new_scope(aws: Aws, topic: dict[str, str]) -> None:
    url, arn = _queue(aws, f"{topic['name']}-q")
    _allow_topic(aws, url, arn, topic["arn"])
    subscription = aws("sns").subscribe(
        TopicArn=topic["arn"],
        Protocol="sqs",
        Endpoint=arn,
        Attributes={"FilterPolicy": json.dumps({"status": ["FAILED"]})},
    )["SubscriptionArn"]

    aws("sns").set_subscription_attributes(
        SubscriptionArn=subscription, AttributeName="FilterPolicyScope", AttributeValue="MessageBody"
    )
    aws("sns").publish(TopicArn=topic["arn"], Message=json.dumps({"status": "FAILED"}))

    assert [json.loads(m["Body"])["Message"] for m in _received(aws, url)] == ['{"status": "FAILED"}']


HANDLER = textwrap.dedent(
    """
    import json, os
    import boto3

    def handler(event, context):
        boto3.client("sqs").send_message(QueueUrl=os.environ["SEEN_QUEUE"], MessageBody=json.dumps(event))
    """
)


@pytest.fixture
def function(
    aws: Aws, zip_package: Callable[[dict[str, str]], bytes], role_arn: str, unique_name: str
) -> dict[str, str]:
    """A function that sends each event it gets to its own queue, where the test reads it."""
    seen_url, _ = _queue(aws, f"{unique_name}-seen")
    arn = aws("lambda").create_function(
        FunctionName=f"{unique_name}-fn",
        Runtime="python3.11",
        Role=role_arn,
        Handler="main.handler",
        Code={"ZipFile": zip_package({"main.py": HANDLER})},
        Environment={"Variables": {"SEEN_QUEUE": seen_url}},
        Timeout=30,
    )["FunctionArn"]
    return {"arn": arn, "name": f"{unique_name}-fn", "seen": seen_url}


def test_a_function_that_allows_the_topic_gets_the_sns_event_record(
    aws: Aws, topic: dict[str, str], function: dict[str, str], wait_for: Callable[..., dict]
) -> None:
    aws("lambda").add_permission(
        FunctionName=function["name"],
        StatementId="sns",
        Action="lambda:InvokeFunction",
        Principal="sns.amazonaws.com",
        SourceArn=topic["arn"],
    )
    subscription = aws("sns").subscribe(TopicArn=topic["arn"], Protocol="lambda", Endpoint=function["arn"])[
        "SubscriptionArn"
    ]

    message_id = aws("sns").publish(TopicArn=topic["arn"], Message="retrain now")["MessageId"]

    answer = wait_for(
        lambda: aws("sqs").receive_message(QueueUrl=function["seen"], WaitTimeSeconds=1),
        lambda received: bool(received.get("Messages")),
    )
    [record] = json.loads(answer["Messages"][0]["Body"])["Records"]
    assert (record["EventSource"], record["EventVersion"], record["EventSubscriptionArn"]) == (
        "aws:sns",
        "1.0",
        subscription,
    )
    sns = record["Sns"]
    assert {
        key: sns[key] for key in ("Type", "MessageId", "TopicArn", "Subject", "Message", "MessageAttributes")
    } == {
        "Type": "Notification",
        "MessageId": message_id,
        "TopicArn": topic["arn"],
        "Subject": None,
        "Message": "retrain now",
        "MessageAttributes": {},
    }
    assert sns["SigningCertUrl"].startswith("https://") and sns["UnsubscribeUrl"].endswith(subscription)
    assert topic_log.read(topic["name"])[-1]["deliveries"][0]["outcome"] == "invoked"


def test_a_function_without_permission_for_the_topic_is_not_invoked(
    aws: Aws, topic: dict[str, str], function: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    started: list[str] = []
    monkeypatch.setattr(
        invoke, "invoke_async", lambda function, event: started.append(function.function_name)
    )
    aws("lambda").add_permission(
        FunctionName=function["name"],
        StatementId="other-topic",
        Action="lambda:InvokeFunction",
        Principal="sns.amazonaws.com",
        SourceArn=topic["arn"] + "-other",
    )
    aws("sns").subscribe(TopicArn=topic["arn"], Protocol="lambda", Endpoint=function["arn"])

    aws("sns").publish(TopicArn=topic["arn"], Message="retrain now")

    [delivery] = topic_log.read(topic["name"])[-1]["deliveries"]
    assert delivery["outcome"] == "dropped"
    assert "not authorized to perform: lambda:InvokeFunction" in delivery["reason"]
    # An invocation would have been started before Publish answered.
    assert started == []


def test_the_topic_log_has_one_line_per_message_with_every_subscription(
    aws: Aws, topic: dict[str, str]
) -> None:
    url, arn = _queue(aws, f"{topic['name']}-q")
    _allow_topic(aws, url, arn, topic["arn"])
    queue_subscription = aws("sns").subscribe(TopicArn=topic["arn"], Protocol="sqs", Endpoint=arn)[
        "SubscriptionArn"
    ]
    aws("sns").subscribe(TopicArn=topic["arn"], Protocol="email", Endpoint="ops@example.com")

    message_id = aws("sns").publish(TopicArn=topic["arn"], Message="run r7 failed", Subject="pipeline")[
        "MessageId"
    ]

    [line] = topic_log.read(topic["name"])
    assert line["time"].endswith("Z")
    assert {key: line[key] for key in ("topic", "message_id", "subject", "message")} == {
        "topic": topic["arn"],
        "message_id": message_id,
        "subject": "pipeline",
        "message": "run r7 failed",
    }
    by_protocol = {delivery["protocol"]: delivery for delivery in line["deliveries"]}
    assert by_protocol["sqs"] == {
        "subscription": queue_subscription,
        "protocol": "sqs",
        "endpoint": arn,
        "outcome": "delivered",
    }
    assert by_protocol["email"]["endpoint"] == "ops@example.com"
    assert by_protocol["email"]["outcome"] == "pending_confirmation"


def test_with_iam_enforcement_off_a_refused_delivery_goes_through_and_says_so(
    aws: Aws, topic: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LOCALCLOUD_IAM_ENFORCEMENT", "off")
    url, arn = _queue(aws, f"{topic['name']}-q")
    aws("sns").subscribe(TopicArn=topic["arn"], Protocol="sqs", Endpoint=arn)

    aws("sns").publish(TopicArn=topic["arn"], Message="let through")

    assert [json.loads(m["Body"])["Message"] for m in _received(aws, url)] == ["let through"]
    [delivery] = topic_log.read(topic["name"])[-1]["deliveries"]
    assert delivery["outcome"] == "delivered"
    assert delivery["reason"].startswith(
        "delivered only because IAM enforcement is off: User: sns.amazonaws.com"
    )
