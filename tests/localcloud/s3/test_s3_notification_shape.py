"""S3 notifications from the local cloud carry what AWS's carry (versionId, sequencer, raw `/`)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws

from localcloud import patching
from localcloud.s3 import notifications

BUCKET = "notification-shape"


@pytest.fixture
def s3_with_queue() -> Iterator[tuple[Any, Any, str]]:
    patching.apply(notifications.PATCHES)
    with mock_aws():
        s3 = boto3.client("s3", region_name="us-east-1")
        sqs = boto3.client("sqs", region_name="us-east-1")
        queue_url = sqs.create_queue(QueueName="events")["QueueUrl"]
        queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"][
            "QueueArn"
        ]
        s3.create_bucket(Bucket=BUCKET)
        s3.put_bucket_notification_configuration(
            Bucket=BUCKET,
            NotificationConfiguration={
                "QueueConfigurations": [{"QueueArn": queue_arn, "Events": ["s3:ObjectCreated:*"]}]
            },
        )
        yield s3, sqs, queue_url


def _records(sqs: Any, queue_url: str) -> list[dict[str, Any]]:
    messages = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10)["Messages"]
    bodies = [json.loads(message["Body"]) for message in messages]
    # The first message is S3's one-off s3:TestEvent, which has no records.
    return [record for body in bodies for record in body.get("Records", [])]


def test_versioned_upload_carries_version_and_keeps_slashes(s3_with_queue: tuple[Any, Any, str]) -> None:
    s3, sqs, queue_url = s3_with_queue
    s3.put_bucket_versioning(Bucket=BUCKET, VersioningConfiguration={"Status": "Enabled"})
    version_id = s3.put_object(Bucket=BUCKET, Key="input/my file+1.csv", Body=b"1,2\n")["VersionId"]

    (record,) = _records(sqs, queue_url)

    s3_object = record["s3"]["object"]
    assert s3_object["key"] == "input/my+file%2B1.csv"
    assert s3_object["versionId"] == version_id
    assert s3_object["sequencer"]


def test_unversioned_uploads_get_growing_sequencers_and_no_version(
    s3_with_queue: tuple[Any, Any, str],
) -> None:
    s3, sqs, queue_url = s3_with_queue
    s3.put_object(Bucket=BUCKET, Key="input/a.csv", Body=b"1\n")
    s3.put_object(Bucket=BUCKET, Key="input/a.csv", Body=b"2\n")

    first, second = _records(sqs, queue_url)

    assert "versionId" not in first["s3"]["object"]
    assert int(second["s3"]["object"]["sequencer"], 16) > int(first["s3"]["object"]["sequencer"], 16)
