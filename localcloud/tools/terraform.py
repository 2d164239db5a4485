"""Run a Terraform configuration (by default the project's root) against the offline cloud.

The demo, the end-to-end tests and the benchmark all apply the *same* root configuration
(`terraform/`) with `environments/demo.tfvars`, exactly what a user applies on AWS. The root knows
nothing of the local cloud. Each caller gets a working copy under the local cloud's state folder
(`.localcloud/terraform/<name>/`): symbolic links to the configuration's own files and to everything
beside it (so `../modules/...` and the module's `../../glue/...` resolve as in the repository), plus
one override file (`localcloud_override.tf`, as LocalStack's `tflocal` writes) that points the aws
provider at the local endpoint with test credentials and makes every endpoint poll once a second.
Terraform runs there, with its own `.terraform/` and state. So the user's folder never holds an
override that could send a real `terraform apply` to the local cloud, and a demo, a test run and
`terraform test` in `terraform/` can run at the same time.

Offline provider installation is configured by the Makefile, which writes `build/terraform.rc` and
exports TF_CLI_CONFIG_FILE; outside `make` that file is still used when it exists.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from localcloud import config

MIRROR_CLI_CONFIG = config.PROJECT_ROOT / "build" / "terraform.rc"
ROOT_MODULE = config.PROJECT_ROOT / "terraform"
DEMO_VAR_FILES = (config.PROJECT_ROOT / "environments" / "demo.tfvars",)
OVERRIDE_FILE_NAME = "localcloud_override.tf"
LOCK_FILE_NAME = ".terraform.lock.hcl"
# In a working copy: the id of the local cloud its state describes (see LocalTerraform.init).
CLOUD_INSTANCE_FILE_NAME = ".localcloud-instance"
# Terraform's advice when a working directory's initialisation is missing or out of date.
INIT_ADVICE = re.compile(r"\bterraform\s+init\b")
# A configuration's state is never linked into a working copy: a local apply would write the real one.
STATE_NAMES = {"terraform.tfstate", "terraform.tfstate.backup", "terraform.tfstate.d"}
STATE_SUFFIXES = (".tfstate", ".tfplan")
# Every service the module's resources and data sources call.
PROVIDER_SERVICES = (
    "cloudwatch",
    "cloudwatchlogs",
    "dynamodb",
    "ecr",
    "events",
    "glue",
    "iam",
    "kms",
    "lambda",
    "s3",
    "sagemaker",
    "scheduler",
    "sfn",
    "sns",
    "sqs",
    "sts",
)
# The root's module block: a local endpoint is InService at once, so poll every second, not every 30.
# The rollout (strategy, steps, bakes, alarms) stays the configuration's own: the local cloud runs it
# on its rollout clock (localcloud/rollout_clock.py), where a 300 s bake lasts 5 s.
ROOT_MODULE_OVERRIDES = """
module "pipeline" {
  endpoint = merge(try(each.value.endpoint, {}), { poll_interval_seconds = 1 })
}
"""


def provider_override(endpoint_url: str) -> str:
    """The aws provider block that sends every call to the local cloud."""
    width = max(len(service) for service in PROVIDER_SERVICES)
    endpoints = "\n".join(f'    {service:<{width}} = "{endpoint_url}"' for service in PROVIDER_SERVICES)
    return f"""
# State stays in the working copy whatever backend the configuration declares (an S3 backend would
# otherwise hold local-cloud state next to the real one).
terraform {{
  backend "local" {{}}
}}

provider "aws" {{
  # The local cloud serves one region; the tools' SDK clients look for the resources there.
  region = "{config.REGION}"
  # A local cloud accepts any credentials.
  access_key                  = "{config.ACCESS_KEY_ID}"
  secret_key                  = "{config.SECRET_ACCESS_KEY}"
  s3_use_path_style           = true
  skip_credentials_validation = true
  skip_metadata_api_check     = true
  # The account id still comes from sts:GetCallerIdentity (the local cloud answers it): the bucket
  # name and the IAM policies are built from it.
  skip_requesting_account_id = false
  # An API the local cloud lacks answers 500: a few attempts fail it in seconds, where the default (25)
  # retries for minutes. More than one, so a connection lost mid-answer on a busy machine is retried, as
  # the SDK retries it on AWS (a burst test's destroy once failed on one DescribeRule).
  max_retries = 3

  endpoints {{
{endpoints}
  }}
}}
"""


class TerraformError(RuntimeError):
    """A terraform command exited non-zero; the message carries its output."""


def terraform_environment() -> dict[str, str]:
    """This process's environment, with the offline provider mirror's CLI configuration unless the
    environment names one that exists; and no TF_WORKSPACE, which would select a workspace of the user's."""
    environment = {key: value for key, value in os.environ.items() if key != "TF_WORKSPACE"}
    if not Path(environment.get("TF_CLI_CONFIG_FILE", "")).is_file() and MIRROR_CLI_CONFIG.is_file():
        environment["TF_CLI_CONFIG_FILE"] = str(MIRROR_CLI_CONFIG)
    return environment


def _link_entries(source_dir: Path, link_dir: Path, *, skip: set[str]) -> None:
    """Make `link_dir` hold one symbolic link per entry of `source_dir` (hidden entries, state files and
    `skip` aside), replacing the links of an earlier call so removed or added entries are followed."""
    link_dir.mkdir(parents=True, exist_ok=True)
    for existing in link_dir.iterdir():
        if existing.is_symlink():
            existing.unlink()
    for entry in source_dir.iterdir():
        name = entry.name
        if name.startswith(".") or name in skip or name in STATE_NAMES or name.endswith(STATE_SUFFIXES):
            continue
        (link_dir / name).symlink_to(entry.resolve())


@dataclass
class LocalTerraform:
    """Terraform commands for one working copy of a configuration, pointed at one endpoint."""

    endpoint_url: str
    name: str
    root: Path = ROOT_MODULE
    var_files: tuple[Path, ...] = DEMO_VAR_FILES
    # HCL merged over the configuration's own blocks (besides the provider).
    module_overrides: str = ROOT_MODULE_OVERRIDES
    extra_vars: dict[str, str] = field(default_factory=dict)

    @property
    def copy_dir(self) -> Path:
        return config.state_dir() / "terraform" / self.name

    @property
    def working_dir(self) -> Path:
        """Where Terraform runs: the configuration's place in the working copy."""
        return self.copy_dir / self.root.name

    def prepare(self) -> None:
        """Build or refresh the working copy: links to the configuration, and the override file."""
        root = self.root.resolve()
        _link_entries(root.parent, self.copy_dir, skip={root.name})
        # The working copy's own state and override stay; everything else follows the configuration.
        _link_entries(root, self.working_dir, skip={OVERRIDE_FILE_NAME})
        header = f"# Written by {__name__} for the local cloud at {self.endpoint_url}; not for AWS.\n"
        override = header + provider_override(self.endpoint_url) + self.module_overrides
        (self.working_dir / OVERRIDE_FILE_NAME).write_text(override, encoding="utf-8")

    def _command(self, *args: str) -> tuple[list[str], dict[str, str]]:
        return ["terraform", f"-chdir={self.working_dir}", *args], {
            **terraform_environment(),
            "TF_IN_AUTOMATION": "1",
        }

    def _run(
        self, *args: str, ok_codes: tuple[int, ...] = (0,), stdin: str | None = None
    ) -> subprocess.CompletedProcess[str]:
        """Run a terraform command in the working copy; when it fails because the working copy's
        initialisation is out of date (a module, a provider or the backend changed since the last init:
        Terraform's error then says to run `terraform init`), initialise and run it once more."""
        command, env = self._command(*args)

        def run() -> subprocess.CompletedProcess[str]:
            return subprocess.run(command, env=env, input=stdin, capture_output=True, text=True, check=False)

        result = run()
        if result.returncode not in ok_codes and args[0] != "init" and asks_for_init(result):
            self._init()
            result = run()
        if result.returncode not in ok_codes:
            raise TerraformError(
                f"`terraform {' '.join(args[:2])}` failed (exit {result.returncode}) in {self.working_dir}:\n"
                f"{result.stdout[-4000:]}\n{result.stderr[-4000:]}"
            )
        return result

    def _init(self) -> None:
        self._run("init", "-input=false", "-no-color")

    def is_initialised(self) -> bool:
        """Whether `terraform init` ran in the working copy (its lock file and .terraform/ exist); whether
        that initialisation is still current only Terraform can tell, when a command runs."""
        return (self.working_dir / ".terraform").is_dir() and (self.working_dir / LOCK_FILE_NAME).is_file()

    def _var_args(self) -> list[str]:
        args = [f"-var-file={path}" for path in self.var_files]
        args += [f"-var={name}={value}" for name, value in self.extra_vars.items()]
        return args

    def init(self, *, fresh_state: bool, cloud_instance: str | None = None) -> None:
        """Build the working copy and initialise it unless it already was; `fresh_state` forgets what an
        earlier apply recorded.

        `cloud_instance` is the id of the local cloud this copy is applied to. State written against another
        one is forgotten too: a local cloud keeps its resources in memory, so they went with it, and
        refreshing the state would look for each (about 20 s of the aws provider's retries) only to plan
        them all again. Without an id (or a copy that recorded none) the state is kept and refreshed.

        A repeated demo skips `terraform init` (1 s of its 30). Nothing is trusted that Terraform would
        not: a later command that finds the initialisation out of date fails asking for `terraform init`,
        and `_run` initialises and runs it again."""
        self.prepare()
        recorded = self.working_dir / CLOUD_INSTANCE_FILE_NAME
        if cloud_instance is not None and recorded.is_file():
            fresh_state = fresh_state or recorded.read_text(encoding="utf-8").strip() != cloud_instance
        if fresh_state:
            for state_file in self.working_dir.glob("terraform.tfstate*"):
                state_file.unlink()
        if cloud_instance is None:
            recorded.unlink(missing_ok=True)
        else:
            recorded.write_text(f"{cloud_instance}\n", encoding="utf-8")
        if not self.is_initialised():
            self._init()

    def apply(self) -> None:
        self._run("apply", "-auto-approve", "-input=false", "-no-color", *self._var_args())

    def apply_if_changed(self) -> bool:
        """Plan, and apply that very plan only when it changes something; whether it did.

        An unchanged configuration then costs a plan: `apply` plans too, then starts the aws provider once
        more to apply nothing (about 3 s of a repeated demo's 10)."""
        return self._apply_if_changed(read_outputs=False).changed

    def apply_if_changed_with_outputs(self) -> AppliedConfiguration:
        """`apply_if_changed`, and the root outputs after it. The state's outputs are read while the plan
        runs (a plan never writes state): when the plan is empty they are the outputs, so a repeated
        demo does not wait for `terraform output` (0.5 s) after its plan."""
        return self._apply_if_changed(read_outputs=True)

    def _apply_if_changed(self, *, read_outputs: bool) -> AppliedConfiguration:
        plan_file = self.working_dir / "localcloud.tfplan"
        reading: subprocess.Popen[str] | None = None
        if read_outputs:
            command, env = self._command("output", "-json", "-no-color")
            reading = subprocess.Popen(
                command, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True
            )
        try:
            planned = self._run(
                "plan",
                "-detailed-exitcode",
                "-input=false",
                "-no-color",
                f"-out={plan_file.name}",
                *self._var_args(),
                ok_codes=(0, 2),
            )
            changed = planned.returncode == 2
            if changed:
                self._run("apply", "-input=false", "-no-color", plan_file.name)
        finally:
            plan_file.unlink(missing_ok=True)
            read_during_plan = reading.communicate()[0] if reading is not None else ""
        if reading is None:
            return AppliedConfiguration(changed=changed, outputs={})
        if changed or reading.returncode != 0:
            return AppliedConfiguration(changed=changed, outputs=self.outputs())
        return AppliedConfiguration(changed=changed, outputs=_output_values(read_during_plan))

    def plan_changes(self) -> str | None:
        """None when the plan is empty, else the plan text (exit code 2 of -detailed-exitcode)."""
        result = self._run(
            "plan", "-detailed-exitcode", "-input=false", "-no-color", *self._var_args(), ok_codes=(0, 2)
        )
        return result.stdout if result.returncode == 2 else None

    def destroy(self) -> None:
        self._run("destroy", "-auto-approve", "-input=false", "-no-color", *self._var_args())

    def discard(self) -> None:
        """Remove the working copy and its (destroyed) state, so test runs leave nothing behind."""
        shutil.rmtree(self.copy_dir, ignore_errors=True)

    def outputs(self) -> dict[str, Any]:
        return _output_values(self._run("output", "-json", "-no-color").stdout)

    def variable(self, name: str) -> Any:
        """A root variable's value as Terraform reads it from the var files (an initialised working copy),
        e.g. `pipelines`, to derive a variant of the configuration as one more var file."""
        result = self._run("console", *self._var_args(), stdin=f"jsonencode(var.{name})\n")
        return json.loads(json.loads(result.stdout))


@dataclass(frozen=True)
class AppliedConfiguration:
    """What `apply_if_changed_with_outputs` did: whether it applied a change, and the root outputs."""

    changed: bool
    outputs: dict[str, Any]


def asks_for_init(result: subprocess.CompletedProcess[str]) -> bool:
    """Whether a failed command's output tells to run `terraform init` (a module not installed, plugins
    not matching the lock file, a backend to initialise), however Terraform wrapped its lines."""
    return INIT_ADVICE.search(f"{result.stdout}\n{result.stderr}") is not None


def _output_values(output_json: str) -> dict[str, Any]:
    return {name: value["value"] for name, value in json.loads(output_json).items()}


def main(argv: list[str] | None = None) -> int:
    """`tflocal` for this project: any terraform command, run in a working copy against the local cloud."""
    parser = argparse.ArgumentParser(
        prog="python -m localcloud.tools.terraform",
        description="Run terraform against the local cloud from a working copy of a configuration "
        "(symbolic links to its files plus the local-cloud override file). Paths such as "
        "-var-file=../environments/demo.tfvars resolve as in the configuration's own folder.",
    )
    parser.add_argument("--name", default="manual", help="working copy under .localcloud/terraform/ (manual)")
    parser.add_argument("--root", type=Path, default=ROOT_MODULE, help="configuration folder (terraform/)")
    parser.add_argument("--endpoint-url", default=None, help="local cloud URL (default: the running one)")
    parser.add_argument("terraform_arguments", nargs=argparse.REMAINDER, help="-- then terraform's arguments")
    arguments = parser.parse_args(argv)
    command = [argument for argument in arguments.terraform_arguments if argument != "--"]
    if not command:
        parser.error("give a terraform command after --, e.g. -- plan -var-file=../environments/demo.tfvars")
    local = LocalTerraform(
        endpoint_url=arguments.endpoint_url or config.endpoint_url(),
        name=arguments.name,
        root=arguments.root,
        module_overrides=ROOT_MODULE_OVERRIDES if arguments.root.resolve() == ROOT_MODULE else "",
    )
    local.prepare()
    print(f"terraform -chdir={local.working_dir} {' '.join(command)}", file=sys.stderr, flush=True)
    completed = subprocess.run(
        ["terraform", f"-chdir={local.working_dir}", *command], env=terraform_environment()
    )
    return completed.returncode


if __name__ == "__main__":
    sys.exit(main())
