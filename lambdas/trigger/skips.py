"""Which records start no run, and why: every skip is logged with one of these reasons."""

from __future__ import annotations

from enum import StrEnum

from trigger.events import CreatedObject, S3Record


class SkipReason(StrEnum):
    OTHER_BUCKET = "other_bucket"
    NOT_OBJECT_CREATED = "not_object_created"
    OUTSIDE_INPUT_PREFIX = "outside_input_prefix"
    FOLDER_MARKER = "folder_marker"
    EMPTY_OBJECT = "empty_object"


SKIP_EXPLANATIONS: dict[SkipReason, str] = {
    SkipReason.OTHER_BUCKET: "the event comes from a bucket other than this pipeline's",
    SkipReason.NOT_OBJECT_CREATED: "only ObjectCreated events start a run",
    SkipReason.OUTSIDE_INPUT_PREFIX: "the key is not under the input prefix",
    SkipReason.FOLDER_MARKER: "the key ends with '/': a folder marker, not a data file",
    SkipReason.EMPTY_OBJECT: "the object is empty (0 bytes): upload the file again with its content",
}


def record_skip_reason(record: S3Record, bucket_name: str, input_prefix: str) -> SkipReason | None:
    """Checks that need only the common record fields; run before the object fields are required."""
    if record.bucket != bucket_name:
        return SkipReason.OTHER_BUCKET
    if not record.is_object_created:
        return SkipReason.NOT_OBJECT_CREATED
    if not record.key.startswith(input_prefix):
        return SkipReason.OUTSIDE_INPUT_PREFIX
    if record.key.endswith("/"):
        return SkipReason.FOLDER_MARKER
    return None


def object_skip_reason(obj: CreatedObject) -> SkipReason | None:
    if obj.size == 0:
        return SkipReason.EMPTY_OBJECT
    return None
