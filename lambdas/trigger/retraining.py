"""Scheduled retraining: a schedule tick re-runs the pipeline on the newest object under the input prefix.

The run is named as the upload of that object was (naming.derive_names on the same bucket, key and version
id), so a tick with no new data since the last run maps to that run's execution name: Step Functions refuses
the name (or returns the open execution), and the tick starts nothing and says so. Asked explicitly
(`retrain_unchanged`), a tick retrains on the same bytes under a name derived from the tick's time instead.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from trigger.events import CreatedObject, EventError

RETRAIN_KEY = "retrain"


@dataclass(frozen=True)
class RetrainRequest:
    schedule_arn: str | None
    scheduled_time: str | None
    retrain_unchanged: bool


def is_retrain_request(event: Any) -> bool:
    return isinstance(event, Mapping) and RETRAIN_KEY in event and "Records" not in event


def retrain_request(event: Mapping[str, Any]) -> RetrainRequest:
    """The schedule's input (the aws_scheduler_schedule target's input); EventError naming the field."""
    body = event.get(RETRAIN_KEY)
    if not isinstance(body, Mapping):
        raise EventError(f"event.{RETRAIN_KEY} must be an object, got {type(body).__name__}")
    unchanged = body.get("retrain_unchanged", False)
    if not isinstance(unchanged, bool):
        raise EventError(f"event.{RETRAIN_KEY}.retrain_unchanged must be true or false, got {unchanged!r}")
    schedule_arn, scheduled_time = body.get("schedule_arn"), body.get("scheduled_time")
    return RetrainRequest(
        schedule_arn=schedule_arn if isinstance(schedule_arn, str) else None,
        scheduled_time=scheduled_time if isinstance(scheduled_time, str) else None,
        retrain_unchanged=unchanged,
    )


def newest_candidate(objects: Iterable[Mapping[str, Any]], input_prefix: str) -> Mapping[str, Any] | None:
    """The most recently written data file under the prefix, as ListObjectsV2 lists it.

    Folder markers and empty objects are skipped, as they are for uploads (skips.py); ties on the time are
    broken by key, so the choice never depends on listing order."""
    candidates = [
        item
        for item in objects
        if item["Key"].startswith(input_prefix) and not item["Key"].endswith("/") and item.get("Size", 0) > 0
    ]
    if not candidates:
        return None
    return max(candidates, key=lambda item: (_as_datetime(item["LastModified"]), item["Key"]))


def object_from_head(bucket: str, key: str, head: Mapping[str, Any]) -> CreatedObject:
    """The object as an upload's event would have described it, from HeadObject."""
    version_id = head.get("VersionId")
    return CreatedObject(
        bucket=bucket,
        key=key,
        size=int(head["ContentLength"]),
        etag=str(head["ETag"]).strip('"'),
        version_id=version_id if isinstance(version_id, str) and version_id not in ("", "null") else None,
        sequencer=None,
        event_time=_as_datetime(head["LastModified"]).isoformat(),
    )


def _as_datetime(value: Any) -> datetime:
    return value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
