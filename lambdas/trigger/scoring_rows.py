"""Lambda entry point `trigger.scoring_rows.handler` (function `<name>-scoring-rows`): the row counts of a
scoring run, for the scoring state machine (statemachine/scoring.asl.json.tftpl).

`{"count": "input", "source": {...}}` counts the uploaded object version's records; `{"count": "output",
"source": {...}, "predictions": {"bucket", "key"}}` counts the predictions. Both first check that the
source key's current object is still the uploaded version (the transform job reads the key, not a
version). The errors' class names are the Step Functions error names the state machine catches."""

from __future__ import annotations

import functools
import os
from collections.abc import Iterator, Mapping
from typing import Any

from trigger.record_count import count_line_records

READ_CHUNK_BYTES = 1024 * 1024


class EmptyInput(ValueError):
    """The uploaded file has no rows to score."""


class SourceChanged(RuntimeError):
    """The key no longer holds the uploaded version: scoring it would score other data."""


class InputUnreadable(RuntimeError):
    """The object to count cannot be read (missing, or access denied)."""


@functools.cache
def s3_client() -> Any:
    import boto3
    from botocore.config import Config as BotocoreConfig

    return boto3.client(
        "s3",
        region_name=os.environ.get("AWS_REGION"),
        config=BotocoreConfig(retries={"mode": "standard", "max_attempts": 3}),
    )


def _unquoted(etag: str | None) -> str:
    return (etag or "").strip('"')


def check_source_unchanged(s3: Any, source: Mapping[str, Any]) -> None:
    uri = source["uri"]
    try:
        head = s3.head_object(Bucket=source["bucket"], Key=source["key"])
    except s3.exceptions.ClientError as error:
        raise InputUnreadable(f"{uri}: cannot read the uploaded file: {error}") from error
    same_version = source.get("version_id") is None or head.get("VersionId") == source["version_id"]
    if not same_version or _unquoted(head.get("ETag")) != _unquoted(source.get("etag")):
        raise SourceChanged(
            f"{uri} was overwritten after the upload this run scores: the key now holds version "
            f"{head.get('VersionId')} (ETag {_unquoted(head.get('ETag'))}), the run was started for version "
            f"{source.get('version_id')} (ETag {_unquoted(source.get('etag'))}). Nothing scored in its name; "
            "the new upload has its own run."
        )


def _chunks(body: Any) -> Iterator[bytes]:
    while chunk := body.read(READ_CHUNK_BYTES):
        yield chunk


def count_object(s3: Any, bucket: str, key: str, version_id: str | None = None) -> int:
    request = {"Bucket": bucket, "Key": key} | ({"VersionId": version_id} if version_id else {})
    try:
        body = s3.get_object(**request)["Body"]
    except s3.exceptions.ClientError as error:
        raise InputUnreadable(f"s3://{bucket}/{key}: cannot be read: {error}") from error
    return count_line_records(_chunks(body))


def count_rows(event: Mapping[str, Any], s3: Any) -> dict[str, int]:
    source = event["source"]
    check_source_unchanged(s3, source)
    if event["count"] == "input":
        rows = count_object(s3, source["bucket"], source["key"], source.get("version_id"))
        if rows == 0:
            raise EmptyInput(
                f"{source['uri']} has no rows to score: only blank lines. Upload feature rows, one per line "
                "(no header, no label column)."
            )
        return {"rows": rows}
    if event["count"] == "output":
        predictions = event["predictions"]
        return {"rows": count_object(s3, predictions["bucket"], predictions["key"])}
    raise ValueError(f"count must be 'input' or 'output', got {event['count']!r}")


def handler(event: dict[str, Any], context: Any) -> dict[str, int]:
    return count_rows(event, s3_client())
