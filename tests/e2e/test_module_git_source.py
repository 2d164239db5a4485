"""The module as another team consumes it: from a git source, with no build step, applied offline.

The repository's files as they are now (tracked and new, not ignored) are committed to a throwaway git
repository and tagged; a configuration outside this repository uses
`git::file://<clone>//modules/mlops_pipeline?ref=<tag>`, `terraform init` fetches it with git, `apply`
deploys it to the local cloud, and the deployed Lambda package, Glue script and
state machine are the repository's committed files. (A run through them is the end-to-end test's; the
same files are deployed there from the work tree.)
"""

from __future__ import annotations

import base64
import hashlib
import json
import shutil
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from localcloud import config
from localcloud.tools.terraform import LocalTerraform

pytestmark = pytest.mark.e2e

PIPELINE = "gitsrc-churn"
TAG = "v0.0.0-test"


def _git(directory: Path, *arguments: str) -> str:
    completed = subprocess.run(
        ["git", "-C", str(directory), *arguments], capture_output=True, text=True, check=True
    )
    return completed.stdout


def snapshot_repository(destination: Path) -> Path:
    """This repository's current files (what a clean clone of this commit would hold) as a tagged repo."""
    files = _git(config.PROJECT_ROOT, "ls-files", "-z", "--cached", "--others", "--exclude-standard")
    for relative in filter(None, files.split("\0")):
        source = config.PROJECT_ROOT / relative
        if source.is_file():  # a file deleted in the work tree is still listed as cached
            (destination / relative).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, destination / relative)
    _git(destination, "init", "-q")
    _git(destination, "add", "-A")
    _git(destination, "-c", "user.name=test", "-c", "user.email=test@example.com", "commit", "-q", "-m", "x")
    _git(destination, "tag", TAG)
    return destination


CONSUMER_CONFIGURATION = """
terraform {{
  required_providers {{
    aws = {{
      source = "hashicorp/aws"
    }}
  }}
}}

provider "aws" {{
  region = "{region}"
}}

module "pipeline" {{
  source = "git::file://{repository}//modules/mlops_pipeline?ref={tag}"

  name = "{name}"
}}

output "pipeline" {{
  value = {{
    bucket_name           = module.pipeline.bucket_name
    state_machine_arn     = module.pipeline.state_machine_arn
    trigger_function_name = module.pipeline.trigger_function_name
  }}
}}
"""


@pytest.fixture(scope="module")
def consumer(
    cloud_port: int, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[LocalTerraform, dict]]:
    repository = snapshot_repository(tmp_path_factory.mktemp("module-repository"))
    root = tmp_path_factory.mktemp("consumer")
    (root / "main.tf").write_text(
        CONSUMER_CONFIGURATION.format(region=config.REGION, repository=repository, tag=TAG, name=PIPELINE),
        encoding="utf-8",
    )
    terraform = LocalTerraform(
        endpoint_url=config.endpoint_url(cloud_port),
        name=f"gitsrc-{uuid.uuid4().hex[:8]}",
        root=root,
        var_files=(),
        module_overrides="",
    )
    terraform.init(fresh_state=True)
    terraform.apply()
    yield terraform, terraform.outputs()["pipeline"]
    # The local cloud is this file's alone and ends with it; destroying is the end-to-end test's subject.
    terraform.discard()


def test_module_from_a_git_source_applies_with_the_committed_package(
    consumer: tuple[LocalTerraform, dict[str, Any]], cloud_port: int
) -> None:
    terraform, outputs = consumer
    fetched = terraform.working_dir / ".terraform" / "modules" / "pipeline"
    package = fetched / "lambdas" / "trigger.zip"
    assert package.is_file(), "init did not fetch the repository"

    function = config.boto3_client("lambda", cloud_port).get_function(
        FunctionName=outputs["trigger_function_name"]
    )
    state_machine = config.boto3_client("stepfunctions", cloud_port).describe_state_machine(
        stateMachineArn=outputs["state_machine_arn"]
    )
    script = (
        config.boto3_client("s3", cloud_port)
        .get_object(Bucket=outputs["bucket_name"], Key="scripts/etl_job.py")["Body"]
        .read()
    )

    # What was deployed is the repository's committed files, fetched by git: no build step ran.
    expected_hash = base64.b64encode(hashlib.sha256(package.read_bytes()).digest()).decode()
    assert function["Configuration"]["CodeSha256"] == expected_hash
    assert package.read_bytes() == (config.PROJECT_ROOT / "lambdas" / "trigger.zip").read_bytes()
    assert script == (config.PROJECT_ROOT / "glue" / "etl_job.py").read_bytes()
    assert json.loads(state_machine["definition"])["StartAt"] == "CheckRunKind"
    assert state_machine["status"] == "ACTIVE"
