"""The order key sorts as a string as the uploads are ordered: event time, then sequencer, then key."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from hypothesis import given
from hypothesis import strategies as st
from trigger.events import CreatedObject
from trigger.naming import derive_names
from trigger.ordering import EARLIEST, SEQUENCER_WIDTH, normalise_event_time, normalise_sequencer, order_key
from trigger.run_input import build_run_input
from trigger_test_support import RUN_OUTPUTS

# Millisecond instants, as S3 writes eventTime.
_instants = st.datetimes(
    min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)
).map(lambda moment: moment.replace(microsecond=moment.microsecond // 1000 * 1000))
# S3 sequencers: uppercase hex of varying length (compared after right-padding with zeros).
_sequencers = st.text(alphabet="0123456789ABCDEF", min_size=1, max_size=SEQUENCER_WIDTH)
_keys = st.text(min_size=1, max_size=200).map(lambda text: f"input/{text}")


def _s3_time(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def _padded(sequencer: str) -> str:
    return sequencer.ljust(SEQUENCER_WIDTH, "0")


@given(_instants, _sequencers, _keys, _instants, _sequencers, _keys)
def test_string_order_is_the_order_of_time_then_sequencer_then_key(
    time_a: datetime, seq_a: str, key_a: str, time_b: datetime, seq_b: str, key_b: str
) -> None:
    a = order_key(_s3_time(time_a), seq_a, key_a)
    b = order_key(_s3_time(time_b), seq_b, key_b)
    expected_a = (time_a, _padded(seq_a), key_a)
    expected_b = (time_b, _padded(seq_b), key_b)
    assert (a < b) == (expected_a < expected_b)
    assert (a == b) == (expected_a == expected_b)


@given(_instants, _sequencers, _sequencers, _keys)
def test_later_sequencer_of_the_same_key_in_the_same_millisecond_is_newer(
    moment: datetime, seq_a: str, seq_b: str, key: str
) -> None:
    # S3: the greater sequencer, after right-padding the shorter with zeros, is the later event of a key.
    a, b = (order_key(_s3_time(moment), seq, key) for seq in (seq_a, seq_b))
    assert (a < b) == (_padded(seq_a) < _padded(seq_b))


@given(_instants, st.integers(min_value=-14 * 60, max_value=14 * 60))
def test_any_iso_8601_offset_is_normalised_to_utc_milliseconds(moment: datetime, offset_minutes: int) -> None:
    local = moment.astimezone(timezone(timedelta(minutes=offset_minutes)))
    assert normalise_event_time(local.isoformat()) == _s3_time(moment)
    assert normalise_event_time(_s3_time(moment)) == _s3_time(moment)


def test_s3_event_time_is_kept_as_sent() -> None:
    assert normalise_event_time("2026-11-25T21:15:02.123Z") == "2026-11-25T21:15:02.123Z"
    assert normalise_event_time("2026-11-25T21:15:02Z") == "2026-11-25T21:15:02.000Z"
    assert normalise_event_time("2026-11-25T21:15:02.123456+00:00") == "2026-11-25T21:15:02.123Z"


@given(_instants, _sequencers, _keys)
def test_an_event_without_a_readable_time_sorts_before_every_timed_one(
    moment: datetime, sequencer: str, key: str
) -> None:
    timed = order_key(_s3_time(moment), sequencer, key)
    for missing in (None, "", "yesterday"):
        assert normalise_event_time(missing) == EARLIEST
        assert order_key(missing, "F" * SEQUENCER_WIDTH, key) < timed


def test_sequencer_is_padded_uppercased_and_absent_or_malformed_ones_are_zero() -> None:
    assert normalise_sequencer("0055aed6dcd90281e5") == "0055AED6DCD90281E5" + "0" * 14
    assert normalise_sequencer(None) == "0" * SEQUENCER_WIDTH
    assert normalise_sequencer("not-hex") == "0" * SEQUENCER_WIDTH
    assert normalise_sequencer("A" * (SEQUENCER_WIDTH + 1)) == "0" * SEQUENCER_WIDTH


def test_run_input_carries_the_order_key_of_its_upload() -> None:
    obj = CreatedObject(
        bucket="b",
        key="input/churn data.csv",
        size=1,
        etag="e",
        version_id="v1",
        sequencer="0055AED6DCD90281E5",
        event_time="2026-11-25T21:15:02.123Z",
    )
    names = derive_names(
        pipeline_name="churn-xgboost",
        input_prefix="input/",
        bucket=obj.bucket,
        key=obj.key,
        version_id=obj.version_id,
        sequencer=obj.sequencer,
        etag=obj.etag,
        event_time=obj.event_time,
    )
    run_input = build_run_input(obj, names, "runs/", RUN_OUTPUTS)
    assert run_input["order_key"] == (
        "2026-11-25T21:15:02.123Z|0055AED6DCD90281E500000000000000|input/churn data.csv"
    )
