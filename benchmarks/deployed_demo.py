"""The demo pipeline deployed on a local cloud in this process, for a benchmark, and taken down after it.

    with deployed_demo("bench", variant={"scoring": {...}}) as demo:
        ... demo.outputs["bucket_name"], demo.cloud.port, demo.work_dir ...

The local cloud keeps its state in a temporary folder; whatever the benchmark did, the pipeline's SageMaker
resources and bucket are emptied, `terraform destroy` runs and the local cloud stops.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from localcloud import config
from localcloud.server import LocalCloud, start_in_thread
from localcloud.tools.terraform import DEMO_VAR_FILES, LocalTerraform
from scripts.empty_pipeline import empty_deployed_pipeline

PIPELINE = "churn-xgboost"


@dataclass(frozen=True)
class DeployedDemo:
    work_dir: Path
    cloud: LocalCloud
    terraform: LocalTerraform
    outputs: dict[str, Any]  # the demo pipeline's outputs
    apply_seconds: float


@contextlib.contextmanager
def deployed_demo(name: str, variant: dict[str, Any] | None = None) -> Iterator[DeployedDemo]:
    """Apply environments/demo.tfvars (with `variant`'s settings over the demo pipeline's) to a new local
    cloud; `name` prefixes the temporary folder and the Terraform working copy."""
    with tempfile.TemporaryDirectory(prefix=f"{name}-") as work:
        work_dir = Path(work)
        os.environ[config.STATE_DIR_ENV_VAR] = str(work_dir / "localcloud")
        config.logs_dir().mkdir(parents=True)
        logging.basicConfig(filename=config.server_log_file(), level=logging.WARNING)
        cloud = start_in_thread(port=0)
        terraform = LocalTerraform(endpoint_url=cloud.endpoint_url, name=f"{name}-{uuid.uuid4().hex[:8]}")
        try:
            terraform.init(fresh_state=True)
            if variant:
                pipelines = terraform.variable("pipelines")
                pipelines[PIPELINE].update(variant)
                variant_file = work_dir / "variant.tfvars.json"
                variant_file.write_text(json.dumps({"pipelines": pipelines}), encoding="utf-8")
                terraform.var_files = (*DEMO_VAR_FILES, variant_file)
            started = time.monotonic()
            terraform.apply()
            apply_seconds = time.monotonic() - started
            outputs = terraform.outputs()["pipelines"][PIPELINE]
            yield DeployedDemo(work_dir, cloud, terraform, outputs, apply_seconds)
        finally:
            try:
                outputs_now = terraform.outputs().get("pipelines", {}).get(PIPELINE)
                if outputs_now:
                    empty_deployed_pipeline(
                        config.boto3_client("sagemaker", cloud.port),
                        config.boto3_client("s3", cloud.port),
                        outputs_now,
                        PIPELINE,
                    )
                terraform.destroy()
                terraform.discard()
            finally:
                cloud.stop()
