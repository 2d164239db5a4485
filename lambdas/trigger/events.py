"""Parsing of S3 event notifications (event structure 2.x) into typed records.

S3 sends object keys form-encoded: `+` for a space and `%XX` for UTF-8 bytes of other characters,
so a key must be decoded before it is used in a URI or a name.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote_plus

OBJECT_CREATED_PREFIX = "ObjectCreated:"

# S3 reports the object of a bucket with versioning suspended as version "null": a later upload
# overwrites that same version, so it identifies nothing.
_UNVERSIONED_VERSION_IDS = frozenset({"null", ""})


class EventError(ValueError):
    """The invocation payload or one of its records is not an S3 event notification."""


@dataclass(frozen=True)
class S3Record:
    """The fields of one notification record that every record carries, whatever its event type."""

    index: int
    event_name: str
    event_time: str | None
    bucket: str
    key: str
    raw: Mapping[str, Any]

    @property
    def is_object_created(self) -> bool:
        return self.event_name.startswith(OBJECT_CREATED_PREFIX)


@dataclass(frozen=True)
class CreatedObject:
    """The object an ObjectCreated record announces."""

    bucket: str
    key: str
    size: int
    etag: str
    version_id: str | None
    sequencer: str | None
    event_time: str | None

    @property
    def uri(self) -> str:
        return f"s3://{self.bucket}/{self.key}"


def decode_key(encoded: str) -> str:
    """Decode a key as S3 encodes it in notifications; invalid UTF-8 is an error, not a guess."""
    try:
        return unquote_plus(encoded, encoding="utf-8", errors="strict")
    except UnicodeDecodeError as error:
        raise EventError(f"object key {encoded!r} does not decode to UTF-8 text: {error}") from error


def event_records(event: Any) -> Sequence[Mapping[str, Any]]:
    """The `Records` list of a notification; an empty list for S3's configuration test event."""
    if not isinstance(event, Mapping):
        raise EventError(f"the invocation payload is a {type(event).__name__}, not an S3 event object")
    if "Records" not in event:
        # S3 sends {"Event": "s3:TestEvent", ...} once when a notification is configured.
        if event.get("Event") == "s3:TestEvent":
            return []
        raise EventError(f"the invocation payload has no 'Records' list (keys: {sorted(event)})")
    records = event["Records"]
    if not isinstance(records, list):
        raise EventError(f"'Records' is a {type(records).__name__}, not a list")
    return records


def parse_record(index: int, record: Any) -> S3Record:
    """Read the event name, bucket and decoded key of record `index`."""
    where = f"Records[{index}]"
    if not isinstance(record, Mapping):
        raise EventError(f"{where} is a {type(record).__name__}, not an object")
    if record.get("eventSource") != "aws:s3":
        raise EventError(f"{where}.eventSource is {record.get('eventSource')!r}, expected 'aws:s3'")
    event_name = _string(record, ("eventName",), where)
    bucket = _string(record, ("s3", "bucket", "name"), where)
    key = decode_key(_string(record, ("s3", "object", "key"), where))
    event_time = record.get("eventTime")
    return S3Record(
        index=index,
        event_name=event_name,
        event_time=event_time if isinstance(event_time, str) else None,
        bucket=bucket,
        key=key,
        raw=record,
    )


def created_object(record: S3Record) -> CreatedObject:
    """The object of an ObjectCreated record, with the fields such records always carry."""
    where = f"Records[{record.index}]"
    if not record.is_object_created:
        raise EventError(f"{where} is a {record.event_name} event, not ObjectCreated")
    size = _field(record.raw, ("s3", "object", "size"), where)
    if isinstance(size, bool) or not isinstance(size, int) or size < 0:
        raise EventError(f"{where}.s3.object.size is {size!r}, expected a non-negative integer")
    version_id = record.raw["s3"]["object"].get("versionId")
    if not isinstance(version_id, str) or version_id in _UNVERSIONED_VERSION_IDS:
        version_id = None
    sequencer = record.raw["s3"]["object"].get("sequencer")
    if not isinstance(sequencer, str) or not sequencer:
        sequencer = None
    return CreatedObject(
        bucket=record.bucket,
        key=record.key,
        size=size,
        etag=_string(record.raw, ("s3", "object", "eTag"), where),
        version_id=version_id,
        sequencer=sequencer,
        event_time=record.event_time,
    )


def _field(record: Mapping[str, Any], path: tuple[str, ...], where: str) -> Any:
    value: Any = record
    for depth, name in enumerate(path):
        if not isinstance(value, Mapping) or name not in value:
            raise EventError(f"{where} has no {'.'.join(path[: depth + 1])}")
        value = value[name]
    return value


def _string(record: Mapping[str, Any], path: tuple[str, ...], where: str) -> str:
    value = _field(record, path, where)
    if not isinstance(value, str) or not value:
        raise EventError(f"{where}.{'.'.join(path)} is {value!r}, expected a non-empty string")
    return value
