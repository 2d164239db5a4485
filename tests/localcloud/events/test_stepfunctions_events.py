"""Step Functions and EventBridge on the local cloud: every execution's status changes are events on the
default bus ("Step Functions Execution Status Change"), and a state machine puts its own events with the
`events:putEvents` integration, as its role."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

import pytest

from localcloud import config
from tests.localcloud.events.events_support import (
    allow_events,
    drained,
    empty,
    log_line,
    make_queue,
    make_role,
    poll,
    receive,
    subscribed_queue,
)

DETAIL_TYPE = "Step Functions Execution Status Change"
ISO_SECONDS = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ")


def _machine(aws: Callable[[str], Any], name: str, role_arn: str, definition: dict[str, Any]) -> str:
    return aws("stepfunctions").create_state_machine(
        name=name, definition=json.dumps(definition), roleArn=role_arn
    )["stateMachineArn"]


def _status_events_queue(aws: Callable[[str], Any], name: str, machine_arn: str) -> str:
    """URL of a FIFO queue receiving every status change event of one state machine, in order."""
    events = aws("events")
    pattern = {
        "source": ["aws.states"],
        "detail-type": [DETAIL_TYPE],
        "detail": {"stateMachineArn": [machine_arn]},
    }
    rule_arn = events.put_rule(Name=f"{name}-status", EventPattern=json.dumps(pattern))["RuleArn"]
    url, queue = make_queue(aws("sqs"), f"{name}-status", events_rule_arn=rule_arn, fifo=True)
    events.put_targets(
        Rule=f"{name}-status",
        Targets=[{"Id": "q", "Arn": queue, "SqsParameters": {"MessageGroupId": "status"}}],
    )
    return url


def _events(aws: Callable[[str], Any], url: str, count: int) -> list[dict[str, Any]]:
    return [json.loads(message["Body"]) for message in receive(aws("sqs"), url, count)]


def test_a_succeeded_execution_sends_running_then_succeeded(
    aws: Callable[[str], Any], role_arn: str, unique_name: str
) -> None:
    machine = _machine(
        aws, unique_name, role_arn, {"StartAt": "Done", "States": {"Done": {"Type": "Pass", "End": True}}}
    )
    inbox = _status_events_queue(aws, unique_name, machine)

    execution = aws("stepfunctions").start_execution(
        stateMachineArn=machine, name="run-1", input='{"run": 1}'
    )

    running, succeeded = _events(aws, inbox, 2)
    arn = execution["executionArn"]
    for event in (running, succeeded):
        assert event["source"] == "aws.states"
        assert event["detail-type"] == DETAIL_TYPE
        assert event["resources"] == [arn]
        assert event["account"] == config.ACCOUNT_ID
        assert ISO_SECONDS.fullmatch(event["time"])
    start = int(execution["startDate"].timestamp() * 1000)
    assert running["detail"] == {
        "executionArn": arn,
        "stateMachineArn": machine,
        "name": "run-1",
        "status": "RUNNING",
        "startDate": start,
        "stopDate": None,
        "input": '{"run":1}',
        "inputDetails": {"included": True},
        "output": None,
        "outputDetails": None,
        "error": None,
        "cause": None,
    }
    described = aws("stepfunctions").describe_execution(executionArn=arn)
    assert succeeded["detail"] == {
        **running["detail"],
        "status": "SUCCEEDED",
        "stopDate": int(described["stopDate"].timestamp() * 1000),
        "output": '{"run":1}',
        "outputDetails": {"included": True},
    }


def test_a_failed_execution_reports_the_fail_states_error_to_an_sns_topic(
    aws: Callable[[str], Any], role_arn: str, unique_name: str
) -> None:
    """The pipeline's alert: FAILED runs, as a sentence, to a topic an SQS queue subscribes to."""
    definition = {
        "StartAt": "Gate",
        "States": {"Gate": {"Type": "Fail", "Error": "Churn.QualityGate", "Cause": "AUC 0.51 is below 0.7"}},
    }
    machine = _machine(aws, unique_name, role_arn, definition)
    inbox = _status_events_queue(aws, unique_name, machine)
    sns, sqs, events = aws("sns"), aws("sqs"), aws("events")
    pattern = {
        "source": ["aws.states"],
        "detail-type": [DETAIL_TYPE],
        "detail": {"status": ["FAILED", "TIMED_OUT", "ABORTED"], "stateMachineArn": [machine]},
    }
    rule_arn = events.put_rule(Name=f"{unique_name}-alert", EventPattern=json.dumps(pattern))["RuleArn"]
    topic = sns.create_topic(Name=f"{unique_name}-alerts")["TopicArn"]
    sns.set_topic_attributes(
        TopicArn=topic, AttributeName="Policy", AttributeValue=allow_events(topic, "sns:Publish", rule_arn)
    )
    mail_url = subscribed_queue(aws, topic, f"{unique_name}-mail")
    events.put_targets(
        Rule=f"{unique_name}-alert",
        Targets=[
            {
                "Id": "alerts",
                "Arn": topic,
                "InputTransformer": {
                    "InputPathsMap": {
                        "name": "$.detail.name",
                        "error": "$.detail.error",
                        "cause": "$.detail.cause",
                    },
                    "InputTemplate": '"Run <name> failed: <error>: <cause>"',
                },
            }
        ],
    )

    aws("stepfunctions").start_execution(stateMachineArn=machine, name="nightly-7")

    running, failed = _events(aws, inbox, 2)
    assert running["detail"]["status"] == "RUNNING"
    assert failed["detail"]["status"] == "FAILED"
    assert failed["detail"]["error"] == "Churn.QualityGate"
    assert failed["detail"]["cause"] == "AUC 0.51 is below 0.7"
    assert failed["detail"]["output"] is None
    [mail_message] = receive(sqs, mail_url, 1)
    assert (
        json.loads(mail_message["Body"])["Message"]
        == '"Run nightly-7 failed: Churn.QualityGate: AUC 0.51 is below 0.7"'
    )


def test_stopping_an_execution_sends_aborted(
    aws: Callable[[str], Any], role_arn: str, unique_name: str
) -> None:
    definition = {"StartAt": "Hold", "States": {"Hold": {"Type": "Wait", "Seconds": 600, "End": True}}}
    machine = _machine(aws, unique_name, role_arn, definition)
    inbox = _status_events_queue(aws, unique_name, machine)
    sfn = aws("stepfunctions")
    arn = sfn.start_execution(stateMachineArn=machine)["executionArn"]
    [running] = _events(aws, inbox, 1)
    assert running["detail"]["status"] == "RUNNING"

    sfn.stop_execution(executionArn=arn)

    [aborted] = _events(aws, inbox, 1)
    assert aborted["detail"]["status"] == "ABORTED"
    assert aborted["detail"]["executionArn"] == arn
    assert isinstance(aborted["detail"]["stopDate"], int)


def test_an_execution_past_its_timeout_sends_timed_out(
    aws: Callable[[str], Any], role_arn: str, unique_name: str
) -> None:
    definition = {
        "TimeoutSeconds": 1,
        "StartAt": "Hold",
        "States": {"Hold": {"Type": "Wait", "Seconds": 600, "End": True}},
    }
    machine = _machine(aws, unique_name, role_arn, definition)
    inbox = _status_events_queue(aws, unique_name, machine)

    aws("stepfunctions").start_execution(stateMachineArn=machine)

    assert [event["detail"]["status"] for event in _events(aws, inbox, 2)] == ["RUNNING", "TIMED_OUT"]


def _put_events_machine(aws: Callable[[str], Any], name: str, statements: list[dict[str, Any]]) -> str:
    role = make_role(aws("iam"), name, "states.amazonaws.com", statements)
    definition = {
        "StartAt": "Announce",
        "States": {
            "Announce": {
                "Type": "Task",
                "Resource": "arn:aws:states:::events:putEvents",
                "Parameters": {
                    "Entries": [
                        {
                            "Source": f"tests.{name}",
                            "DetailType": "Run Finished",
                            "Detail": {"run.$": "$.run"},
                        }
                    ]
                },
                "End": True,
            }
        },
    }
    return _machine(aws, name, role, definition)


def test_a_state_machine_puts_events_as_its_role(aws: Callable[[str], Any], unique_name: str) -> None:
    bus = f"arn:aws:events:{config.REGION}:{config.ACCOUNT_ID}:event-bus/default"
    machine = _put_events_machine(
        aws, unique_name, [{"Effect": "Allow", "Action": "events:PutEvents", "Resource": bus}]
    )
    events, sqs = aws("events"), aws("sqs")
    rule_arn = events.put_rule(
        Name=unique_name, EventPattern=json.dumps({"source": [f"tests.{unique_name}"]})
    )["RuleArn"]
    url, queue = make_queue(sqs, unique_name, events_rule_arn=rule_arn)
    events.put_targets(Rule=unique_name, Targets=[{"Id": "q", "Arn": queue}])
    sfn = aws("stepfunctions")

    arn = sfn.start_execution(stateMachineArn=machine, input='{"run": "r-9"}')["executionArn"]

    [message] = receive(sqs, url, 1)
    event = json.loads(message["Body"])
    assert event["detail-type"] == "Run Finished"
    assert event["detail"] == {"run": "r-9"}
    assert event["resources"] == [machine, arn]  # the integration names the state machine and execution
    described = poll(
        lambda: (found := sfn.describe_execution(executionArn=arn))["status"] != "RUNNING" and found,
        "the run",
    )
    assert described["status"] == "SUCCEEDED"


def test_a_state_machine_without_events_put_events_cannot_put_events(
    aws: Callable[[str], Any], unique_name: str
) -> None:
    machine = _put_events_machine(aws, unique_name, [])
    events, sqs = aws("events"), aws("sqs")
    rule_arn = events.put_rule(
        Name=unique_name, EventPattern=json.dumps({"source": [f"tests.{unique_name}"]})
    )["RuleArn"]
    url, queue = make_queue(sqs, unique_name, events_rule_arn=rule_arn)
    events.put_targets(Rule=unique_name, Targets=[{"Id": "q", "Arn": queue}])
    sfn = aws("stepfunctions")

    arn = sfn.start_execution(stateMachineArn=machine, input='{"run": "r-9"}')["executionArn"]

    described = poll(
        lambda: (found := sfn.describe_execution(executionArn=arn))["status"] != "RUNNING" and found,
        "the run",
    )
    assert described["status"] == "FAILED"
    assert "is not authorized to perform: events:PutEvents" in described["cause"]
    drained()
    assert empty(sqs, url)


@pytest.mark.parametrize("granted", [True, False])
def test_a_state_machine_target_is_started_as_the_targets_role(
    aws: Callable[[str], Any], role_arn: str, unique_name: str, granted: bool
) -> None:
    machine = _machine(
        aws, unique_name, role_arn, {"StartAt": "Done", "States": {"Done": {"Type": "Pass", "End": True}}}
    )
    statements = (
        [{"Effect": "Allow", "Action": "states:StartExecution", "Resource": machine}] if granted else []
    )
    target_role = make_role(aws("iam"), f"{unique_name}-events", "events.amazonaws.com", statements)
    events = aws("events")
    events.put_rule(Name=unique_name, EventPattern=json.dumps({"source": [f"tests.{unique_name}"]}))
    events.put_targets(Rule=unique_name, Targets=[{"Id": "sfn", "Arn": machine, "RoleArn": target_role}])

    event_id = events.put_events(
        Entries=[{"Source": f"tests.{unique_name}", "DetailType": "Go", "Detail": '{"n": 1}'}]
    )["Entries"][0]["EventId"]

    sfn = aws("stepfunctions")
    if granted:
        [execution] = poll(lambda: sfn.list_executions(stateMachineArn=machine)["executions"], "an execution")
        assert re.fullmatch(
            r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", execution["name"]
        )
        started = json.loads(sfn.describe_execution(executionArn=execution["executionArn"])["input"])
        assert started["id"] == event_id
        assert started["detail"] == {"n": 1}
    else:
        line = log_line(unique_name, "FAILED")
        assert "NO_PERMISSIONS" in line
        assert "is not authorized to perform: states:StartExecution" in line
        drained()
        assert sfn.list_executions(stateMachineArn=machine)["executions"] == []
