"""`apply_if_changed` applies the plan it made, and only when that plan changes something (a repeated
`make demo` against a running local cloud then costs a plan, not a plan and an apply)."""

from __future__ import annotations

from pathlib import Path

import pytest

from localcloud import config
from localcloud.tools.terraform import LocalTerraform

# Built-ins only: the override's aws provider is never configured, so no local cloud needs to run.
CONFIGURATION = """
variable "greeting" {
  type    = string
  default = "hello"
}

resource "terraform_data" "greeting" {
  input = var.greeting
}

output "greeting" {
  value = terraform_data.greeting.output
}
"""


@pytest.fixture
def terraform(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> LocalTerraform:
    monkeypatch.setenv(config.STATE_DIR_ENV_VAR, str(tmp_path / "state"))
    root = tmp_path / "repo" / "terraform"
    root.mkdir(parents=True)
    (root / "main.tf").write_text(CONFIGURATION)
    local = LocalTerraform(
        endpoint_url="http://127.0.0.1:9",
        name="apply-if-changed",
        root=root,
        var_files=(),
        module_overrides="",
    )
    local.init(fresh_state=True)
    return local


def test_applies_a_change_skips_no_change_and_leaves_no_plan_file(terraform: LocalTerraform) -> None:
    assert terraform.apply_if_changed() is True
    assert terraform.outputs() == {"greeting": "hello"}

    assert terraform.apply_if_changed() is False

    terraform.extra_vars = {"greeting": "hi"}
    assert terraform.apply_if_changed() is True
    assert terraform.outputs() == {"greeting": "hi"}
    assert not list(terraform.working_dir.glob("*.tfplan"))
