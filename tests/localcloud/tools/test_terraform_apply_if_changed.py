"""`apply_if_changed` applies the plan it made, and only when that plan changes something (a repeated
`make demo` against a running local cloud then costs a plan, not a plan and an apply); an initialised
working copy is not initialised again until Terraform asks for it; outputs read during the plan are the
outputs after it."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from localcloud import config
from localcloud.tools.terraform import LocalTerraform, asks_for_init

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


A_MODULE = """
variable "word" {
  type = string
}

output "echo" {
  value = var.word
}
"""


@pytest.fixture
def root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv(config.STATE_DIR_ENV_VAR, str(tmp_path / "state"))
    root = tmp_path / "repo" / "terraform"
    (root / "echo").mkdir(parents=True)
    (root / "main.tf").write_text(CONFIGURATION)
    (root / "echo" / "main.tf").write_text(A_MODULE)
    return root


def _local_terraform(root: Path) -> LocalTerraform:
    return LocalTerraform(
        endpoint_url="http://127.0.0.1:9",
        name="apply-if-changed",
        root=root,
        var_files=(),
        module_overrides="",
    )


@pytest.fixture
def terraform(root: Path) -> LocalTerraform:
    local = _local_terraform(root)
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


def test_outputs_read_during_the_plan_are_the_outputs_after_it(terraform: LocalTerraform) -> None:
    applied = terraform.apply_if_changed_with_outputs()
    assert applied.changed is True
    assert applied.outputs == {"greeting": "hello"}

    unchanged = terraform.apply_if_changed_with_outputs()
    assert unchanged.changed is False
    assert unchanged.outputs == {"greeting": "hello"}

    # The state read while this plan ran still said "hello": a change is read again after its apply.
    terraform.extra_vars = {"greeting": "hi"}
    changed = terraform.apply_if_changed_with_outputs()
    assert changed == type(changed)(changed=True, outputs={"greeting": "hi"})


def test_an_initialised_copy_is_initialised_again_only_when_terraform_asks(
    root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    initialisations: list[str] = []
    real_init = LocalTerraform._init

    def counted_init(self: LocalTerraform) -> None:
        initialisations.append(self.name)
        real_init(self)

    monkeypatch.setattr(LocalTerraform, "_init", counted_init)
    first = _local_terraform(root)
    first.init(fresh_state=True)
    assert first.apply_if_changed() is True
    assert len(initialisations) == 1

    # As a repeated demo: a new process, the same working copy, nothing changed.
    again = _local_terraform(root)
    again.init(fresh_state=False)
    assert again.apply_if_changed() is False
    assert len(initialisations) == 1

    # A module added since: the plan finds it not installed, asks for `terraform init`, and gets it.
    (root / "more.tf").write_text('module "echo" {\n  source = "./echo"\n  word   = "more"\n}\n')
    (root / "more_outputs.tf").write_text('output "echo" {\n  value = module.echo.echo\n}\n')
    after_change = _local_terraform(root)
    after_change.init(fresh_state=False)
    applied = after_change.apply_if_changed_with_outputs()
    assert applied.changed is True
    assert applied.outputs == {"greeting": "hello", "echo": "more"}
    assert len(initialisations) == 2


def test_a_failure_that_is_not_about_initialisation_fails_without_a_second_init(
    terraform: LocalTerraform, root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    initialisations: list[str] = []
    monkeypatch.setattr(LocalTerraform, "_init", lambda self: initialisations.append(self.name))
    (root / "broken.tf").write_text('output "broken" {\n  value = var.missing\n}\n')
    terraform.prepare()

    with pytest.raises(Exception, match="undeclared input variable"):
        terraform.apply_if_changed()
    assert initialisations == []


@pytest.mark.parametrize(
    ("stdout", "stderr", "asks"),
    [
        ("", 'This module is not yet installed. Run "terraform init" to install all modules', True),
        ("", 'Error: Backend initialization required, please run "terraform\ninit"', True),
        ("", "configuration, run:\n  terraform init\n", True),
        ("", "Error: Reference to undeclared input variable", False),
        ("terraform initialised nothing here", "", False),
    ],
)
def test_asks_for_init_reads_terraforms_advice_however_it_is_wrapped(
    stdout: str, stderr: str, asks: bool
) -> None:
    result = subprocess.CompletedProcess(args=["terraform"], returncode=1, stdout=stdout, stderr=stderr)
    assert asks_for_init(result) is asks


def test_state_written_against_another_local_cloud_is_forgotten(root: Path) -> None:
    first = _local_terraform(root)
    first.init(fresh_state=True, cloud_instance="cloud-a")
    assert first.apply_if_changed() is True

    # The same cloud: its resources are still there, nothing to apply.
    same_cloud = _local_terraform(root)
    same_cloud.init(fresh_state=False, cloud_instance="cloud-a")
    assert same_cloud.apply_if_changed() is False

    # A restarted cloud has none of them: the state is forgotten, everything is planned (and created) again.
    restarted = _local_terraform(root)
    restarted.init(fresh_state=False, cloud_instance="cloud-b")
    assert not (restarted.working_dir / "terraform.tfstate").exists()
    assert restarted.apply_if_changed() is True
    assert restarted.apply_if_changed() is False


def test_without_a_cloud_id_the_state_is_kept_and_the_recorded_id_dropped(root: Path) -> None:
    first = _local_terraform(root)
    first.init(fresh_state=True, cloud_instance="cloud-a")
    assert first.apply_if_changed() is True

    unknown_cloud = _local_terraform(root)
    unknown_cloud.init(fresh_state=False)
    assert unknown_cloud.apply_if_changed() is False

    # What the state was written against is unknown now: a later id cannot prove it stale, so it is kept.
    later = _local_terraform(root)
    later.init(fresh_state=False, cloud_instance="cloud-b")
    assert later.apply_if_changed() is False
