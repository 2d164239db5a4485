"""Run Terraform from tests: the offline provider mirror when `make` configured one, and throwaway copies
of the module so a test can change a file without touching the work tree."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from localcloud.tools.terraform import terraform_environment

REPO_ROOT = Path(__file__).resolve().parent.parent
MODULE_DIR = REPO_ROOT / "modules" / "mlops_pipeline"
# What the module reads from outside its folder (see `locals` in modules/mlops_pipeline/main.tf).
MODULE_REPOSITORY_FILES = (
    "glue/etl_job.py",
    "lambdas/trigger.zip",
    "statemachine/pipeline.asl.json.tftpl",
    "statemachine/scoring.asl.json.tftpl",
)


class TerraformFailed(AssertionError):
    """A terraform command exited non-zero; the message holds its output."""


def terraform(directory: Path, *arguments: str, timeout: float = 300) -> str:
    if shutil.which("terraform") is None:
        pytest.skip("terraform is not on PATH")
    environment = {**terraform_environment(), "TF_IN_AUTOMATION": "1", "CHECKPOINT_DISABLE": "1"}
    completed = subprocess.run(
        ["terraform", f"-chdir={directory}", *arguments, "-no-color"],
        env=environment,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if completed.returncode != 0:
        raise TerraformFailed(
            f"terraform {' '.join(arguments)} failed:\n{completed.stdout}\n{completed.stderr}"
        )
    return completed.stdout


def module_copy(destination: Path) -> Path:
    """A copy of the module with the repository files it reads, laid out as in the repository, without its
    test files; returns the module's folder in the copy."""
    module = destination / "modules" / "mlops_pipeline"
    shutil.copytree(MODULE_DIR, module, ignore=shutil.ignore_patterns(".terraform*", "*.tftest.hcl"))
    for relative in MODULE_REPOSITORY_FILES:
        (destination / relative).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(REPO_ROOT / relative, destination / relative)
    return module
