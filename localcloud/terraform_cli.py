"""Run the project's root Terraform configuration against the offline cloud.

The demo, the end-to-end test and the benchmark all apply the *same* root configuration
(`terraform/`) with `environments/demo.tfvars` + `environments/local.tfvars`; only the endpoint
URL differs per run. Each caller gets its own Terraform workspace, so a demo and a test run can
coexist and a fresh (empty) local cloud never meets a stale state file.

Offline provider installation is configured by the Makefile (TF_CLI_CONFIG_FILE); run these
entry points through `make`.
"""

from __future__ import annotations

import json
import os
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parents[1]
ROOT_MODULE = PROJECT_ROOT / "terraform"
DEMO_VAR_FILES = (
    PROJECT_ROOT / "environments" / "demo.tfvars",
    PROJECT_ROOT / "environments" / "local.tfvars",
)


class TerraformError(RuntimeError):
    """A terraform command exited non-zero; the message carries its output."""


@dataclass
class LocalTerraform:
    """Terraform commands for one workspace of the root configuration, pointed at one endpoint."""

    endpoint_url: str
    workspace: str
    var_files: tuple[Path, ...] = DEMO_VAR_FILES
    extra_vars: dict[str, str] = field(default_factory=dict)

    def _run(self, *args: str, ok_codes: tuple[int, ...] = (0,)) -> subprocess.CompletedProcess[str]:
        env = os.environ | {"TF_WORKSPACE": self.workspace, "TF_IN_AUTOMATION": "1"}
        command = ["terraform", f"-chdir={ROOT_MODULE}", *args]
        result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
        if result.returncode not in ok_codes:
            raise TerraformError(
                f"`terraform {' '.join(args[:1])}` failed (exit {result.returncode}) in workspace "
                f"{self.workspace}:\n{result.stdout[-4000:]}\n{result.stderr[-4000:]}"
            )
        return result

    def _var_args(self) -> list[str]:
        args = [f"-var-file={path}" for path in self.var_files]
        variables = {"aws_endpoint_url": self.endpoint_url, **self.extra_vars}
        args += [f"-var={name}={value}" for name, value in variables.items()]
        return args

    def init(self, *, fresh_state: bool) -> None:
        """Initialise and make sure the workspace exists; `fresh_state` forgets what it had."""
        # `init` and `workspace` commands refuse to run with TF_WORKSPACE naming a missing workspace.
        env = {k: v for k, v in os.environ.items() if k != "TF_WORKSPACE"}
        subprocess.run(
            ["terraform", f"-chdir={ROOT_MODULE}", "init", "-input=false", "-no-color"],
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        listed = subprocess.run(
            ["terraform", f"-chdir={ROOT_MODULE}", "workspace", "list"],
            env=env,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        exists = self.workspace in {line.strip(" *") for line in listed.splitlines()}
        if exists and fresh_state:
            state_dir = ROOT_MODULE / "terraform.tfstate.d" / self.workspace
            for state_file in state_dir.glob("terraform.tfstate*"):
                state_file.unlink()
        if not exists:
            subprocess.run(
                ["terraform", f"-chdir={ROOT_MODULE}", "workspace", "new", self.workspace],
                env=env,
                capture_output=True,
                text=True,
                check=True,
            )

    def apply(self) -> None:
        self._run("apply", "-auto-approve", "-input=false", "-no-color", *self._var_args())

    def plan_changes(self) -> str | None:
        """None when the plan is empty, else the plan text (exit code 2 of -detailed-exitcode)."""
        result = self._run(
            "plan", "-detailed-exitcode", "-input=false", "-no-color", *self._var_args(), ok_codes=(0, 2)
        )
        return result.stdout if result.returncode == 2 else None

    def destroy(self) -> None:
        self._run("destroy", "-auto-approve", "-input=false", "-no-color", *self._var_args())

    def outputs(self) -> dict[str, Any]:
        raw = json.loads(self._run("output", "-json", "-no-color").stdout)
        return {name: value["value"] for name, value in raw.items()}
