"""Email subscriptions stay pending confirmation, as on AWS until someone follows the mailed link."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from localcloud.sns import topic_log

Aws = Callable[[str], Any]


def test_an_email_subscription_stays_pending_and_gets_nothing(aws: Aws, unique_name: str) -> None:
    sns = aws("sns")
    topic = sns.create_topic(Name=unique_name)["TopicArn"]

    answer = sns.subscribe(TopicArn=topic, Protocol="email", Endpoint="ops@example.com")
    arn = sns.subscribe(
        TopicArn=topic, Protocol="email-json", Endpoint="bot@example.com", ReturnSubscriptionArn=True
    )["SubscriptionArn"]
    sns.publish(TopicArn=topic, Message="model v2 awaits approval", Subject="approval")

    assert answer["SubscriptionArn"] == "pending confirmation"
    attributes = sns.get_subscription_attributes(SubscriptionArn=arn)["Attributes"]
    assert (attributes["PendingConfirmation"], attributes["ConfirmationWasAuthenticated"]) == (
        "true",
        "false",
    )
    listed = sns.list_subscriptions_by_topic(TopicArn=topic)["Subscriptions"]
    assert sorted((s["Endpoint"], s["SubscriptionArn"]) for s in listed) == [
        ("bot@example.com", "PendingConfirmation"),
        ("ops@example.com", "PendingConfirmation"),
    ]
    [line] = topic_log.read(unique_name)
    assert (line["subject"], line["message"]) == ("approval", "model v2 awaits approval")
    assert sorted((d["endpoint"], d["outcome"]) for d in line["deliveries"]) == [
        ("bot@example.com", "pending_confirmation"),
        ("ops@example.com", "pending_confirmation"),
    ]


def test_other_subscriptions_are_confirmed_and_listed_with_their_arn(aws: Aws, unique_name: str) -> None:
    sns = aws("sns")
    topic = sns.create_topic(Name=unique_name)["TopicArn"]
    queue = f"arn:aws:sqs:us-east-1:123456789012:{unique_name}"

    arn = sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue)["SubscriptionArn"]

    assert arn.startswith(f"{topic}:")
    assert (
        sns.get_subscription_attributes(SubscriptionArn=arn)["Attributes"]["PendingConfirmation"] == "false"
    )
    assert [
        s["SubscriptionArn"] for s in sns.list_subscriptions_by_topic(TopicArn=topic)["Subscriptions"]
    ] == [arn]
