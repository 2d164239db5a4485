"""S3 event notifications built the way S3 sends them (event structure 2.1).

Keys are form-encoded as in real notifications (`+` for a space, `%XX` for other bytes); the
`safe` argument reproduces both real S3 (slashes kept) and moto (slashes encoded as %2F).
"""

from __future__ import annotations

import itertools
from typing import Any
from urllib.parse import quote_plus

_sequencers = itertools.count(0x0055AED6DCD90281E5)


def next_sequencer() -> str:
    """Increasing hex strings shaped like S3's sequencer values."""
    return f"{next(_sequencers):018X}"


def s3_record(
    bucket: str,
    key: str,
    *,
    size: int,
    etag: str,
    version_id: str | None = None,
    sequencer: str | None = None,
    event_name: str = "ObjectCreated:Put",
    event_time: str = "2026-11-25T21:15:02.123Z",
    region: str = "us-east-1",
    safe: str = "/",
) -> dict[str, Any]:
    obj: dict[str, Any] = {"key": quote_plus(key, safe=safe), "size": size, "eTag": etag}
    if version_id is not None:
        obj["versionId"] = version_id
    obj["sequencer"] = sequencer if sequencer is not None else next_sequencer()
    if event_name.startswith("ObjectRemoved:"):
        # Removal records carry no size or ETag.
        obj.pop("size")
        obj.pop("eTag")
    return {
        "eventVersion": "2.1",
        "eventSource": "aws:s3",
        "awsRegion": region,
        "eventTime": event_time,
        "eventName": event_name,
        "userIdentity": {"principalId": "AWS:AIDAEXAMPLEUPLOADER"},
        "requestParameters": {"sourceIPAddress": "192.0.2.10"},
        "responseElements": {
            "x-amz-request-id": "C3D13FE58DE4C810",
            "x-amz-id-2": "FMyUVURIY8/IgAtTv8xRjskZQpcIZ9KG4V5Wp6S7S/JRWeUWerMUE5JgHvANOjpD",
        },
        "s3": {
            "s3SchemaVersion": "1.0",
            "configurationId": "pipeline-input-upload",
            "bucket": {
                "name": bucket,
                "ownerIdentity": {"principalId": "A3NL1KOZZKExample"},
                "arn": f"arn:aws:s3:::{bucket}",
            },
            "object": obj,
        },
    }


def record_for_upload(s3: Any, bucket: str, key: str, **overrides: Any) -> dict[str, Any]:
    """The ObjectCreated record S3 would send for the current version of `key` in moto."""
    head = s3.head_object(Bucket=bucket, Key=key)
    fields: dict[str, Any] = {
        "size": head["ContentLength"],
        "etag": head["ETag"].strip('"'),
        "version_id": head.get("VersionId"),
    }
    fields.update(overrides)
    return s3_record(bucket, key, **fields)


def s3_event(*records: dict[str, Any]) -> dict[str, Any]:
    return {"Records": list(records)}
