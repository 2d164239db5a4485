"""S3 behaviour the module relies on: bucket policies over loopback, emptying versioned buckets."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError


def _policy(*statements: dict) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def _deny_all(bucket: str, condition: dict | None = None) -> dict:
    statement = {
        "Effect": "Deny",
        "Principal": "*",
        "Action": "s3:*",
        "Resource": [f"arn:aws:s3:::{bucket}", f"arn:aws:s3:::{bucket}/*"],
    }
    if condition:
        statement["Condition"] = condition
    return statement


def test_deny_insecure_transport_lets_object_requests_through(aws: Callable[[str], Any], bucket: str) -> None:
    s3 = aws("s3")
    insecure = {"Bool": {"aws:SecureTransport": "false"}}
    s3.put_bucket_policy(Bucket=bucket, Policy=_policy(_deny_all(bucket, insecure)))
    s3.put_object(Bucket=bucket, Key="input/a.csv", Body=b"1")
    assert s3.get_object(Bucket=bucket, Key="input/a.csv")["Body"].read() == b"1"


def test_unconditional_deny_still_denies(aws: Callable[[str], Any], bucket: str) -> None:
    s3 = aws("s3")
    s3.put_bucket_policy(Bucket=bucket, Policy=_policy(_deny_all(bucket)))
    with pytest.raises(ClientError) as denied:
        s3.put_object(Bucket=bucket, Key="input/a.csv", Body=b"1")
    assert denied.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403


def test_all_versions_of_a_deleted_key_can_be_deleted(aws: Callable[[str], Any], bucket: str) -> None:
    s3 = aws("s3")
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    for body in (b"1", b"2"):
        s3.put_object(Bucket=bucket, Key="runs/a.csv", Body=body)
    s3.delete_object(Bucket=bucket, Key="runs/a.csv")  # leaves a delete marker on top
    listing = s3.list_object_versions(Bucket=bucket)
    versions = [
        {"Key": item["Key"], "VersionId": item["VersionId"]}
        for item in listing.get("Versions", []) + listing.get("DeleteMarkers", [])
    ]
    assert len(versions) == 3
    result = s3.delete_objects(Bucket=bucket, Delete={"Objects": versions})
    assert result.get("Errors", []) == []
    assert "Versions" not in s3.list_object_versions(Bucket=bucket)
    s3.delete_bucket(Bucket=bucket)
