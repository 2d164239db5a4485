"""Schedules fire as EventBridge Scheduler fires them: when due, as the target's role, with retries and the
dead-letter queue; driven here by `fire_due_schedules(now)` (the conftest turns the thread off)."""

from __future__ import annotations

import json
import re
import textwrap
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from botocore.exceptions import ClientError

from localcloud.scheduler import firing, schedule_log
from localcloud.scheduler.firing import Firing
from localcloud.sns import topic_log

Aws = Callable[[str], Any]
ACCOUNT = "123456789012"
INPUT_WITH_CONTEXT = json.dumps(
    {
        "schedule": "<aws.scheduler.schedule-arn>",
        "at": "<aws.scheduler.scheduled-time>",
        "execution": "<aws.scheduler.execution-id>",
        "attempt": "<aws.scheduler.attempt-number>",
    }
)


@pytest.fixture(autouse=True)
def no_schedules_left(aws: Aws) -> Iterator[None]:
    """Each test's schedules are deleted after it: a pass fires every schedule in moto."""
    yield
    scheduler = aws("scheduler")
    for schedule in scheduler.list_schedules()["Schedules"]:
        scheduler.delete_schedule(Name=schedule["Name"], GroupName=schedule["GroupName"])


def scheduler_role(aws: Aws, actions: list[str], service: str = "scheduler.amazonaws.com") -> str:
    """A role `service` may assume for this account's schedule groups, allowed `actions` on everything."""
    name = f"scheduler-{uuid.uuid4().hex[:8]}"
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Service": service},
                "Action": "sts:AssumeRole",
                "Condition": {
                    "StringEquals": {"aws:SourceAccount": ACCOUNT},
                    "ArnLike": {"aws:SourceArn": f"arn:aws:scheduler:*:{ACCOUNT}:schedule-group/*"},
                },
            }
        ],
    }
    arn = aws("iam").create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]
    grants = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": actions, "Resource": "*"}]}
    aws("iam").put_role_policy(RoleName=name, PolicyName="grants", PolicyDocument=json.dumps(grants))
    return arn


def queue(aws: Aws, name: str) -> tuple[str, str]:
    url = aws("sqs").create_queue(QueueName=name)["QueueUrl"]
    return url, f"arn:aws:sqs:us-east-1:{ACCOUNT}:{name}"


def received(aws: Aws, url: str) -> list[dict[str, Any]]:
    messages: list[dict[str, Any]] = []
    while True:
        batch = aws("sqs").receive_message(
            QueueUrl=url, MaxNumberOfMessages=10, MessageAttributeNames=["All"]
        )
        if not batch.get("Messages"):
            return messages
        messages.extend(batch["Messages"])


def create(aws: Aws, name: str, expression: str, target: dict[str, Any], **settings: Any) -> datetime:
    """Create a schedule; returns when it was created."""
    aws("scheduler").create_schedule(
        Name=name,
        ScheduleExpression=expression,
        FlexibleTimeWindow={"Mode": "OFF"},
        Target=target,
        **settings,
    )
    return aws("scheduler").get_schedule(Name=name)["CreationDate"]


def at_expression(moment: datetime) -> str:
    return f"at({moment.astimezone(UTC).strftime('%Y-%m-%dT%H:%M:%S')})"


def fired(now: datetime, name: str) -> list[Firing]:
    return [result for result in firing.fire_due_schedules(now) if result.name == name]


def test_a_rate_schedule_sends_to_a_queue_from_its_creation_on_with_the_context_filled_in(
    aws: Aws, unique_name: str
) -> None:
    url, arn = queue(aws, unique_name)
    target = {"Arn": arn, "RoleArn": scheduler_role(aws, ["sqs:SendMessage"]), "Input": INPUT_WITH_CONTEXT}
    created = create(aws, unique_name, "rate(5 minutes)", target)

    results = fired(created + timedelta(minutes=11), unique_name)

    assert [result.outcome for result in results] == ["invoked"] * 3
    times = [result.scheduled_time for result in results]
    assert [time - times[0] for time in times] == [timedelta(0), timedelta(minutes=5), timedelta(minutes=10)]
    assert abs(times[0] - created) < timedelta(seconds=1)
    bodies = sorted(
        (json.loads(message["Body"]) for message in received(aws, url)), key=lambda body: body["at"]
    )
    schedule_arn = f"arn:aws:scheduler:us-east-1:{ACCOUNT}:schedule/default/{unique_name}"
    assert [(body["schedule"], body["at"], body["attempt"]) for body in bodies] == [
        (schedule_arn, time.strftime("%Y-%m-%dT%H:%M:%SZ"), "1") for time in times
    ]
    assert all(re.fullmatch(r"[0-9a-f]{16}", body["execution"]) for body in bodies)
    assert len({body["execution"] for body in bodies}) == 3
    assert fired(created + timedelta(minutes=11), unique_name) == []  # each occurrence fires once


def test_a_cron_schedule_starts_an_execution_at_its_local_time(
    aws: Aws, unique_name: str, role_arn: str
) -> None:
    machine = aws("stepfunctions").create_state_machine(
        name=unique_name,
        definition=json.dumps({"StartAt": "Done", "States": {"Done": {"Type": "Pass", "End": True}}}),
        roleArn=role_arn,
    )["stateMachineArn"]
    target = {
        "Arn": machine,
        "RoleArn": scheduler_role(aws, ["states:StartExecution"]),
        "Input": '{"scheduled": "<aws.scheduler.scheduled-time>"}',
    }
    created = create(
        aws, unique_name, "cron(0 9 * * ? *)", target, ScheduleExpressionTimezone="Europe/Paris"
    ).astimezone(ZoneInfo("Europe/Paris"))
    nine = created.replace(hour=9, minute=0, second=0, microsecond=0)
    nine = nine if nine > created else nine + timedelta(days=1)

    assert fired(nine - timedelta(seconds=1), unique_name) == []
    [result] = fired(nine + timedelta(seconds=30), unique_name)

    assert (result.outcome, result.scheduled_time) == ("invoked", nine.astimezone(UTC))
    [execution] = aws("stepfunctions").list_executions(stateMachineArn=machine)["executions"]
    assert execution["executionArn"] == result.result
    execution_input = aws("stepfunctions").describe_execution(executionArn=result.result)["input"]
    assert json.loads(execution_input) == {"scheduled": nine.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")}


def test_a_one_time_schedule_publishes_once_and_is_deleted_after_completion(
    aws: Aws, unique_name: str
) -> None:
    topic = aws("sns").create_topic(Name=unique_name)["TopicArn"]
    target = {"Arn": topic, "RoleArn": scheduler_role(aws, ["sns:Publish"]), "Input": "retrain the model"}
    when = datetime.now(UTC).replace(microsecond=0) + timedelta(hours=1)
    created = create(aws, unique_name, at_expression(when), target, ActionAfterCompletion="DELETE")

    assert fired(when - timedelta(seconds=1), unique_name) == []
    [result] = fired(when + timedelta(seconds=1), unique_name)

    assert (result.outcome, result.scheduled_time) == ("invoked", when)
    assert created < when
    assert [line["message"] for line in topic_log.read(unique_name)] == ["retrain the model"]
    with pytest.raises(ClientError) as missing:
        aws("scheduler").get_schedule(Name=unique_name)
    assert missing.value.response["Error"]["Code"] == "ResourceNotFoundException"
    assert schedule_log.read("default", unique_name)[-1]["event"] == "deleted"


HANDLER = textwrap.dedent(
    """
    import json, os
    import boto3

    def handler(event, context):
        boto3.client("sqs").send_message(QueueUrl=os.environ["SEEN_QUEUE"], MessageBody=json.dumps(event))
    """
)


def test_a_lambda_target_is_invoked_asynchronously_with_the_input_as_its_event(
    aws: Aws,
    unique_name: str,
    role_arn: str,
    zip_package: Callable[[dict[str, str]], bytes],
    wait_for: Callable[..., dict],
) -> None:
    seen_url, _ = queue(aws, f"{unique_name}-seen")
    function = aws("lambda").create_function(
        FunctionName=unique_name,
        Runtime="python3.11",
        Role=role_arn,
        Handler="main.handler",
        Code={"ZipFile": zip_package({"main.py": HANDLER})},
        Environment={"Variables": {"SEEN_QUEUE": seen_url}},
        Timeout=30,
    )["FunctionArn"]
    target = {
        "Arn": function,
        "RoleArn": scheduler_role(aws, ["lambda:InvokeFunction"]),
        "Input": '{"job": "nightly", "attempt": "<aws.scheduler.attempt-number>"}',
    }
    when = datetime.now(UTC).replace(microsecond=0) + timedelta(minutes=30)
    create(aws, unique_name, at_expression(when), target)

    [result] = fired(when, unique_name)

    assert result.outcome == "invoked"
    answer = wait_for(
        lambda: aws("sqs").receive_message(QueueUrl=seen_url, WaitTimeSeconds=1),
        lambda got: bool(got.get("Messages")),
    )
    assert json.loads(answer["Messages"][0]["Body"]) == {"job": "nightly", "attempt": "1"}


def test_a_refused_call_is_retried_and_then_sent_to_the_dead_letter_queue(
    aws: Aws, unique_name: str, role_arn: str
) -> None:
    machine = aws("stepfunctions").create_state_machine(
        name=unique_name,
        definition=json.dumps({"StartAt": "Done", "States": {"Done": {"Type": "Pass", "End": True}}}),
        roleArn=role_arn,
    )["stateMachineArn"]
    dlq_url, dlq_arn = queue(aws, f"{unique_name}-dlq")
    schedule_role = scheduler_role(aws, ["sqs:SendMessage"])  # no states:StartExecution
    target = {
        "Arn": machine,
        "RoleArn": schedule_role,
        "Input": '{"attempt": "<aws.scheduler.attempt-number>"}',
        "RetryPolicy": {"MaximumRetryAttempts": 2, "MaximumEventAgeInSeconds": 3600},
        "DeadLetterConfig": {"Arn": dlq_arn},
    }
    when = datetime.now(UTC).replace(microsecond=0) + timedelta(minutes=30)
    create(aws, unique_name, at_expression(when), target)

    [result] = fired(when, unique_name)

    assert (result.outcome, result.attempts, result.error_code) == (
        "dead_lettered",
        3,
        "AccessDeniedException",
    )
    assert "is not authorized to perform: states:StartExecution" in (result.error or "")
    [message] = received(aws, dlq_url)
    assert json.loads(message["Body"]) == {"attempt": "3"}
    attributes = {name: value["StringValue"] for name, value in message["MessageAttributes"].items()}
    assert attributes["ERROR_CODE"] == "AccessDeniedException"
    assert attributes["EXHAUSTED_RETRY_CONDITION"] == "MaximumRetryAttempts"
    assert attributes["RETRY_ATTEMPTS"] == "2"
    assert attributes["TARGET_ARN"] == machine
    assert attributes["SCHEDULE_ARN"].endswith(f":schedule/default/{unique_name}")
    assert attributes["SCHEDULED_TIME"] == when.strftime("%Y-%m-%dT%H:%M:%SZ")
    assert attributes["EXECUTION_ID"] == result.execution_id
    events = [line["event"] for line in schedule_log.read("default", unique_name)]
    assert events == ["attempt_failed", "attempt_failed", "attempt_failed", "dead_lettered"]


def test_no_retry_is_made_once_the_event_is_older_than_its_maximum_age(aws: Aws, unique_name: str) -> None:
    _, arn = queue(aws, unique_name)
    target = {
        "Arn": arn,
        "RoleArn": scheduler_role(aws, ["sns:Publish"]),  # no sqs:SendMessage
        "RetryPolicy": {"MaximumRetryAttempts": 5, "MaximumEventAgeInSeconds": 60},
    }
    when = datetime.now(UTC).replace(microsecond=0) + timedelta(minutes=30)
    create(aws, unique_name, at_expression(when), target)

    [result] = fired(when + timedelta(minutes=10), unique_name)

    assert (result.outcome, result.attempts) == ("failed", 1)
    last = schedule_log.read("default", unique_name)[-1]
    assert (last["event"], last["exhausted_retry_condition"]) == ("failed", "MaximumEventAgeInSeconds")
    assert "no dead-letter queue" in last["error"]


def test_a_role_that_does_not_trust_the_scheduler_fails_the_invocation(aws: Aws, unique_name: str) -> None:
    _, arn = queue(aws, unique_name)
    target = {
        "Arn": arn,
        "RoleArn": scheduler_role(aws, ["sqs:SendMessage"], service="lambda.amazonaws.com"),
        "RetryPolicy": {"MaximumRetryAttempts": 0, "MaximumEventAgeInSeconds": 60},
    }
    when = datetime.now(UTC).replace(microsecond=0) + timedelta(minutes=30)
    create(aws, unique_name, at_expression(when), target)

    [result] = fired(when, unique_name)

    assert (result.outcome, result.error_code) == ("failed", "AccessDeniedException")
    assert "scheduler.amazonaws.com cannot assume role" in (result.error or "")


def test_a_disabled_schedule_does_not_fire_and_fires_from_its_re_enabling_on(
    aws: Aws, unique_name: str
) -> None:
    url, arn = queue(aws, unique_name)
    target = {"Arn": arn, "RoleArn": scheduler_role(aws, ["sqs:SendMessage"])}
    created = create(aws, unique_name, "rate(10 minutes)", target, State="DISABLED")

    assert fired(created + timedelta(minutes=25), unique_name) == []
    aws("scheduler").update_schedule(
        Name=unique_name,
        ScheduleExpression="rate(10 minutes)",
        FlexibleTimeWindow={"Mode": "OFF"},
        Target=target,
        State="ENABLED",
    )
    enabled = aws("scheduler").get_schedule(Name=unique_name)["LastModificationDate"]
    results = fired(enabled + timedelta(minutes=15), unique_name)

    assert [result.outcome for result in results] == ["invoked", "invoked"]
    assert abs(results[0].scheduled_time - enabled) < timedelta(seconds=1)
    assert len(received(aws, url)) == 2


def test_a_recurring_schedule_fires_only_between_its_start_and_end_dates(aws: Aws, unique_name: str) -> None:
    _, arn = queue(aws, unique_name)
    target = {"Arn": arn, "RoleArn": scheduler_role(aws, ["sqs:SendMessage"])}
    start = datetime.now(UTC).replace(microsecond=0) + timedelta(hours=2)
    create(aws, unique_name, "rate(1 hour)", target, StartDate=start, EndDate=start + timedelta(hours=2))

    results = fired(start + timedelta(hours=8), unique_name)

    assert [result.scheduled_time for result in results] == [start + timedelta(hours=n) for n in range(3)]


def test_create_and_update_refuse_an_invalid_expression_or_time_zone(aws: Aws, unique_name: str) -> None:
    _, arn = queue(aws, unique_name)
    target = {"Arn": arn, "RoleArn": scheduler_role(aws, ["sqs:SendMessage"])}
    scheduler = aws("scheduler")

    for expression, zone in (
        ("rate(0 minutes)", "UTC"),
        ("cron(0 9 * * * *)", "UTC"),
        ("rate(1 day)", "Mars/Base"),
    ):
        with pytest.raises(ClientError) as refused:
            scheduler.create_schedule(
                Name=unique_name,
                ScheduleExpression=expression,
                ScheduleExpressionTimezone=zone,
                FlexibleTimeWindow={"Mode": "OFF"},
                Target=target,
            )
        assert refused.value.response["Error"]["Code"] == "ValidationException"
        assert refused.value.response["Error"]["Message"].startswith("Invalid")

    create(aws, unique_name, "rate(1 day)", target)
    with pytest.raises(ClientError) as refused:
        scheduler.update_schedule(
            Name=unique_name,
            ScheduleExpression="rate(1 fortnight)",
            FlexibleTimeWindow={"Mode": "OFF"},
            Target=target,
        )
    assert refused.value.response["Error"]["Message"].startswith(
        "Invalid Schedule Expression rate(1 fortnight)."
    )
    assert scheduler.get_schedule(Name=unique_name)["ScheduleExpression"] == "rate(1 day)"


def test_update_applies_the_requested_action_after_completion(aws: Aws, unique_name: str) -> None:
    _, arn = queue(aws, unique_name)
    target = {"Arn": arn, "RoleArn": scheduler_role(aws, ["sqs:SendMessage"])}
    create(aws, unique_name, "rate(1 day)", target)

    aws("scheduler").update_schedule(
        Name=unique_name,
        ScheduleExpression="rate(1 day)",
        FlexibleTimeWindow={"Mode": "OFF"},
        Target=target,
        ActionAfterCompletion="DELETE",
    )

    assert aws("scheduler").get_schedule(Name=unique_name)["ActionAfterCompletion"] == "DELETE"


def test_an_expression_the_local_cloud_does_not_fire_is_refused_in_the_log_once(
    aws: Aws, unique_name: str
) -> None:
    _, arn = queue(aws, unique_name)
    created = create(
        aws,
        unique_name,
        "cron(0 0 L-2 * ? *)",
        {"Arn": arn, "RoleArn": scheduler_role(aws, ["sqs:SendMessage"])},
    )

    [result] = fired(created + timedelta(days=40), unique_name)
    again = fired(created + timedelta(days=80), unique_name)

    assert result.outcome == "refused" and "L-2" in (result.error or "")
    assert again == []
    [line] = schedule_log.read("default", unique_name)
    assert line["event"] == "refused" and "not emulated" in line["error"]


def test_a_target_the_local_cloud_does_not_call_is_logged_as_not_emulated(aws: Aws, unique_name: str) -> None:
    cluster = f"arn:aws:ecs:us-east-1:{ACCOUNT}:cluster/{unique_name}"
    created = create(
        aws, unique_name, "rate(1 hour)", {"Arn": cluster, "RoleArn": scheduler_role(aws, ["ecs:*"])}
    )

    [result] = fired(created + timedelta(minutes=1), unique_name)

    assert result.outcome == "not_emulated"
    [line] = schedule_log.read("default", unique_name)
    assert (line["event"], line["scheduled_time"]) == (
        "not_emulated",
        schedule_log.iso(result.scheduled_time),
    )
    assert cluster in line["error"]


def test_many_occurrences_due_at_once_fire_the_newest_and_log_the_skipped(aws: Aws, unique_name: str) -> None:
    _, arn = queue(aws, unique_name)
    target = {"Arn": arn, "RoleArn": scheduler_role(aws, ["sqs:SendMessage"])}
    created = create(aws, unique_name, "rate(1 minute)", target)

    results = fired(created + timedelta(minutes=14, seconds=30), unique_name)

    assert len(results) == firing.MAX_OCCURRENCES_PER_PASS
    skipped = [line for line in schedule_log.read("default", unique_name) if line["event"] == "skipped"]
    assert [line["count"] for line in skipped] == [15 - firing.MAX_OCCURRENCES_PER_PASS]
