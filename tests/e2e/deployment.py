"""A pipeline the end-to-end tests deployed to their local cloud, and how they take it down again."""

from __future__ import annotations

import io
import json
import tarfile
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import xgboost

from localcloud import config
from localcloud.tools.run_follower import RunResult, upload_and_follow
from localcloud.tools.terraform import DEMO_VAR_FILES, LocalTerraform
from sample_data import write_churn_csv
from scripts.empty_pipeline import empty_deployed_pipeline


@dataclass
class Deployment:
    terraform: LocalTerraform
    port: int
    outputs: dict[str, Any]  # the pipeline's entry of the root's `pipelines` output

    def client(self, service: str) -> Any:
        return config.boto3_client(service, self.port)


def served_predictions(deployment: Deployment, rows: np.ndarray) -> np.ndarray:
    """The endpoint's predictions for feature rows (text/csv, one prediction per row)."""
    payload = "\n".join(",".join(f"{value:g}" for value in row) for row in rows)
    response = deployment.client("sagemaker-runtime").invoke_endpoint(
        EndpointName=deployment.outputs["endpoint_name"], ContentType="text/csv", Body=payload.encode()
    )
    text = response["Body"].read().decode()
    return np.array([float(value) for value in text.replace("\n", ",").strip(",").split(",")])


def model_predictions(deployment: Deployment, model_data_uri: str, rows: np.ndarray) -> np.ndarray:
    """Predictions of a model.tar.gz, loaded here with the image's xgboost version."""
    bucket, _, key = model_data_uri.removeprefix("s3://").partition("/")
    archive = deployment.client("s3").get_object(Bucket=bucket, Key=key)["Body"].read()
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        model_bytes = tar.extractfile("xgboost-model").read()  # type: ignore[union-attr]
    booster = xgboost.Booster()
    booster.load_model(bytearray(model_bytes))
    return booster.inplace_predict(rows)


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
    return terraform.variable("pipelines")


def deploy_demo_variant(
    port: int, name: str, var_dir: Path, pipeline: str, changes: dict[str, Any]
) -> Deployment:
    """Apply demo.tfvars with `changes` to one pipeline's settings (one more var file), as a user would."""
    terraform = LocalTerraform(endpoint_url=config.endpoint_url(port), name=f"{name}-{uuid.uuid4().hex[:8]}")
    terraform.init(fresh_state=True)
    pipelines = demo_pipelines(terraform)
    pipelines[pipeline].update(changes)
    variant = var_dir / f"{name}.tfvars.json"
    variant.write_text(json.dumps({"pipelines": pipelines}), encoding="utf-8")
    terraform.var_files = (*DEMO_VAR_FILES, variant)
    terraform.apply()
    return Deployment(terraform=terraform, port=port, outputs=terraform.outputs()["pipelines"][pipeline])


def upload_generated(
    deployment: Deployment, data_dir: Path, name: str, seed: int, timeout: float, rows: int = 3000
) -> tuple[RunResult, Path]:
    """Upload `rows` generated churn rows as `<input prefix><name>` and follow the run it starts."""
    path = data_dir / name
    write_churn_csv(path, rows=rows, seed=seed)
    result = upload_and_follow(
        deployment.client("s3"),
        deployment.client("stepfunctions"),
        deployment.outputs,
        name,
        path.read_bytes(),
        timeout=timeout,
    )
    return result, path
