"""Two API actions the Terraform aws provider (5.100) calls: ValidateStateMachineDefinition (before
create and update) and ListStateMachineVersions (after create). Without them moto answered HTTP 500
and the provider retried for minutes.
"""

from __future__ import annotations

import json

from moto.core.responses import ActionResult
from moto.stepfunctions.parser.asl.parse.asl_parser import AmazonStateLanguageParser, ASLParserException
from moto.stepfunctions.responses import StepFunctionResponse

from localcloud import patching


def definition_errors(definition: str) -> list[tuple[str, str]]:
    """(code, message) pairs for a definition that the local interpreter could not run; [] if valid."""
    try:
        json.loads(definition)
    except json.JSONDecodeError as error:
        return [("INVALID_JSON_DESCRIPTION", f"Definition is not valid JSON: {error}")]
    try:
        AmazonStateLanguageParser.parse(definition)
    except ASLParserException as error:
        return [("SCHEMA_VALIDATION_FAILED", str(error))]
    except Exception as error:  # the parser reports semantic problems as plain exceptions
        return [("SCHEMA_VALIDATION_FAILED", f"{type(error).__name__}: {error}")]
    return []


def _validate_state_machine_definition(self: StepFunctionResponse) -> ActionResult:
    """Parse the definition with the interpreter's own ASL parser and report its errors as AWS does."""
    definition = self._get_param("definition") or ""
    diagnostics = [
        {"severity": "ERROR", "code": code, "message": message}
        for code, message in definition_errors(definition)
    ]
    return ActionResult(
        {"result": "FAIL" if diagnostics else "OK", "diagnostics": diagnostics, "truncated": False}
    )


def _list_state_machine_versions(self: StepFunctionResponse) -> ActionResult:
    # The module never publishes versions, and moto does not keep a version list to page through.
    return ActionResult({"stateMachineVersions": []})


PATCHES = (
    patching.add(
        __name__,
        StepFunctionResponse,
        "validate_state_machine_definition",
        _validate_state_machine_definition,
    ),
    patching.add(__name__, StepFunctionResponse, "list_state_machine_versions", _list_state_machine_versions),
)
