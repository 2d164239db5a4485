"""SageMaker sends a "SageMaker Model Package State Change" event when a versioned model package changes.

Source `aws.sagemaker`, resources `[ModelPackageArn]`, and the package as DescribeModelPackage returns it
as the detail (`ModelPackageGroupName`, `ModelPackageVersion`, `ModelPackageArn`, `ModelPackageName`,
`CreationTime` and `LastModifiedTime` in epoch milliseconds, `InferenceSpecification`, `ModelPackageStatus`,
`ModelApprovalStatus`, `ApprovalDescription`, `CustomerMetadataProperties`, `ModelMetrics`, ... when set).
The model registry (`model_registry.py`) builds the event while it holds the SageMaker state lock, so it
shows the change it just stored, and emits it after releasing the lock: for CreateModelPackage and
UpdateModelPackage, and for DeleteModelPackage with `ModelPackageStatus` `Deleting`.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from moto.sagemaker.models import ModelPackage

from localcloud.events.service_events import ServiceEvent

SOURCE = "aws.sagemaker"
DETAIL_TYPE = "SageMaker Model Package State Change"


def _as_json(value: Any) -> Any:
    """DescribeModelPackage's values as JSON, with timestamps in epoch milliseconds as in the event."""
    if isinstance(value, datetime):
        # moto keeps naive UTC times (`utcnow()`): read them as UTC, not as the machine's local time.
        aware = value if value.tzinfo else value.replace(tzinfo=UTC)
        return int(aware.timestamp() * 1000)
    if isinstance(value, dict):
        return {key: _as_json(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_as_json(item) for item in value]
    return value


def state_change(package: ModelPackage, *, status: str | None = None) -> ServiceEvent | None:
    """The event for `package` as it is now (call holding SAGEMAKER_STATE_LOCK); None for an unversioned one.

    `status` overrides `ModelPackageStatus` (`Deleting` for a deletion).
    """
    if not package.model_package_group_name or package.model_package_version is None:
        return None
    detail = _as_json(package.gen_response_object())
    # DescribeModelPackage names a versioned package after its group; moto leaves the name out.
    detail.setdefault("ModelPackageName", package.model_package_group_name)
    if status is not None:
        detail["ModelPackageStatus"] = status
    region, account_id = package.arn.split(":")[3:5]
    return ServiceEvent(
        account_id=account_id,
        region=region,
        source=SOURCE,
        detail_type=DETAIL_TYPE,
        resources=(package.arn,),
        detail=detail,
    )
