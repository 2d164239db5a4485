"""Reading the pipeline's versions from the registry's answers, and finding one by number."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from pipeline_cli.errors import CliError
from pipeline_cli.registry import (
    VersionSummary,
    compact_ranges,
    find_version,
    summary_from_listing,
    version_from_description,
    version_number,
)

ARN = "arn:aws:sagemaker:eu-west-1:123456789012:model-package/churn-xgboost/7"
CREATED = datetime(2026, 11, 25, 21, 17, 40, tzinfo=UTC)
VERDICT = "Passed the quality gate: validation:error = 0.0533, required LessThan 0.1"


def _description(**extra: object) -> dict[str, object]:
    return {
        "ModelPackageGroupName": "churn-xgboost",
        "ModelPackageVersion": 7,
        "ModelPackageArn": ARN,
        "ModelPackageDescription": VERDICT,
        "CreationTime": CREATED,
        "ModelApprovalStatus": "Approved",
        **extra,
    }


def test_a_version_with_the_pipelines_metadata() -> None:
    version = version_from_description(
        _description(
            CustomerMetadataProperties={
                "run_id": "churn-data-3f9a1c2b7d",
                "training_job": "churn-xgboost--churn-data-3f9a1c2b7d",
                "source_bucket": "churn-bucket",
                "gate_verdict": "Passed",
                "gate_metric_name": "validation:error",
                "gate_metric_value": "0.0533",
            },
            ApprovalDescription="looks right",
            ModelMetrics={
                "ModelQuality": {"Statistics": {"ContentType": "application/json", "S3Uri": "s3://b/e"}}
            },
        )
    )

    assert (version.number, version.arn, version.status, version.created) == (7, ARN, "Approved", CREATED)
    assert (version.run_id, version.training_job, version.source_bucket) == (
        "churn-data-3f9a1c2b7d",
        "churn-xgboost--churn-data-3f9a1c2b7d",
        "churn-bucket",
    )
    assert (version.gate_verdict, version.metric_name, version.metric_value) == (
        "Passed",
        "validation:error",
        "0.0533",
    )
    assert version.description == VERDICT
    assert version.approval_description == "looks right"
    assert version.evaluation_uri == "s3://b/e"


def test_a_version_without_metadata_or_gate() -> None:
    version = version_from_description(_description())

    assert (version.run_id, version.metric_name, version.metric_value, version.evaluation_uri) == (
        None,
        None,
        None,
        None,
    )


def test_a_listing_summary() -> None:
    summary = summary_from_listing(
        {
            "ModelPackageVersion": 3,
            "ModelPackageArn": ARN,
            "ModelApprovalStatus": "Rejected",
            "CreationTime": CREATED,
        }
    )

    assert summary == VersionSummary(number=3, arn=ARN, status="Rejected", created=CREATED)


@pytest.mark.parametrize(
    ("arn", "number"),
    [
        (ARN, 7),
        ("arn:aws-cn:sagemaker:cn-north-1:123456789012:model-package/churn/12", 12),
        ("arn:aws:sagemaker:eu-west-1:123456789012:model-package/unversioned", None),
        ("arn:aws:sagemaker:eu-west-1:123456789012:model-package-group/churn", None),
        (None, None),
    ],
)
def test_version_number_of_an_arn(arn: str | None, number: int | None) -> None:
    assert version_number(arn) == number


@pytest.mark.parametrize(
    ("numbers", "text"),
    [([1, 2, 3], "1-3"), ([7, 1, 2, 3, 5, 8, 9], "1-3, 5, 7-9"), ([4], "4"), ([2, 2, 3], "2-3"), ([], "")],
)
def test_compact_ranges(numbers: list[int], text: str) -> None:
    assert compact_ranges(numbers) == text


def _summaries(*numbers: int) -> list[VersionSummary]:
    return [VersionSummary(number, f"{ARN[:-1]}{number}", "Approved", CREATED) for number in numbers]


def test_find_version() -> None:
    assert find_version(_summaries(3, 2, 1), 2, "churn").number == 2


def test_a_missing_version_lists_the_versions_that_exist() -> None:
    with pytest.raises(CliError, match=r"^pipeline churn has no version 4; its versions are 1-3, 5, 9$"):
        find_version(_summaries(9, 5, 3, 2, 1), 4, "churn")


def test_a_group_without_versions() -> None:
    with pytest.raises(CliError, match="pipeline churn has no model versions yet"):
        find_version([], 1, "churn")
