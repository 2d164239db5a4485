"""Which model version the pipeline's endpoint serves, read the way SageMaker records it: endpoint ->
endpoint config -> model -> the model package the model was created from.

During an update SageMaker keeps `EndpointConfigName` on the configuration that serves and names the new one
in `PendingDeploymentSummary`, so both the serving and the deploying version can be shown.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Any

from botocore.exceptions import ClientError

# Statuses in which the endpoint's current configuration answers requests. Creating has no fleet yet;
# Failed and OutOfService answer nothing.
SERVING_STATUSES = {
    "InService",
    "Updating",
    "SystemUpdating",
    "RollingBack",
    "UpdateRollbackFailed",
    "Deleting",
}


class Role(Enum):
    SERVING = "serving"
    DEPLOYING = "deploying"
    NOT_SERVING = "not serving"


@dataclass(frozen=True)
class Serving:
    endpoint_name: str
    status: str | None  # None: the endpoint does not exist
    current_arn: str | None = None
    pending_arn: str | None = None
    failure_reason: str | None = None
    # Why current_arn is unknown although the endpoint exists (a model not created from the registry).
    note: str | None = None


def same_package(first: str | None, second: str | None) -> bool:
    # SageMaker lowercases the group in a version's ARN, while a model may name the package as it was typed.
    return bool(first and second and first.lower() == second.lower())


def role_of(arn: str, serving: Serving) -> Role | None:
    """What the endpoint does with the version `arn`, if anything."""
    if serving.status is None:
        return None
    if same_package(arn, serving.current_arn):
        if serving.status in SERVING_STATUSES:
            return Role.SERVING
        return Role.DEPLOYING if serving.status == "Creating" else Role.NOT_SERVING
    if same_package(arn, serving.pending_arn):
        return Role.DEPLOYING
    return None


def _is_missing(error: ClientError) -> bool:
    return error.response.get("Error", {}).get("Code") == "ValidationException" and "Could not find" in str(
        error.response.get("Error", {}).get("Message", "")
    )


def _package_of_config(sagemaker: Any, config_name: str) -> tuple[str | None, str | None]:
    """(model package ARN, or None with the reason) of an endpoint configuration's first variant."""
    try:
        variants = sagemaker.describe_endpoint_config(EndpointConfigName=config_name)["ProductionVariants"]
        model_name = variants[0]["ModelName"]
        model = sagemaker.describe_model(ModelName=model_name)
    except ClientError as error:
        if not _is_missing(error):
            raise
        return None, error.response["Error"]["Message"]
    container = model.get("PrimaryContainer") or (model.get("Containers") or [{}])[0]
    package = container.get("ModelPackageName")
    if not package:
        return None, f"model {model_name} was not created from a model package"
    return package, None


def read_serving(sagemaker: Any, endpoint_name: str) -> Serving:
    try:
        endpoint = sagemaker.describe_endpoint(EndpointName=endpoint_name)
    except ClientError as error:
        if _is_missing(error):
            return Serving(endpoint_name=endpoint_name, status=None)
        raise
    current, note = _package_of_config(sagemaker, endpoint["EndpointConfigName"])
    pending_config = (endpoint.get("PendingDeploymentSummary") or {}).get("EndpointConfigName")
    pending = _package_of_config(sagemaker, pending_config)[0] if pending_config else None
    return Serving(
        endpoint_name=endpoint_name,
        status=endpoint["EndpointStatus"],
        current_arn=current,
        pending_arn=pending,
        failure_reason=endpoint.get("FailureReason") or None,
        note=note,
    )
