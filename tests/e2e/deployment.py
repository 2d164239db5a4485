"""A pipeline the end-to-end tests deployed to their local cloud, and how they take it down again."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from localcloud import config
from localcloud.tools.terraform import LocalTerraform
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
