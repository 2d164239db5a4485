"""S3 lifecycle answers in the shape the aws provider (5.100.0) waits for.

After PutBucketLifecycleConfiguration the provider re-reads the configuration until the rules and the
`x-amz-transition-default-minimum-object-size` value equal what it wrote (10 equal reads in a row), so any
difference makes `terraform apply` time out instead of converging.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError

# The two rules of modules/mlops_pipeline/storage.tf, as the provider sends them.
MODULE_RULES: list[dict[str, Any]] = [
    {
        "ID": "expire-run-data",
        "Status": "Enabled",
        "Filter": {"Prefix": "runs/"},
        "Expiration": {"Days": 90},
    },
    {
        "ID": "expire-noncurrent-versions",
        "Status": "Enabled",
        "Filter": {"Prefix": ""},
        "NoncurrentVersionExpiration": {"NoncurrentDays": 90},
        "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 7},
    },
]


def test_transition_minimum_size_written_is_read_back(aws: Callable[[str], Any], bucket: str) -> None:
    s3 = aws("s3")
    written = s3.put_bucket_lifecycle_configuration(
        Bucket=bucket,
        TransitionDefaultMinimumObjectSize="varies_by_storage_class",
        LifecycleConfiguration={"Rules": MODULE_RULES},
    )
    read = s3.get_bucket_lifecycle_configuration(Bucket=bucket)

    assert written["TransitionDefaultMinimumObjectSize"] == "varies_by_storage_class"
    assert read["TransitionDefaultMinimumObjectSize"] == "varies_by_storage_class"


def test_transition_minimum_size_defaults_to_128k_and_is_echoed(
    aws: Callable[[str], Any], bucket: str
) -> None:
    s3 = aws("s3")
    written = s3.put_bucket_lifecycle_configuration(
        Bucket=bucket, LifecycleConfiguration={"Rules": MODULE_RULES}
    )
    read = s3.get_bucket_lifecycle_configuration(Bucket=bucket)

    assert written["TransitionDefaultMinimumObjectSize"] == "all_storage_classes_128K"
    assert read["TransitionDefaultMinimumObjectSize"] == "all_storage_classes_128K"


def test_rules_are_read_back_as_written(aws: Callable[[str], Any], bucket: str) -> None:
    s3 = aws("s3")
    s3.put_bucket_lifecycle_configuration(Bucket=bucket, LifecycleConfiguration={"Rules": MODULE_RULES})

    rules = s3.get_bucket_lifecycle_configuration(Bucket=bucket)["Rules"]

    assert sorted(rules, key=lambda rule: rule["ID"]) == sorted(MODULE_RULES, key=lambda rule: rule["ID"])


def test_unknown_transition_minimum_size_is_rejected_and_changes_nothing(
    aws: Callable[[str], Any], bucket: str
) -> None:
    s3 = aws("s3")
    s3.put_bucket_lifecycle_configuration(Bucket=bucket, LifecycleConfiguration={"Rules": MODULE_RULES[:1]})

    with pytest.raises(ClientError) as rejected:
        s3.put_bucket_lifecycle_configuration(
            Bucket=bucket,
            TransitionDefaultMinimumObjectSize="tiny",
            LifecycleConfiguration={"Rules": MODULE_RULES},
        )

    assert rejected.value.response["Error"]["Code"] == "InvalidArgument"
    assert [rule["ID"] for rule in s3.get_bucket_lifecycle_configuration(Bucket=bucket)["Rules"]] == [
        "expire-run-data"
    ]
