"""The local Terraform driver runs from a working copy: the user's configuration folder is never written,
its state is never shared with a local run, and relative paths resolve as in the repository."""

from __future__ import annotations

from pathlib import Path

import pytest

from localcloud import config
from localcloud.tools.terraform import OVERRIDE_FILE_NAME, LocalTerraform


@pytest.fixture
def repository(tmp_path: Path) -> Path:
    """A repository-shaped folder: a root configuration beside a module, with a state file of AWS's."""
    repo = tmp_path / "repo"
    (repo / "modules" / "thing").mkdir(parents=True)
    (repo / "modules" / "thing" / "main.tf").write_text("# module\n")
    (repo / "terraform" / "tests").mkdir(parents=True)
    (repo / "terraform" / "main.tf").write_text('module "thing" {\n  source = "../modules/thing"\n}\n')
    (repo / "terraform" / "terraform.tfstate").write_text('{"real": "aws state"}')
    (repo / "terraform" / "terraform.tfstate.backup").write_text("{}")
    (repo / "terraform" / "terraform.tfstate.d").mkdir()
    (repo / "terraform" / "plan.tfplan").write_text("x")
    (repo / "terraform" / ".terraform").mkdir()
    return repo


def test_working_copy_links_the_configuration_but_never_its_state(
    repository: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(config.STATE_DIR_ENV_VAR, str(tmp_path / "state"))
    local = LocalTerraform(endpoint_url="http://127.0.0.1:4999", name="t", root=repository / "terraform")

    local.prepare()

    work = local.working_dir
    assert sorted(path.name for path in work.iterdir()) == sorted(["main.tf", OVERRIDE_FILE_NAME, "tests"])
    assert (work / "main.tf").resolve() == (repository / "terraform" / "main.tf").resolve()
    # `../modules/thing` from the working copy is the repository's module, lexically and on disk.
    assert (work / ".." / "modules" / "thing" / "main.tf").read_text() == "# module\n"
    override = (work / OVERRIDE_FILE_NAME).read_text()
    assert '"http://127.0.0.1:4999"' in override and 'backend "local"' in override
    assert 'module "pipeline"' in override
    assert not (repository / "terraform" / OVERRIDE_FILE_NAME).exists()


def test_a_second_prepare_follows_the_configuration_and_keeps_the_copy_state(
    repository: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(config.STATE_DIR_ENV_VAR, str(tmp_path / "state"))
    local = LocalTerraform(
        endpoint_url="http://127.0.0.1:4999", name="t", root=repository / "terraform", module_overrides=""
    )
    local.prepare()
    (local.working_dir / "terraform.tfstate").write_text('{"local": "state"}')
    (repository / "terraform" / "outputs.tf").write_text("# new file\n")
    (repository / "terraform" / "main.tf").unlink()

    local.prepare()

    names = sorted(path.name for path in local.working_dir.iterdir())
    assert names == sorted([OVERRIDE_FILE_NAME, "outputs.tf", "terraform.tfstate", "tests"])
    assert (local.working_dir / "terraform.tfstate").read_text() == '{"local": "state"}'
    assert (repository / "terraform" / "terraform.tfstate").read_text() == '{"real": "aws state"}'
    assert 'module "pipeline"' not in (local.working_dir / OVERRIDE_FILE_NAME).read_text()

    local.discard()

    assert not local.copy_dir.exists()
    assert (repository / "terraform" / "outputs.tf").exists()
