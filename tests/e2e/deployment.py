"""A pipeline the end-to-end tests deployed to their local cloud, and how they take it down again."""

from __future__ import annotations

import json
import subprocess
from dataclasses import dataclass
from typing import Any

from localcloud import config
from localcloud.tools.terraform import DEMO_VAR_FILES, LocalTerraform, terraform_environment
from scripts.empty_pipeline import empty_deployed_pipeline


@dataclass
class Deployment:
    terraform: LocalTerraform
    port: int
    outputs: dict[str, Any]  # the pipeline's entry of the root's `pipelines` output

    def client(self, service: str) -> Any:
        return config.boto3_client(service, self.port)


def destroy(deployment: Deployment, pipeline: str) -> None:
    """Delete what runs created outside Terraform (endpoint, configs, models, bucket objects), then
    `terraform destroy` and remove the working copy, as the README's cleanup tells a user to."""
    empty_deployed_pipeline(
        deployment.client("sagemaker"), deployment.client("s3"), deployment.outputs, pipeline
    )
    deployment.terraform.destroy()
    deployment.terraform.discard()


def demo_pipelines(terraform: LocalTerraform) -> dict[str, Any]:
    """`pipelines` of the demo var files, as Terraform reads them (an initialised working copy)."""
    result = subprocess.run(
        [
            "terraform",
            f"-chdir={terraform.working_dir}",
            "console",
            *[f"-var-file={path}" for path in DEMO_VAR_FILES],
        ],
        input="jsonencode(var.pipelines)\n",
        env=terraform_environment(),
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(json.loads(result.stdout))
