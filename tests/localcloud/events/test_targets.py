"""PutEvents on the local cloud: matched rules deliver to SQS, SNS and Lambda targets in the background, as
EventBridge does, authorized by each target's resource policy; failures are logged, counted and sent to a
dead-letter queue."""

from __future__ import annotations

import json
import re
import textwrap
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from localcloud import config
from localcloud.iam import authorization
from tests.localcloud.events.events_support import (
    allow_events,
    drained,
    empty,
    log_line,
    make_queue,
    poll,
    receive,
    subscribed_queue,
)

ISO_SECONDS = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ")


@pytest.fixture
def rule(aws: Callable[[str], Any], unique_name: str) -> tuple[str, str, str]:
    """(rule name, rule ARN, event source) of a new rule on the default bus matching one source."""
    source = f"tests.{unique_name}"
    arn = aws("events").put_rule(Name=unique_name, EventPattern=json.dumps({"source": [source]}))["RuleArn"]
    return unique_name, arn, source


def _put(aws: Callable[[str], Any], source: str, detail: dict[str, Any], **entry: Any) -> str:
    response = aws("events").put_events(
        Entries=[{"Source": source, "DetailType": "Test Event", "Detail": json.dumps(detail), **entry}]
    )
    assert response["FailedEntryCount"] == 0
    return response["Entries"][0]["EventId"]


def test_an_event_reaches_an_sqs_queue_as_eventbridge_sends_it(
    aws: Callable[[str], Any], rule: tuple[str, str, str]
) -> None:
    name, rule_arn, source = rule
    sqs = aws("sqs")
    url, queue = make_queue(sqs, name, events_rule_arn=rule_arn)
    aws("events").put_targets(Rule=name, Targets=[{"Id": "queue", "Arn": queue}])

    _put(aws, f"{source}.other", {"n": 0})  # matches no rule: never delivered
    event_id = _put(aws, source, {"n": 1}, Resources=["arn:aws:s3:::bucket"])

    [message] = receive(sqs, url, 1)
    event = json.loads(message["Body"])
    assert event == {
        "version": "0",
        "id": event_id,
        "detail-type": "Test Event",
        "source": source,
        "account": config.ACCOUNT_ID,
        "time": event["time"],
        "region": config.REGION,
        "resources": ["arn:aws:s3:::bucket"],
        "detail": {"n": 1},
    }
    assert ISO_SECONDS.fullmatch(event["time"])
    assert empty(sqs, url)


def test_a_rules_deliveries_keep_their_order(aws: Callable[[str], Any], rule: tuple[str, str, str]) -> None:
    name, rule_arn, source = rule
    sqs = aws("sqs")
    url, queue = make_queue(sqs, name, events_rule_arn=rule_arn, fifo=True)
    aws("events").put_targets(
        Rule=name,
        Targets=[
            {
                "Id": "fifo",
                "Arn": queue,
                "SqsParameters": {"MessageGroupId": "runs"},
                "InputPath": "$.detail.n",
            }
        ],
    )

    for number in range(8):
        _put(aws, source, {"n": number})

    assert [message["Body"] for message in receive(sqs, url, 8)] == [str(n) for n in range(8)]


def test_disabled_and_schedule_only_rules_deliver_nothing(
    aws: Callable[[str], Any], rule: tuple[str, str, str], unique_name: str
) -> None:
    name, rule_arn, source = rule
    events, sqs = aws("events"), aws("sqs")
    url, queue = make_queue(sqs, name, events_rule_arn=rule_arn)
    events.put_targets(Rule=name, Targets=[{"Id": "queue", "Arn": queue}])
    events.disable_rule(Name=name)
    scheduled = f"{unique_name}-schedule"
    events.put_rule(Name=scheduled, ScheduleExpression="rate(1 hour)")
    events.put_targets(Rule=scheduled, Targets=[{"Id": "queue", "Arn": queue}])

    _put(aws, source, {"n": 1})
    drained()

    assert empty(sqs, url)


def test_a_queue_without_a_policy_for_eventbridge_gets_nothing_and_the_dead_letter_queue_gets_the_event(
    aws: Callable[[str], Any], rule: tuple[str, str, str]
) -> None:
    name, rule_arn, source = rule
    sqs = aws("sqs")
    url, queue = make_queue(sqs, name)  # no queue policy
    dlq_url, dlq = make_queue(sqs, f"{name}-dlq", events_rule_arn=rule_arn)
    aws("events").put_targets(
        Rule=name, Targets=[{"Id": "queue", "Arn": queue, "DeadLetterConfig": {"Arn": dlq}}]
    )

    event_id = _put(aws, source, {"n": 1})

    line = log_line(name, "FAILED")
    assert "NO_PERMISSIONS" in line
    assert "events.amazonaws.com" in line
    assert "sqs:SendMessage" in line
    [dead] = receive(sqs, dlq_url, 1, attributes=True)
    assert json.loads(dead["Body"])["id"] == event_id
    attributes = {key: value["StringValue"] for key, value in dead["MessageAttributes"].items()}
    assert attributes["RULE_ARN"] == rule_arn
    assert attributes["TARGET_ARN"] == queue
    assert attributes["ERROR_CODE"] == "NO_PERMISSIONS"
    assert attributes["RETRY_ATTEMPTS"] == "0"
    assert "EXHAUSTED_RETRY_CONDITION" not in attributes  # permission errors are not retried
    log_line(name, "sent to dead-letter queue")
    assert empty(sqs, url)


def test_with_iam_enforcement_off_a_refused_delivery_goes_through_and_says_so(
    aws: Callable[[str], Any], rule: tuple[str, str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    name, _, source = rule
    sqs = aws("sqs")
    url, queue = make_queue(sqs, name)  # no queue policy
    aws("events").put_targets(Rule=name, Targets=[{"Id": "queue", "Arn": queue}])
    monkeypatch.setenv(authorization.ENFORCEMENT_ENV_VAR, "off")

    _put(aws, source, {"n": 1})

    [message] = receive(sqs, url, 1)
    assert json.loads(message["Body"])["detail"] == {"n": 1}
    line = log_line(name, "delivered")
    assert "although IAM enforcement is off" in line
    assert "events.amazonaws.com" in line
    assert "sqs:SendMessage" in line


def test_failed_invocations_are_counted_per_rule(
    aws: Callable[[str], Any], rule: tuple[str, str, str]
) -> None:
    name, _, source = rule
    missing = f"arn:aws:sqs:{config.REGION}:{config.ACCOUNT_ID}:{name}-missing"
    aws("events").put_targets(Rule=name, Targets=[{"Id": "gone", "Arn": missing}])

    _put(aws, source, {"n": 1})
    assert "NO_RESOURCE" in log_line(name, "FAILED")

    def sums() -> dict[str, float]:
        now = datetime.now(UTC)
        found = {}
        for metric in ("TriggeredRules", "Invocations", "FailedInvocations"):
            points = aws("cloudwatch").get_metric_statistics(
                Namespace="AWS/Events",
                MetricName=metric,
                Dimensions=[{"Name": "RuleName", "Value": name}],
                StartTime=now - timedelta(minutes=10),
                EndTime=now + timedelta(minutes=1),
                Period=60,
                Statistics=["Sum"],
            )["Datapoints"]
            found[metric] = sum(point["Sum"] for point in points)
        return found

    assert poll(lambda: sums() if sums()["FailedInvocations"] else None, "FailedInvocations") == {
        "TriggeredRules": 1.0,
        "Invocations": 1.0,
        "FailedInvocations": 1.0,
    }


def _topic_with_queue(aws: Callable[[str], Any], name: str, **attributes: str) -> tuple[str, str]:
    """(topic ARN, URL of an SQS queue subscribed to it)."""
    topic = aws("sns").create_topic(Name=name, Attributes=attributes)["TopicArn"]
    return topic, subscribed_queue(aws, topic, f"{name}-inbox")


def test_an_sns_topic_allowing_eventbridge_gets_the_transformed_text_with_its_quotes(
    aws: Callable[[str], Any], rule: tuple[str, str, str]
) -> None:
    name, rule_arn, source = rule
    topic, inbox = _topic_with_queue(aws, name)
    aws("sns").set_topic_attributes(
        TopicArn=topic, AttributeName="Policy", AttributeValue=allow_events(topic, "sns:Publish", rule_arn)
    )
    aws("events").put_targets(
        Rule=name,
        Targets=[
            {
                "Id": "topic",
                "Arn": topic,
                "InputTransformer": {
                    "InputPathsMap": {"run": "$.detail.run"},
                    "InputTemplate": '"Run <run> failed"',
                },
            }
        ],
    )

    _put(aws, source, {"run": "r-42"})

    [message] = receive(aws("sqs"), inbox, 1)
    assert json.loads(message["Body"])["Message"] == '"Run r-42 failed"'


def test_an_sns_topic_with_its_default_policy_refuses_eventbridge(
    aws: Callable[[str], Any], rule: tuple[str, str, str]
) -> None:
    name, _, source = rule
    topic, inbox = _topic_with_queue(aws, name)
    aws("events").put_targets(Rule=name, Targets=[{"Id": "topic", "Arn": topic}])

    _put(aws, source, {"n": 1})

    line = log_line(name, "FAILED")
    assert "NO_PERMISSIONS" in line
    assert "events.amazonaws.com is not authorized to perform: sns:Publish" in line
    assert "because no resource-based policy allows the sns:Publish action" in line
    assert empty(aws("sqs"), inbox)


def _key(aws: Callable[[str], Any], allow_eventbridge: bool) -> str:
    root = {
        "Sid": "Account",
        "Effect": "Allow",
        "Principal": {"AWS": f"arn:aws:iam::{config.ACCOUNT_ID}:root"},
        "Action": "kms:*",
        "Resource": "*",
    }
    events = {
        "Sid": "EventBridge",
        "Effect": "Allow",
        "Principal": {"Service": "events.amazonaws.com"},
        "Action": ["kms:GenerateDataKey", "kms:Decrypt"],
        "Resource": "*",
    }
    statements = [root, events] if allow_eventbridge else [root]
    policy = json.dumps({"Version": "2012-10-17", "Statement": statements})
    return aws("kms").create_key(Policy=policy)["KeyMetadata"]["Arn"]


@pytest.mark.parametrize("allow_eventbridge", [True, False])
def test_an_encrypted_topic_needs_a_key_policy_for_eventbridge(
    aws: Callable[[str], Any], rule: tuple[str, str, str], allow_eventbridge: bool
) -> None:
    name, rule_arn, source = rule
    topic, inbox = _topic_with_queue(aws, name, KmsMasterKeyId=_key(aws, allow_eventbridge))
    aws("sns").set_topic_attributes(
        TopicArn=topic, AttributeName="Policy", AttributeValue=allow_events(topic, "sns:Publish", rule_arn)
    )
    aws("events").put_targets(Rule=name, Targets=[{"Id": "topic", "Arn": topic, "InputPath": "$.detail"}])

    _put(aws, source, {"n": 1})

    if allow_eventbridge:
        [message] = receive(aws("sqs"), inbox, 1)
        assert json.loads(message["Body"])["Message"] == '{"n":1}'
    else:
        assert "is not authorized to perform: kms:GenerateDataKey" in log_line(name, "FAILED")
        assert empty(aws("sqs"), inbox)


HANDLER = textwrap.dedent(
    """
    import json, os
    import boto3

    def handler(event, context):
        boto3.client("sqs").send_message(QueueUrl=os.environ["INBOX"], MessageBody=json.dumps(event))
    """
)


@pytest.mark.parametrize("permission_for", ["this rule", "another rule", None])
def test_a_lambda_target_needs_the_functions_permission_for_the_rule(
    aws: Callable[[str], Any],
    rule: tuple[str, str, str],
    role_arn: str,
    zip_package: Callable[[dict[str, str]], bytes],
    permission_for: str | None,
) -> None:
    name, rule_arn, source = rule
    sqs = aws("sqs")
    inbox = sqs.create_queue(QueueName=f"{name}-inbox")["QueueUrl"]
    function = aws("lambda").create_function(
        FunctionName=name,
        Runtime="python3.11",
        Role=role_arn,
        Handler="app.handler",
        Code={"ZipFile": zip_package({"app.py": HANDLER})},
        Environment={"Variables": {"INBOX": inbox}},
        Timeout=30,
    )["FunctionArn"]
    if permission_for is not None:
        aws("lambda").add_permission(
            FunctionName=name,
            StatementId="events",
            Action="lambda:InvokeFunction",
            Principal="events.amazonaws.com",
            SourceArn=rule_arn if permission_for == "this rule" else f"{rule_arn}-other",
        )
    aws("events").put_targets(Rule=name, Targets=[{"Id": "function", "Arn": function}])

    event_id = _put(aws, source, {"n": 1})

    if permission_for == "this rule":
        [message] = receive(sqs, inbox, 1)
        assert json.loads(message["Body"])["id"] == event_id
    else:
        line = log_line(name, "FAILED")
        assert "NO_PERMISSIONS" in line
        assert "events.amazonaws.com" in line
        assert "lambda:InvokeFunction" in line
        assert empty(sqs, inbox)
