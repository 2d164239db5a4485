"""Terraform's templatefile()/jsonencode() and statemachine/render.py produce the same definition.

One throwaway Terraform configuration (no provider) renders every case; the same variables go through
Jinja2, and both definitions must be the same JSON. jsonencode() must also produce the same text.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from statemachine.render import TEMPLATE_PATH, jsonencode, render_definition, template_variables
from tests.statemachine_fixtures.template_values import PIPELINES, TUNING, template_values
from tests.terraform_support import TerraformFailed, module_copy, terraform

COMPARISONS = ("LessThan", "LessThanEquals", "GreaterThan", "GreaterThanEquals")

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
    cases = {pipeline: template_values(pipeline) for pipeline in PIPELINES}
    for comparison in COMPARISONS:
        cases[f"comparison-{comparison}"] = template_values(
            quality_gate={"comparison": comparison, "threshold": 0.75}
        )
    cases["gate-disabled"] = template_values(quality_gate={"enabled": False})
    cases["no-hyperparameters"] = template_values(training={"hyperparameters": {}})
    # Each hardening setting alone (the "hardened" pipeline sets them all together).
    cases["kms-key-only"] = template_values(
        sagemaker_kms_key_arn="arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    )
    cases["vpc-only"] = template_values(
        training={
            "vpc": {
                "subnet_ids": ["subnet-0123456789abcdef0"],
                "security_group_ids": ["sg-0123456789abcdef0"],
            }
        }
    )
    cases["network-isolation-only"] = template_values(training={"enable_network_isolation": True})
    cases["serverless"] = template_values(
        endpoint={
            "serverless": {"memory_size_mb": 2048, "max_concurrency": 5, "provisioned_concurrency": None}
        }
    )
    cases["serverless-provisioned"] = template_values(
        endpoint={"serverless": {"memory_size_mb": 1024, "max_concurrency": 5, "provisioned_concurrency": 2}}
    )
    cases["manual-approval-with-gate"] = template_values(
        approval={"manual": True, "status_when_passed": "PendingManualApproval"}
    )
    cases["tuning"] = template_values(tuning=TUNING)
    cases["tuning-hardened"] = template_values("hardened", tuning=TUNING)
    cases["tuning-grid-escapes"] = template_values(
        "escapes",
        tuning={
            **TUNING,
            "strategy": "Grid",
            "max_jobs": None,
            "objective_type": "Maximize",
            "parameter_ranges": {
                "ContinuousParameterRanges": [],
                "IntegerParameterRanges": [],
                "CategoricalParameterRanges": [{"Name": "note", "Values": ['a<b "q"', "\\ é"]}],
            },
            "static_hyperparameters": {"num_round": "7"},
        },
    )
    return cases


@pytest.fixture(scope="module")
def cases() -> dict[str, dict[str, Any]]:
    return _cases()


@pytest.fixture(scope="module")
def terraform_outputs(
    cases: dict[str, dict[str, Any]], tmp_path_factory: pytest.TempPathFactory
) -> dict[str, Any]:
    directory = tmp_path_factory.mktemp("render_parity")
    (directory / "main.tf").write_text(
        f"""
variable "cases" {{
  type = any
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
    terraform(directory, "init", "-input=false")
    terraform(directory, "apply", "-auto-approve", "-input=false")
    return json.loads(terraform(directory, "output", "-json"))


def test_every_case_renders_the_same_json_with_terraform_and_jinja2(
    cases: dict[str, dict[str, Any]], terraform_outputs: dict[str, Any]
) -> None:
    rendered_by_terraform = terraform_outputs["definitions"]["value"]
    assert set(rendered_by_terraform) == set(cases)
    for name, variables in cases.items():
        by_terraform = json.loads(rendered_by_terraform[name])
        by_jinja2 = json.loads(render_definition(variables))
        assert by_jinja2 == by_terraform, f"case {name}: Jinja2 and Terraform renderings differ"


def test_cases_cover_both_gate_settings_and_every_comparison(cases: dict[str, dict[str, Any]]) -> None:
    # Guards the parity test against losing its coverage when cases are edited.
    assert {variables["quality_gate"]["enabled"] for variables in cases.values()} == {True, False}
    assert {variables["quality_gate"]["comparison"] for variables in cases.values()} == set(COMPARISONS)
    assert any("<" in value for value in cases["escapes"]["training"]["hyperparameters"].values())
    assert {variables["sagemaker_kms_key_arn"] is None for variables in cases.values()} == {True, False}
    assert {variables["training"]["vpc"] is None for variables in cases.values()} == {True, False}


def test_jsonencode_writes_the_same_text_asterraform(terraform_outputs: dict[str, Any]) -> None:
    by_terraform = terraform_outputs["jsonencoded"]["value"]
    for name, value in JSONENCODE_VALUES.items():
        assert jsonencode(value) == by_terraform[name], f"jsonencode({name}) differs from Terraform's"


def test_the_module_fails_when_the_template_needs_a_variable_it_does_not_pass(tmp_path: Path) -> None:
    # The module gives templatefile() its variables; Terraform refuses a template that uses one more, so the
    # module's own tests (and any plan) fail instead of deploying a half-rendered definition. Proven on a
    # copy of the module with one variable added to its template.
    module = module_copy(tmp_path)
    template = tmp_path / "statemachine" / TEMPLATE_PATH.name
    text = template.read_text(encoding="utf-8")
    template.write_text(text.replace('"StartAt"', '"Version": "${new_setting}",\n  "StartAt"', 1), "utf-8")
    assert "new_setting" not in template_variables()
    (module / "tests" / "render.tftest.hcl").write_text(
        'mock_provider "aws" {\n  source = "./tests/mocks"\n}\n\n'
        'variables {\n  name = "churn-xgboost"\n}\n\n'
        'run "renders" {\n  command = plan\n}\n',
        encoding="utf-8",
    )
    terraform(module, "init", "-backend=false", "-input=false")

    with pytest.raises(TerraformFailed) as failure:
        terraform(module, "test")

    # Terraform wraps its messages at 80 columns.
    assert 'vars map does not contain key "new_setting"' in " ".join(str(failure.value).split())
