"""What a target receives: the EventBridge User Guide's input transformation examples, and AWS's recorded
answers where the guide is silent (LocalStack's AWS-validated snapshots of `test_events_inputs.py`)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from localcloud import config
from localcloud.events.input_transformer import (
    MISSING,
    InputTransformError,
    RuleContext,
    select,
    target_input,
    transform,
)

# The User Guide's example event ("Amazon EventBridge input transformation").
EC2_EVENT = {
    "version": "0",
    "id": "7bf73129-1428-4cd3-a780-95db273d1602",
    "detail-type": "EC2 Instance State-change Notification",
    "source": "aws.ec2",
    "account": "123456789012",
    "time": "2015-11-11T21:29:54Z",
    "region": "us-east-1",
    "resources": ["arn:aws:ec2:us-east-1:123456789012:instance/i-abcd1111"],
    "detail": {"instance-id": "i-0123456789", "state": "RUNNING"},
}
GUIDE_PATHS = {"timestamp": "$.time", "instance": "$.detail.instance-id", "state": "$.detail.state"}
CONTEXT = RuleContext(
    rule_arn="arn:aws:events:us-east-2:123456789012:rule/example",
    rule_name="example",
    ingestion_time="2015-11-11T21:29:55Z",
)


def _guide(template: str) -> str:
    return transform({"InputPathsMap": GUIDE_PATHS, "InputTemplate": template}, EC2_EVENT, CONTEXT)


@pytest.mark.parametrize(
    ("template", "delivered"),
    [
        # "Simple string": the quotes are part of what the target receives.
        ('"instance <instance> is in <state>"', '"instance i-0123456789 is in RUNNING"'),
        # "String with escaped quotes"
        ('"instance \\"<instance>\\" is in <state>"', '"instance \\"i-0123456789\\" is in RUNNING"'),
        # "Including reserved variables in a string"
        ('"<aws.events.rule-name> triggered"', '"example triggered"'),
    ],
)
def test_string_templates_of_the_user_guide(template: str, delivered: str) -> None:
    assert _guide(template) == delivered


@pytest.mark.parametrize(
    ("template", "delivered"),
    [
        # "Simple JSON"
        (
            '{\n  "instance" : <instance>,\n  "state": <state>\n}',
            {"instance": "i-0123456789", "state": "RUNNING"},
        ),
        # "JSON with strings and variables"
        (
            '{\n "instance" : <instance>,\n "state": "<state>",\n '
            '"instanceStatus": "instance \\"<instance>\\" is in <state>"\n}',
            {
                "instance": "i-0123456789",
                "state": "RUNNING",
                "instanceStatus": 'instance "i-0123456789" is in RUNNING',
            },
        ),
        # "JSON with a mix of variables and static information"
        (
            '{\n  "instance" : <instance>,\n  "state": [ 9, <state>, true ],\n  "Transformed" : "Yes"\n}',
            {"instance": "i-0123456789", "state": [9, "RUNNING", True], "Transformed": "Yes"},
        ),
    ],
)
def test_json_templates_of_the_user_guide_are_delivered_minified(template: str, delivered: dict) -> None:
    text = _guide(template)
    assert json.loads(text) == delivered
    assert text == json.dumps(delivered, separators=(",", ":"))


def test_reserved_variables_in_json_of_the_user_guide() -> None:
    delivered = json.loads(
        _guide(
            '{"instance" : <instance>, "state": <state>, "ruleArn" : <aws.events.rule-arn>, '
            '"ruleName" : <aws.events.rule-name>, "originalEvent" : <aws.events.event>, '
            '"json": <aws.events.event.json>, "received": "<aws.events.event.ingestion-time>"}'
        )
    )
    assert delivered["ruleArn"] == "arn:aws:events:us-east-2:123456789012:rule/example"
    assert delivered["ruleName"] == "example"
    assert delivered["received"] == "2015-11-11T21:29:55Z"
    assert delivered["json"] == EC2_EVENT
    # As AWS was recorded: the event without its detail, `detail-type` spelled `detailType`.
    assert delivered["originalEvent"] == {
        "version": "0",
        "id": EC2_EVENT["id"],
        "detailType": "EC2 Instance State-change Notification",
        "source": "aws.ec2",
        "account": "123456789012",
        "time": "2015-11-11T21:29:55Z",
        "region": "us-east-1",
        "resources": EC2_EVENT["resources"],
    }


def test_predefined_variables_cannot_be_overridden() -> None:
    transformer = {
        "InputPathsMap": {"aws.events.rule-name": "$.source"},
        "InputTemplate": '"<aws.events.rule-name>"',
    }
    assert transform(transformer, EC2_EVENT, CONTEXT) == '"example"'


# AWS's recorded answers (LocalStack's snapshots) for a detail with an object, lists and a boolean.
DETAIL = {
    "command": "update-account",
    "payload": {"acc_id": "0a787ecb-4015", "sf_id": "baz"},
    "listsingle": ["HIGH"],
    "listmulti": ["ACTIVE", "INACTIVE"],
    "valid": True,
}
RECORDED_PATHS = {
    "userId": "$.detail.payload.acc_id",
    "payload": "$.detail.payload",
    "systemstring": "$.detail.awsAccountId",  # matches nothing
    "listsingle": "$.detail.listsingle",
    "listmulti": "$.detail.listmulti",
    "valid": "$.detail.valid",
}


def _recorded(template: str) -> str:
    event = {**EC2_EVENT, "detail": DETAIL}
    return transform({"InputPathsMap": RECORDED_PATHS, "InputTemplate": template}, event, CONTEXT)


@pytest.mark.parametrize(
    ("template", "delivered"),
    [
        (
            '"<listsingle> single list item <listmulti> multiple list items <systemstring> system account id '
            '<payload> payload <userId> user id"',
            '"[HIGH] single list item [ACTIVE,INACTIVE] multiple list items  system account id '
            '{acc_id:0a787ecb-4015,sf_id:baz} payload 0a787ecb-4015 user id"',
        ),
        ('"Command is <valid>!"', '"Command is true!"'),
    ],
)
def test_objects_lists_and_booleans_inside_a_string_template(template: str, delivered: str) -> None:
    assert _recorded(template) == delivered


@pytest.mark.parametrize(
    ("template", "delivered"),
    [
        (
            '{"method": "PUT", "path": "users-service/users/<userId>", "bod": <payload>}',
            {"method": "PUT", "path": "users-service/users/0a787ecb-4015", "bod": DETAIL["payload"]},
        ),
        ('{"id" : "<userId>"}', {"id": "0a787ecb-4015"}),
        ('{"singlelistitem": <listsingle>}', {"singlelistitem": ["HIGH"]}),
        (
            '{"multi_replacement": "users/<userId>/second/<userId>"}',
            {"multi_replacement": "users/0a787ecb-4015/second/0a787ecb-4015"},
        ),
        # A path matching nothing, outside quotes: AWS delivers an empty string.
        ('{"command": <systemstring>}', {"command": ""}),
    ],
)
def test_json_templates_as_aws_answered(template: str, delivered: dict) -> None:
    assert json.loads(_recorded(template)) == delivered


@pytest.mark.parametrize(
    "template",
    ['{"payload": "<payload>"}', '{"singlelistitem": "<listsingle>"}', '{"x": "a", "b": <payload>'],
)
def test_templates_aws_does_not_deliver(template: str) -> None:
    with pytest.raises(InputTransformError):
        _recorded(template)


def test_a_variable_inside_a_json_string_is_escaped() -> None:
    event = {**EC2_EVENT, "detail": {"cause": 'Glue job failed: {"ErrorMessage": "bad\\ninput"}'}}
    transformer = {
        "InputPathsMap": {"cause": "$.detail.cause"},
        "InputTemplate": '{"message": "Failed: <cause>"}',
    }
    delivered = json.loads(transform(transformer, event, CONTEXT))
    assert delivered == {"message": 'Failed: Glue job failed: {"ErrorMessage": "bad\\ninput"}'}


def test_an_undefined_placeholder_is_refused() -> None:
    with pytest.raises(InputTransformError, match="invalid placeholder notdefinedkey"):
        _guide('"Event with not defined key <notdefinedkey>"')


def test_more_than_100_variables_are_refused() -> None:
    paths = {f"v{index}": "$.source" for index in range(101)}
    with pytest.raises(InputTransformError, match="at most 100"):
        transform({"InputPathsMap": paths, "InputTemplate": '"<v1>"'}, EC2_EVENT, CONTEXT)


def test_input_path_input_and_default() -> None:
    assert target_input({"InputPath": "$.detail"}, EC2_EVENT, CONTEXT) == json.dumps(
        EC2_EVENT["detail"], separators=(",", ":")
    )
    assert target_input({"InputPath": "$.detail.state"}, EC2_EVENT, CONTEXT) == '"RUNNING"'
    assert target_input({"Input": '{"fixed": 1}'}, EC2_EVENT, CONTEXT) == '{"fixed": 1}'
    assert json.loads(target_input({}, EC2_EVENT, CONTEXT)) == EC2_EVENT
    with pytest.raises(InputTransformError):
        target_input({"InputPath": "$.detail.nothing"}, EC2_EVENT, CONTEXT)


def test_event_bridge_json_paths() -> None:
    event = {"detail": {"a/b": 1, "items": [{"n": 1}, {"n": 2}], "1st": "x", "none": None}}
    assert select(event, "$.detail.a/b") == 1
    assert select(event, "$.detail.items[1].n") == 2
    assert select(event, "$.detail.items[*].n") == [1, 2]
    assert select(event, "$.detail.1st") == "x"
    assert select(event, "$.detail.none") is None
    assert select(event, "$.detail.missing") is MISSING


def test_the_transformer_does_not_import_moto() -> None:
    code = (
        "import sys, localcloud.events.input_transformer; "
        "print(any(m.startswith('moto') for m in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=config.PROJECT_ROOT, capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "False"
