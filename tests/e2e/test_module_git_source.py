"""The module as another team consumes it: from a git source, with no build step, applied offline.

The repository's files as they are now (tracked and new, not ignored) are committed to a throwaway git
repository and tagged; a configuration outside this repository uses
`git::file://<clone>//modules/mlops_pipeline?ref=<tag>`, `terraform init` fetches it with git, `apply`
deploys it to the local cloud, and one upload runs through the deployed Lambda package, Glue script and
state machine to an endpoint.
"""

from __future__ import annotations

import shutil
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from localcloud import config
from localcloud.tools.run_follower import upload_and_follow
from localcloud.tools.terraform import LocalTerraform
from sample_data import write_churn_csv
from scripts.empty_pipeline import delete_sagemaker_resources, empty_bucket

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

  name     = "{name}"
  training = {{
    hyperparameters = {{ num_round = "50", objective = "binary:logistic", eval_metric = "error" }}
  }}
  # The local endpoint is InService at once: poll every second.
  endpoint = {{ poll_interval_seconds = 1 }}
}}

output "pipeline" {{
  value = {{
    bucket_name       = module.pipeline.bucket_name
    input_s3_uri      = module.pipeline.input_s3_uri
    state_machine_arn = module.pipeline.state_machine_arn
    endpoint_name     = module.pipeline.endpoint_name
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
        workspace=f"gitsrc-{uuid.uuid4().hex[:8]}",
        root=root,
        var_files=(),
        module_overrides="",
    )
    terraform.init(fresh_state=True)
    terraform.apply()
    yield terraform, terraform.outputs()["pipeline"]


def test_module_from_a_git_source_applies_and_runs_an_upload_to_an_endpoint(
    consumer: tuple[LocalTerraform, dict[str, Any]], cloud_port: int, tmp_path: Path
) -> None:
    terraform, outputs = consumer
    modules_dir = terraform.root / ".terraform" / "modules"
    assert (modules_dir / "pipeline" / "lambdas" / "trigger.zip").is_file(), (
        "init did not fetch the repository"
    )
    data = tmp_path / "churn.csv"
    write_churn_csv(data, rows=3000, seed=7)

    result = upload_and_follow(
        config.boto3_client("s3", cloud_port),
        config.boto3_client("stepfunctions", cloud_port),
        outputs,
        "churn.csv",
        data.read_bytes(),
        timeout=300,
    )

    assert result.status == "SUCCEEDED", f"{result.error}: {result.cause}"
    assert result.output["endpoint_action"] == "created"
    endpoint = config.boto3_client("sagemaker", cloud_port).describe_endpoint(
        EndpointName=outputs["endpoint_name"]
    )
    assert endpoint["EndpointStatus"] == "InService"

    delete_sagemaker_resources(
        config.boto3_client("sagemaker", cloud_port), outputs["endpoint_name"], PIPELINE
    )
    empty_bucket(config.boto3_client("s3", cloud_port), outputs["bucket_name"])
    terraform.destroy()
    terraform.delete_workspace()
