"""A pipeline's model versions in the SageMaker Model Registry: list, describe, find by number, approve or
reject.

The pipeline writes each version's provenance into `CustomerMetadataProperties` (run id, training job, source
bucket, the gate's verdict, metric name and value); the parsing here is pure so it is tested without AWS.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pipeline_cli.errors import CliError

APPROVED = "Approved"
REJECTED = "Rejected"
PENDING = "PendingManualApproval"
_VERSION_ARN = re.compile(r":model-package/(?P<group>[^/]+)/(?P<version>\d+)$")


@dataclass(frozen=True)
class VersionSummary:
    number: int
    arn: str
    status: str
    created: datetime


@dataclass(frozen=True)
class ModelVersion:
    number: int
    arn: str
    status: str
    created: datetime
    description: str | None
    approval_description: str | None
    run_id: str | None
    training_job: str | None
    source_bucket: str | None
    gate_verdict: str | None
    metric_name: str | None
    metric_value: str | None
    evaluation_uri: str | None


def version_number(arn: str | None) -> int | None:
    """The version number in a versioned model package's ARN."""
    match = _VERSION_ARN.search(arn or "")
    return int(match["version"]) if match else None


def summary_from_listing(summary: Mapping[str, Any]) -> VersionSummary:
    return VersionSummary(
        number=int(summary["ModelPackageVersion"]),
        arn=summary["ModelPackageArn"],
        status=summary.get("ModelApprovalStatus", "?"),
        created=summary["CreationTime"],
    )


def version_from_description(description: Mapping[str, Any]) -> ModelVersion:
    metadata = description.get("CustomerMetadataProperties") or {}
    statistics = (description.get("ModelMetrics") or {}).get("ModelQuality", {}).get("Statistics") or {}
    return ModelVersion(
        number=int(description["ModelPackageVersion"]),
        arn=description["ModelPackageArn"],
        status=description.get("ModelApprovalStatus", "?"),
        created=description["CreationTime"],
        description=description.get("ModelPackageDescription"),
        approval_description=description.get("ApprovalDescription"),
        run_id=metadata.get("run_id"),
        training_job=metadata.get("training_job"),
        source_bucket=metadata.get("source_bucket"),
        gate_verdict=metadata.get("gate_verdict"),
        metric_name=metadata.get("gate_metric_name"),
        metric_value=metadata.get("gate_metric_value"),
        evaluation_uri=statistics.get("S3Uri"),
    )


def compact_ranges(numbers: Iterable[int]) -> str:
    """`1-3, 5, 7-9` for 1, 2, 3, 5, 7, 8, 9: a long-lived group has hundreds of versions."""
    ordered = sorted(set(numbers))
    ranges: list[tuple[int, int]] = []
    for number in ordered:
        if ranges and number == ranges[-1][1] + 1:
            ranges[-1] = (ranges[-1][0], number)
        else:
            ranges.append((number, number))
    return ", ".join(str(first) if first == last else f"{first}-{last}" for first, last in ranges)


def find_version(summaries: Sequence[VersionSummary], number: int, pipeline_name: str) -> VersionSummary:
    for summary in summaries:
        if summary.number == number:
            return summary
    if not summaries:
        raise CliError(f"pipeline {pipeline_name} has no model versions yet: no run has trained a model")
    raise CliError(
        f"pipeline {pipeline_name} has no version {number}; its versions are "
        f"{compact_ranges(summary.number for summary in summaries)}"
    )


def list_versions(sagemaker: Any, group: str, limit: int | None = None) -> list[VersionSummary]:
    """The group's versions, newest first; the newest `limit` only when given."""
    pagination = {"MaxItems": limit, "PageSize": min(limit, 100)} if limit else {}
    pages = sagemaker.get_paginator("list_model_packages").paginate(
        ModelPackageGroupName=group,
        SortBy="CreationTime",
        SortOrder="Descending",
        PaginationConfig=pagination,
    )
    summaries = [summary_from_listing(s) for page in pages for s in page["ModelPackageSummaryList"]]
    # Versions are numbered in creation order; the number also orders versions created in the same instant.
    return sorted(summaries, key=lambda summary: summary.number, reverse=True)


def describe_version(sagemaker: Any, arn: str) -> ModelVersion:
    return version_from_description(sagemaker.describe_model_package(ModelPackageName=arn))


def set_approval(sagemaker: Any, arn: str, status: str, reason: str) -> None:
    sagemaker.update_model_package(
        ModelPackageArn=arn, ModelApprovalStatus=status, ApprovalDescription=reason
    )
