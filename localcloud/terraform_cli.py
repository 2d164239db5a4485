"""Run the project's root Terraform configuration against the offline cloud.

The demo, the end-to-end test and the benchmark all apply the *same* root configuration
(`terraform/`) with `environments/demo.tfvars` + `environments/local.tfvars`; only the endpoint
URL differs per run. Each caller gets its own Terraform workspace, so a demo and a test run can
coexist and a fresh (empty) local cloud never meets a stale state file.

Offline provider installation is configured by the Makefile, which writes `build/terraform.rc` and
exports TF_CLI_CONFIG_FILE; outside `make` that file is still used when it exists.
"""

from __future__ import annotations

import json
import os
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parents[1]
MIRROR_CLI_CONFIG = PROJECT_ROOT / "build" / "terraform.rc"
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

    def _run(
        self, *args: str, ok_codes: tuple[int, ...] = (0,), in_workspace: bool = True
    ) -> subprocess.CompletedProcess[str]:
        env = {key: value for key, value in os.environ.items() if key != "TF_WORKSPACE"}
        env["TF_IN_AUTOMATION"] = "1"
        if not Path(env.get("TF_CLI_CONFIG_FILE", "")).is_file() and MIRROR_CLI_CONFIG.is_file():
            env["TF_CLI_CONFIG_FILE"] = str(MIRROR_CLI_CONFIG)
        # `init` and `workspace` refuse to run while TF_WORKSPACE names a workspace that does not exist.
        if in_workspace:
            env["TF_WORKSPACE"] = self.workspace
        command = ["terraform", f"-chdir={ROOT_MODULE}", *args]
        result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
        if result.returncode not in ok_codes:
            raise TerraformError(
                f"`terraform {' '.join(args[:2])}` failed (exit {result.returncode}) in workspace "
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
        self._run("init", "-input=false", "-no-color", in_workspace=False)
        listed = self._run("workspace", "list", in_workspace=False).stdout
        exists = self.workspace in {line.strip(" *") for line in listed.splitlines()}
        if exists and fresh_state:
            state_dir = ROOT_MODULE / "terraform.tfstate.d" / self.workspace
            for state_file in state_dir.glob("terraform.tfstate*"):
                state_file.unlink()
        if not exists:
            # `workspace new` also selects the new workspace; keep the user's selection as it was.
            selected = self._run("workspace", "show", in_workspace=False).stdout.strip()
            self._run("workspace", "new", self.workspace, in_workspace=False)
            self._run("workspace", "select", selected, in_workspace=False)

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

    def delete_workspace(self) -> None:
        """Forget the (destroyed) workspace, so test runs leave no state folders behind."""
        self._run("workspace", "delete", self.workspace, in_workspace=False)

    def outputs(self) -> dict[str, Any]:
        raw = json.loads(self._run("output", "-json", "-no-color").stdout)
        return {name: value["value"] for name, value in raw.items()}
