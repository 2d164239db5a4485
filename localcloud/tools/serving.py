"""Which model an endpoint serves: DescribeEndpoint -> endpoint config -> model -> its container, and
through the model registry when the container names a model package (as the pipeline's models do)."""

from __future__ import annotations

from typing import Any


def served_container(sagemaker: Any, endpoint_name: str) -> dict[str, Any]:
    """The serving container (Image, ModelDataUrl) of the endpoint's first production variant."""
    endpoint = sagemaker.describe_endpoint(EndpointName=endpoint_name)
    endpoint_config = sagemaker.describe_endpoint_config(EndpointConfigName=endpoint["EndpointConfigName"])
    model = sagemaker.describe_model(ModelName=endpoint_config["ProductionVariants"][0]["ModelName"])
    container = model.get("PrimaryContainer") or model["Containers"][0]
    if container.get("ModelPackageName"):
        package = sagemaker.describe_model_package(ModelPackageName=container["ModelPackageName"])
        return {
            **package["InferenceSpecification"]["Containers"][0],
            "ModelPackageArn": package["ModelPackageArn"],
        }
    return container
