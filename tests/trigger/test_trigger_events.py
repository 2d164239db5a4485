from __future__ import annotations

from urllib.parse import quote_plus

import pytest
from hypothesis import given
from hypothesis import strategies as st
from trigger.events import EventError, created_object, decode_key, event_records, parse_record
from trigger.skips import SkipReason, object_skip_reason, record_skip_reason
from trigger_s3_events import s3_record


@pytest.mark.parametrize(
    ("encoded", "key"),
    [
        ("input/churn+data.csv", "input/churn data.csv"),
        ("input/a%2Bb+c.csv", "input/a+b c.csv"),
        ("input/%2541.csv", "input/%41.csv"),
        ("input/donn%C3%A9es.csv", "input/données.csv"),
        ("input/%E6%97%A5%E6%9C%AC.csv", "input/日本.csv"),
        ("input%2Fmoto%2Fstyle.csv", "input/moto/style.csv"),
    ],
)
def test_decode_key(encoded: str, key: str) -> None:
    assert decode_key(encoded) == key


@given(st.text(min_size=1, max_size=200), st.sampled_from(["/", ""]))
def test_decoding_reverses_s3_encoding(key: str, safe: str) -> None:
    assert decode_key(quote_plus(key, safe=safe)) == key


def test_invalid_utf8_in_key_is_an_error_naming_the_key() -> None:
    with pytest.raises(EventError, match=r"input/%FF\.csv"):
        decode_key("input/%FF.csv")


def test_record_fields_versioned() -> None:
    raw = s3_record(
        "bucket-1", "input/a b.csv", size=12, etag="abc", version_id="3HL4kqtJ", sequencer="0A1B2C"
    )
    obj = created_object(parse_record(0, raw))
    assert (obj.bucket, obj.key, obj.size, obj.etag, obj.version_id, obj.sequencer) == (
        "bucket-1",
        "input/a b.csv",
        12,
        "abc",
        "3HL4kqtJ",
        "0A1B2C",
    )
    assert obj.uri == "s3://bucket-1/input/a b.csv"
    assert obj.event_time == "2026-11-25T21:15:02.123Z"


@pytest.mark.parametrize("version_id", [None, "null"])
def test_unversioned_objects_have_no_version_id(version_id: str | None) -> None:
    raw = s3_record("b", "input/a.csv", size=1, etag="e", version_id=version_id)
    assert created_object(parse_record(0, raw)).version_id is None


def test_s3_configuration_test_event_has_no_records() -> None:
    assert event_records({"Service": "Amazon S3", "Event": "s3:TestEvent", "Bucket": "b"}) == []


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        ([], "not an S3 event object"),
        ({"detail": {}}, "no 'Records' list"),
        ({"Records": {}}, "not a list"),
    ],
)
def test_payloads_that_are_not_s3_notifications_are_errors(payload: object, message: str) -> None:
    with pytest.raises(EventError, match=message):
        event_records(payload)


def _without(record: dict, *path: str) -> dict:
    target = record
    for name in path[:-1]:
        target = target[name]
    del target[path[-1]]
    return record


@pytest.mark.parametrize(
    ("record", "message"),
    [
        ({**s3_record("b", "input/a.csv", size=1, etag="e"), "eventSource": "aws:sqs"}, "eventSource"),
        (_without(s3_record("b", "input/a.csv", size=1, etag="e"), "s3", "object", "key"), "s3.object.key"),
        (_without(s3_record("b", "input/a.csv", size=1, etag="e"), "s3", "bucket"), "s3.bucket"),
        ("not a record", "not an object"),
    ],
)
def test_malformed_records_name_the_record_and_field(record: object, message: str) -> None:
    with pytest.raises(EventError, match=rf"Records\[3\].*{message}|{message}.*Records\[3\]"):
        parse_record(3, record)


@pytest.mark.parametrize(
    ("record", "message"),
    [
        (_without(s3_record("b", "input/a.csv", size=1, etag="e"), "s3", "object", "size"), "s3.object.size"),
        (s3_record("b", "input/a.csv", size=-1, etag="e"), "non-negative integer"),
        (_without(s3_record("b", "input/a.csv", size=1, etag="e"), "s3", "object", "eTag"), "s3.object.eTag"),
    ],
)
def test_object_created_records_require_size_and_etag(record: dict, message: str) -> None:
    with pytest.raises(EventError, match=message):
        created_object(parse_record(0, record))


@pytest.mark.parametrize(
    ("record", "reason"),
    [
        (s3_record("b", "input/a.csv", size=5, etag="e"), None),
        (s3_record("other-bucket", "input/a.csv", size=5, etag="e"), SkipReason.OTHER_BUCKET),
        (s3_record("b", "input/a.csv", size=0, etag="e", event_name="ObjectRemoved:Delete"), "removed"),
        (s3_record("b", "other/a.csv", size=5, etag="e"), SkipReason.OUTSIDE_INPUT_PREFIX),
        (s3_record("b", "runs/x/etl/train/part-0.csv", size=5, etag="e"), SkipReason.OUTSIDE_INPUT_PREFIX),
        (s3_record("b", "inputs/a.csv", size=5, etag="e"), SkipReason.OUTSIDE_INPUT_PREFIX),
        (s3_record("b", "input/", size=0, etag="e"), SkipReason.FOLDER_MARKER),
        (s3_record("b", "input/2024/", size=0, etag="e"), SkipReason.FOLDER_MARKER),
        (s3_record("b", "input/empty.csv", size=0, etag="e"), SkipReason.EMPTY_OBJECT),
    ],
)
def test_skip_rules(record: dict, reason: SkipReason | str | None) -> None:
    parsed = parse_record(0, record)
    found = record_skip_reason(parsed, "b", "input/")
    if found is None:
        found = object_skip_reason(created_object(parsed))
    expected = SkipReason.NOT_OBJECT_CREATED if reason == "removed" else reason
    assert found == expected
