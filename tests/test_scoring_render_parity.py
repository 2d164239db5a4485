"""The scoring template renders the same with Terraform's templatefile() and statemachine/render.py."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from statemachine.render import SCORING_TEMPLATE_PATH, render_definition, template_variables
from tests.statemachine_fixtures.scoring_values import SCORING_CASES
from tests.terraform_support import terraform


@pytest.fixture(scope="module")
def rendered_by_terraform(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    directory: Path = tmp_path_factory.mktemp("scoring_render_parity")
    template = json.dumps(str(SCORING_TEMPLATE_PATH))
    (directory / "main.tf").write_text(
        f"""
variable "cases" {{
  type = any
}}

output "definitions" {{
  value = {{
    for name, variables in var.cases : name => templatefile({template}, variables)
  }}
}}
""",
        encoding="utf-8",
    )
    (directory / "terraform.tfvars.json").write_text(json.dumps({"cases": SCORING_CASES}), encoding="utf-8")
    terraform(directory, "init", "-input=false")
    terraform(directory, "apply", "-auto-approve", "-input=false")
    return json.loads(terraform(directory, "output", "-json"))["definitions"]["value"]


def test_every_scoring_case_renders_the_same_json(rendered_by_terraform: dict[str, Any]) -> None:
    assert set(rendered_by_terraform) == set(SCORING_CASES)
    for name, variables in SCORING_CASES.items():
        by_jinja2 = json.loads(render_definition(variables, SCORING_TEMPLATE_PATH))
        assert by_jinja2 == json.loads(rendered_by_terraform[name]), f"case {name}: renderings differ"


def test_the_cases_use_every_variable_of_the_template() -> None:
    for variables in SCORING_CASES.values():
        assert set(variables) == template_variables(SCORING_TEMPLATE_PATH)
