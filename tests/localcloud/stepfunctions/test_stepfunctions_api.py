"""Step Functions API actions the Terraform provider calls: validating a definition, listing versions."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

VALID = {"StartAt": "Done", "States": {"Done": {"Type": "Pass", "End": True}}}


def test_validate_accepts_a_valid_definition(aws: Callable[[str], Any]) -> None:
    result = aws("stepfunctions").validate_state_machine_definition(definition=json.dumps(VALID))
    assert result["result"] == "OK"
    assert result["diagnostics"] == []


def test_validate_reports_the_parser_error_for_an_unknown_state_type(aws: Callable[[str], Any]) -> None:
    definition = {"StartAt": "A", "States": {"A": {"Type": "Bogus", "End": True}}}
    result = aws("stepfunctions").validate_state_machine_definition(definition=json.dumps(definition))
    assert result["result"] == "FAIL"
    [diagnostic] = result["diagnostics"]
    assert diagnostic["severity"] == "ERROR"
    assert "Bogus" in diagnostic["message"]


def test_validate_reports_invalid_json(aws: Callable[[str], Any]) -> None:
    result = aws("stepfunctions").validate_state_machine_definition(definition="{not json")
    assert result["result"] == "FAIL"
    assert result["diagnostics"][0]["code"] == "INVALID_JSON_DESCRIPTION"


def test_validate_rejects_an_unknown_sagemaker_action(aws: Callable[[str], Any]) -> None:
    definition = {
        "StartAt": "A",
        "States": {"A": {"Type": "Task", "Resource": "arn:aws:states:::sagemaker:frobnicate", "End": True}},
    }
    result = aws("stepfunctions").validate_state_machine_definition(definition=json.dumps(definition))
    assert result["result"] == "FAIL"


def test_list_state_machine_versions_is_empty(
    aws: Callable[[str], Any], role_arn: str, unique_name: str
) -> None:
    sfn = aws("stepfunctions")
    arn = sfn.create_state_machine(name=unique_name, definition=json.dumps(VALID), roleArn=role_arn)[
        "stateMachineArn"
    ]
    assert sfn.list_state_machine_versions(stateMachineArn=arn)["stateMachineVersions"] == []
