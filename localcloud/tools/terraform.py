"""Run a Terraform configuration (by default the project's root) against the offline cloud.

The demo, the end-to-end tests and the benchmark all apply the *same* root configuration
(`terraform/`) with `environments/demo.tfvars`, exactly what a user applies on AWS. The root knows
nothing of the local cloud: for each command this module writes an override file into the
configuration's folder (`localcloud_override.tf`, as LocalStack's `tflocal` does) that points the
aws provider at the local endpoint with test credentials and makes every endpoint poll once a
second, and removes it when the command ends. Commands of different callers in one folder take
turns (a lock in its `.terraform/`), since each writes its own endpoint into that file. Each caller
gets its own Terraform workspace, so a demo and a test run can coexist and a fresh (empty) local
cloud never meets a stale state file.

Offline provider installation is configured by the Makefile, which writes `build/terraform.rc` and
exports TF_CLI_CONFIG_FILE; outside `make` that file is still used when it exists.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from localcloud import config

MIRROR_CLI_CONFIG = config.PROJECT_ROOT / "build" / "terraform.rc"
ROOT_MODULE = config.PROJECT_ROOT / "terraform"
DEMO_VAR_FILES = (config.PROJECT_ROOT / "environments" / "demo.tfvars",)
OVERRIDE_FILE_NAME = "localcloud_override.tf"
# Every service the module's resources and data sources call.
PROVIDER_SERVICES = (
    "cloudwatch",
    "cloudwatchlogs",
    "ecr",
    "events",
    "glue",
    "iam",
    "lambda",
    "s3",
    "sagemaker",
    "sfn",
    "sqs",
    "sts",
)
# The root's module block: a local endpoint is InService at once, so poll every second, not every 30.
ROOT_MODULE_OVERRIDES = """
module "pipeline" {
  endpoint = merge(try(each.value.endpoint, {}), { poll_interval_seconds = 1 })
}
"""


def provider_override(endpoint_url: str) -> str:
    """The aws provider block that sends every call to the local cloud."""
    endpoints = "\n".join(f'    {service} = "{endpoint_url}"' for service in PROVIDER_SERVICES)
    return f"""
provider "aws" {{
  # A local cloud accepts any credentials.
  access_key                  = "{config.ACCESS_KEY_ID}"
  secret_key                  = "{config.SECRET_ACCESS_KEY}"
  s3_use_path_style           = true
  skip_credentials_validation = true
  skip_metadata_api_check     = true
  # The account id still comes from sts:GetCallerIdentity (the local cloud answers it): the bucket
  # name and the IAM policies are built from it.
  skip_requesting_account_id = false
  # An API the local cloud lacks answers 500; fail fast instead of retrying for minutes.
  max_retries = 1

  endpoints {{
{endpoints}
  }}
}}
"""


class TerraformError(RuntimeError):
    """A terraform command exited non-zero; the message carries its output."""


@dataclass
class LocalTerraform:
    """Terraform commands for one workspace of the root configuration, pointed at one endpoint."""

    endpoint_url: str
    workspace: str
    root: Path = ROOT_MODULE
    var_files: tuple[Path, ...] = DEMO_VAR_FILES
    # HCL merged over the configuration's own blocks while a command runs (besides the provider).
    module_overrides: str = ROOT_MODULE_OVERRIDES
    extra_vars: dict[str, str] = field(default_factory=dict)

    @contextlib.contextmanager
    def _local_cloud_override(self) -> Iterator[None]:
        lock_file = self.root / ".terraform" / "localcloud-override.lock"
        lock_file.parent.mkdir(parents=True, exist_ok=True)
        override = self.root / OVERRIDE_FILE_NAME
        with lock_file.open("w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            header = f"# Written by {__name__} for one command against {self.endpoint_url}; not for AWS.\n"
            override.write_text(header + provider_override(self.endpoint_url) + self.module_overrides)
            try:
                yield
            finally:
                override.unlink(missing_ok=True)

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
        command = ["terraform", f"-chdir={self.root}", *args]
        with self._local_cloud_override():
            result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
        if result.returncode not in ok_codes:
            raise TerraformError(
                f"`terraform {' '.join(args[:2])}` failed (exit {result.returncode}) in workspace "
                f"{self.workspace}:\n{result.stdout[-4000:]}\n{result.stderr[-4000:]}"
            )
        return result

    def _var_args(self) -> list[str]:
        args = [f"-var-file={path}" for path in self.var_files]
        args += [f"-var={name}={value}" for name, value in self.extra_vars.items()]
        return args

    def init(self, *, fresh_state: bool) -> None:
        """Initialise and make sure the workspace exists; `fresh_state` forgets what it had."""
        self._run("init", "-input=false", "-no-color", in_workspace=False)
        listed = self._run("workspace", "list", in_workspace=False).stdout
        exists = self.workspace in {line.strip(" *") for line in listed.splitlines()}
        if exists and fresh_state:
            state_dir = self.root / "terraform.tfstate.d" / self.workspace
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
