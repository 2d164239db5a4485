"""The order of uploads: which of two runs comes from the newer upload, as one string that sorts.

When several uploads arrive together, their runs overlap and the endpoint must end on the model of the
newest upload, not on whichever run finishes last. The state machine claims the endpoint with a DynamoDB
conditional write that compares this key as a string (`order_key < :mine`), so the key must sort as the
uploads are ordered:

1. the record's `eventTime` (when S3 accepted the upload), normalised to UTC with milliseconds,
   `YYYY-MM-DDTHH:MM:SS.mmmZ` (S3 sends this form; other ISO 8601 forms are converted, so a string
   comparison is a time comparison);
2. then the record's `sequencer`, uppercased and right-padded with zeros to a fixed width, as S3's
   documentation says sequencers are compared (they are of different lengths); sequencers order events
   of the same key only, so for different keys this merely breaks a tie of equal milliseconds;
3. then the key, so two uploads of different keys in the same millisecond still have distinct keys.

The fields are fixed-width up to the key, so comparing the strings compares the fields in this order.
"""

from __future__ import annotations

from datetime import UTC, datetime

# S3 sequencers are 16-20 hex characters today; padding to a fixed width is what makes them comparable
# as strings (S3: "right pad the shorter value with zeros, then do a lexicographical comparison").
SEQUENCER_WIDTH = 32
SEPARATOR = "|"
# An event without a readable time sorts before every real one: such an upload never supersedes another.
EARLIEST = "0001-01-01T00:00:00.000Z"


def normalise_event_time(event_time: str | None) -> str:
    """`eventTime` as `YYYY-MM-DDTHH:MM:SS.mmmZ` in UTC; `EARLIEST` when missing or unreadable."""
    if not event_time:
        return EARLIEST
    try:
        moment = datetime.fromisoformat(event_time)
    except ValueError:
        return EARLIEST
    if moment.tzinfo is None:  # S3 always writes Z; a naive time is read as UTC
        moment = moment.replace(tzinfo=UTC)
    try:
        moment = moment.astimezone(UTC)
    except OverflowError:  # an offset that leaves the representable years
        return EARLIEST
    return (
        f"{moment.year:04d}-{moment.month:02d}-{moment.day:02d}T"
        f"{moment.hour:02d}:{moment.minute:02d}:{moment.second:02d}.{moment.microsecond // 1000:03d}Z"
    )


def normalise_sequencer(sequencer: str | None) -> str:
    """The sequencer uppercased and right-padded with zeros to `SEQUENCER_WIDTH` (all zeros when absent)."""
    value = (sequencer or "").upper()
    if len(value) > SEQUENCER_WIDTH or any(char not in "0123456789ABCDEF" for char in value):
        # Not a sequencer as S3 writes them: it cannot be compared, so it orders as absent.
        value = ""
    return value.ljust(SEQUENCER_WIDTH, "0")


def order_key(event_time: str | None, sequencer: str | None, key: str) -> str:
    """The upload's position among all uploads of the pipeline, as a string that sorts by it."""
    return SEPARATOR.join((normalise_event_time(event_time), normalise_sequencer(sequencer), key))
