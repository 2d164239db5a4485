"""Serverless inference, offline: the demo pipeline with `endpoint.serverless` instead of instances.

The run creates an endpoint config with `ServerlessConfig` (no instance type or count), the endpoint
serves the run's own model (predictions equal the model loaded here), a second upload updates it all at
once, and destroy removes everything.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from localcloud.tools.run_follower import RunResult
from tests.e2e.deployment import (
    Deployment,
    deploy_demo_variant,
    destroy,
    model_predictions,
    served_predictions,
    upload_generated,
)

pytestmark = pytest.mark.e2e

PIPELINE = "churn-xgboost"
RUN_TIMEOUT_SECONDS = 300
SERVERLESS = {"memory_size_mb": 2048, "max_concurrency": 5}


@pytest.fixture(scope="module")
def deployment(cloud_port: int, tmp_path_factory: pytest.TempPathFactory) -> Deployment:
    return deploy_demo_variant(
        cloud_port,
        "e2e-serverless",
        tmp_path_factory.mktemp("serverless"),
        PIPELINE,
        {"endpoint": {"serverless": SERVERLESS}, "endpoint_deployment": {"strategy": "all_at_once"}},
    )


def _upload(
    deployment: Deployment, tmp_path_factory: pytest.TempPathFactory, name: str, seed: int
) -> tuple[RunResult, Path]:
    return upload_generated(
        deployment, tmp_path_factory.mktemp("serverless-data"), name, seed, RUN_TIMEOUT_SECONDS
    )


def test_a_serverless_endpoint_serves_the_runs_model(
    deployment: Deployment, tmp_path_factory: pytest.TempPathFactory
) -> None:
    result, data = _upload(deployment, tmp_path_factory, "first.csv", seed=31)
    assert result.status == "SUCCEEDED", (result.error, result.cause)
    sagemaker = deployment.client("sagemaker")
    (variant,) = sagemaker.describe_endpoint_config(EndpointConfigName=result.output["endpoint_config_name"])[
        "ProductionVariants"
    ]
    assert variant["ServerlessConfig"] == {"MemorySizeInMB": 2048, "MaxConcurrency": 5}
    assert "InstanceType" not in variant
    rows = np.loadtxt(data, delimiter=",", max_rows=50)[:, 1:]
    np.testing.assert_allclose(
        served_predictions(deployment, rows),
        model_predictions(deployment, result.output["model_artifacts"], rows),
        rtol=1e-6,
    )

    # A later upload replaces the model all at once.
    second, _ = _upload(deployment, tmp_path_factory, "second.csv", seed=32)
    assert second.status == "SUCCEEDED", (second.error, second.cause)
    assert second.output["endpoint_action"] == "updated"
    np.testing.assert_allclose(
        served_predictions(deployment, rows),
        model_predictions(deployment, second.output["model_artifacts"], rows),
        rtol=1e-6,
    )


def test_destroy_removes_everything(deployment: Deployment) -> None:
    destroy(deployment, PIPELINE)
    assert deployment.client("sagemaker").list_endpoints()["Endpoints"] == []
