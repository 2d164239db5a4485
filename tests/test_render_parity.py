"""Terraform's templatefile()/jsonencode() and statemachine/render.py produce the same definition.

One throwaway Terraform configuration (no provider) renders every case; the same variables go through
Jinja2, and both definitions must be the same JSON. jsonencode() must also produce the same text.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from statemachine.pipeline_variables import REPO_ROOT, template_variables, template_variables_from_tfvars
from statemachine.render import COMPARISONS, TEMPLATE_PATH, jsonencode, render_definition

FIXTURE_TFVARS = Path(__file__).parent / "statemachine_fixtures" / "pipelines.tfvars"
DEMO_TFVARS = REPO_ROOT / "environments" / "demo.tfvars"
LOCAL_TFVARS = REPO_ROOT / "environments" / "local.tfvars"
TERRAFORM_RC = REPO_ROOT / "build" / "terraform.rc"

# The module's declared types, so Terraform converts the values exactly as it does for the module.
CASE_TYPE = """map(object({
    glue_job_name                  = string
    training_image                 = string
    sagemaker_role_arn             = string
    hyperparameters                = map(string)
    training_content_type          = string
    training_instance_type         = string
    training_instance_count        = number
    training_volume_size_gb        = number
    training_max_runtime_seconds   = number
    quality_gate_enabled           = bool
    quality_gate_metric_name       = string
    quality_gate_comparison        = string
    quality_gate_threshold         = number
    endpoint_name                  = string
    endpoint_instance_type         = string
    endpoint_instance_count        = number
    endpoint_poll_interval_seconds = number
    endpoint_max_polls             = number
  }))"""

JSONENCODE_VALUES: dict[str, Any] = {
    "html_characters": "a<b && c>d",
    "quotes_and_backslash": 'say "hi" \\ bye',
    "control_characters": "tab\there\nnew line\r\x01",
    "non_ascii": "é ☃ 日本",
    "line_separators": "a\u2028b\u2029c",
    "integer": 100,
    "fraction": 0.1,
    "whole_float": 5.0,
    "negative": -2.5,
    "bool": True,
    "null": None,
    "map": {"zeta": "1", "alpha": "2", "Beta": "3", "_x": "4"},
    "nested": {"list": [1, "two", False, None], "map": {"b": 0.25, "a": []}},
}


def _cases() -> dict[str, dict[str, Any]]:
    cases = {
        pipeline: template_variables_from_tfvars(FIXTURE_TFVARS, pipeline)
        for pipeline in ("churn-xgboost", "no-gate", "escapes")
    }
    # Checked on its own by test_the_demo_pipeline_is_among_the_cases, so the other cases still run.
    if DEMO_TFVARS.exists():
        cases["demo"] = template_variables_from_tfvars(DEMO_TFVARS, "churn-xgboost")
        cases["demo-offline"] = template_variables_from_tfvars([DEMO_TFVARS, LOCAL_TFVARS], "churn-xgboost")
    for comparison in COMPARISONS:
        cases[f"comparison-{comparison}"] = {
            **cases["churn-xgboost"],
            "quality_gate_comparison": comparison,
            "quality_gate_threshold": 0.75,
        }
    cases["gate-disabled"] = {**cases["churn-xgboost"], "quality_gate_enabled": False}
    cases["no-hyperparameters"] = template_variables("empty-hp", {"hyperparameters": {}})
    return cases


def _terraform(directory: Path, *arguments: str) -> str:
    environment = {**os.environ, "TF_IN_AUTOMATION": "1", "CHECKPOINT_DISABLE": "1"}
    if TERRAFORM_RC.exists():
        environment["TF_CLI_CONFIG_FILE"] = str(TERRAFORM_RC)
    completed = subprocess.run(
        ["terraform", f"-chdir={directory}", *arguments, "-no-color"],
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
    )
    if completed.returncode != 0:
        raise AssertionError(
            f"terraform {' '.join(arguments)} failed:\n{completed.stdout}\n{completed.stderr}"
        )
    return completed.stdout


@pytest.fixture(scope="module")
def cases() -> dict[str, dict[str, Any]]:
    return _cases()


@pytest.fixture(scope="module")
def terraform_outputs(
    cases: dict[str, dict[str, Any]], tmp_path_factory: pytest.TempPathFactory
) -> dict[str, Any]:
    if shutil.which("terraform") is None:
        pytest.skip("terraform is not on PATH")
    directory = tmp_path_factory.mktemp("render_parity")
    (directory / "main.tf").write_text(
        f"""
variable "cases" {{
  type = {CASE_TYPE}
}}

variable "json_values" {{
  type = any
}}

output "definitions" {{
  value = {{
    for name, variables in var.cases : name => templatefile({json.dumps(str(TEMPLATE_PATH))}, variables)
  }}
}}

output "jsonencoded" {{
  value = {{ for name, value in var.json_values : name => jsonencode(value) }}
}}
""",
        encoding="utf-8",
    )
    (directory / "terraform.tfvars.json").write_text(
        json.dumps({"cases": cases, "json_values": JSONENCODE_VALUES}), encoding="utf-8"
    )
    _terraform(directory, "init", "-input=false")
    _terraform(directory, "apply", "-auto-approve", "-input=false")
    return json.loads(_terraform(directory, "output", "-json"))


def test_every_case_renders_the_same_json_with_terraform_and_jinja2(
    cases: dict[str, dict[str, Any]], terraform_outputs: dict[str, Any]
) -> None:
    rendered_by_terraform = terraform_outputs["definitions"]["value"]
    assert set(rendered_by_terraform) == set(cases)
    for name, variables in cases.items():
        by_terraform = json.loads(rendered_by_terraform[name])
        by_jinja2 = json.loads(render_definition(variables))
        assert by_jinja2 == by_terraform, f"case {name}: Jinja2 and Terraform renderings differ"


def test_the_demo_pipeline_is_among_the_cases(cases: dict[str, dict[str, Any]]) -> None:
    assert DEMO_TFVARS.exists(), f"{DEMO_TFVARS} is missing: the demo pipeline must render the same both ways"
    assert cases["demo"]["quality_gate_metric_name"] == "validation:error"
    assert cases["demo-offline"]["endpoint_poll_interval_seconds"] == 1


def test_cases_cover_both_gate_settings_and_every_comparison(cases: dict[str, dict[str, Any]]) -> None:
    # Guards the parity test against losing its coverage when cases are edited.
    assert {variables["quality_gate_enabled"] for variables in cases.values()} == {True, False}
    assert {variables["quality_gate_comparison"] for variables in cases.values()} == set(COMPARISONS)
    assert any("<" in value for value in cases["escapes"]["hyperparameters"].values())


def test_jsonencode_writes_the_same_text_as_terraform(terraform_outputs: dict[str, Any]) -> None:
    by_terraform = terraform_outputs["jsonencoded"]["value"]
    for name, value in JSONENCODE_VALUES.items():
        assert jsonencode(value) == by_terraform[name], f"jsonencode({name}) differs from Terraform's"
