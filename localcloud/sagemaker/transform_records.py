"""How a batch transform job turns one input object into `/invocations` requests and its answers into the
output object, as the SageMaker Developer Guide describes it ("Use batch transform", "Associate prediction
results with input records"). Pure functions of bytes: no moto, no HTTP, tested without a cloud.

- `split_records`: `SplitType` `Line` makes one record per line (a trailing `\\r` is part of the line
  ending, not of the record); `None` sends the whole object as one payload.
- `mini_batches`: `MultiRecord` puts as many consecutive records in a request as fit in `MaxPayloadInMB`
  (1 MB = 1,048,576 bytes, as the container's own 6 MB limit counts), `SingleRecord` one per request. A
  record that alone exceeds the limit fails the object, as the Developer Guide says it does on AWS.
- `CsvFilter`: `InputFilter` / `OutputFilter` on CSV, where "each row is taken as a JSON array, so only
  index based JSONPaths can be applied" (`$`, `$[0]`, `$[1,3,5]`, `$[-1]`, `$[1:]`, `$[:5]`, `$[2:5]`).
  A slice includes its end, as the Developer Guide's examples define it: `$[1:4]` is "the second through
  fifth columns", `$[:5]` "the first column (index 0) through the sixth column".
- `answer_lines` / `join_with_input` / `assemble`: the container's answer for a mini-batch of N records
  must be N lines; `JoinSource` `Input` appends each prediction line to its input record with a comma
  ("if the record is [1,2,3], and the label result is [1], then the output file would contain [1,2,3,1]");
  `AssembleWith` `Line` ends every answer with a newline, `None` concatenates the answers as sent.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import TypeVar

BYTES_PER_MB = 1024 * 1024
_INDEX = r"\s*-?\d+\s*"
_INDEX_LIST = re.compile(rf"^\$\[({_INDEX}(?:,{_INDEX})*)\]$")
_SLICE = re.compile(r"^\$\[\s*(-?\d+)?\s*:\s*(-?\d+)?\s*\]$")
_MULTIPLE_RANGES = re.compile(r"^\$\[(.*:.*)\]$")
_Field = TypeVar("_Field", str, bytes)


class RecordError(Exception):
    """An object or a filter cannot be processed as the job asks; the message says why."""


def split_records(body: bytes, split_type: str) -> list[bytes]:
    """The object's records: its lines for `Line`, the whole object for `None` (an empty object has none)."""
    if not body:
        return []
    if split_type == "None":
        return [body]
    records = body.split(b"\n")
    if records[-1] == b"":
        records.pop()  # the newline that ends the last line starts no record
    return [record[:-1] if record.endswith(b"\r") else record for record in records]


def payload(records: Sequence[bytes], split_type: str) -> bytes:
    """The request body for consecutive records: each line newline-terminated, as in the object."""
    if split_type == "None":
        return b"".join(records)
    return b"".join(record + b"\n" for record in records)


def mini_batches(
    records: Sequence[bytes], split_type: str, batch_strategy: str, max_payload_in_mb: int
) -> Iterator[tuple[int, int]]:
    """`(start, end)` index ranges of the records each request carries, in order."""
    limit = max_payload_in_mb * BYTES_PER_MB
    per_record = 0 if split_type == "None" else 1  # the newline that ends each line
    start, size = 0, 0
    for index, record in enumerate(records):
        record_size = len(record) + per_record
        if record_size > limit:
            what = "the object" if split_type == "None" else f"record {index + 1}"
            raise RecordError(
                f"{what} is {record_size} bytes, more than MaxPayloadInMB ({max_payload_in_mb} MB) allows in "
                "one request"
            )
        if index > start and (batch_strategy == "SingleRecord" or size + record_size > limit):
            yield start, index
            start, size = index, 0
        size += record_size
    if start < len(records):
        yield start, len(records)


@dataclass(frozen=True)
class CsvFilter:
    """An `InputFilter` / `OutputFilter` JSONPath applied to a CSV row seen as a JSON array."""

    expression: str
    indexes: tuple[int, ...] | None = None
    first: int | None = None
    last: int | None = None

    @property
    def selects_all(self) -> bool:
        return self.indexes is None and self.first is None and self.last is None

    def select(self, fields: Sequence[_Field]) -> list[_Field]:
        count = len(fields)
        if self.indexes is not None:
            selected = []
            for index in self.indexes:
                if not -count <= index < count:
                    raise RecordError(
                        f"JsonPath {self.expression} selects column {index}, but the row has {count} columns"
                    )
                selected.append(fields[index])
            return selected
        first = 0 if self.first is None else (self.first + count if self.first < 0 else self.first)
        last = count - 1 if self.last is None else (self.last + count if self.last < 0 else self.last)
        return list(fields[max(first, 0) : last + 1])

    def apply(self, record: bytes) -> bytes:
        """The record with only the selected columns, as CSV."""
        if self.selects_all:
            return record
        if b'"' not in record:  # the common case, kept fast: no quoted field can hide a comma
            if self.indexes is None and self.last is None and self.first is not None and self.first >= 0:
                # `$[n:]`, dropping leading id or label columns: one split instead of one per column.
                rest = record.split(b",", self.first)
                return rest[self.first] if len(rest) > self.first else b""
            return b",".join(self.select(record.split(b",")))
        try:
            line = record.decode()
        except UnicodeDecodeError as error:
            raise RecordError(f"a CSV record with quoted fields is not UTF-8 text: {error}") from error
        [fields] = list(csv.reader([line]))
        out = io.StringIO()
        csv.writer(out, lineterminator="").writerow(self.select(fields))
        return out.getvalue().encode()


def parse_csv_filter(expression: str | None) -> CsvFilter:
    """A filter from its JSONPath; only the index-based forms CSV rows support are accepted."""
    text = (expression or "$").strip()
    if text == "$":
        return CsvFilter(text)
    listed = _INDEX_LIST.match(text)
    if listed:
        return CsvFilter(text, indexes=tuple(int(part) for part in listed.group(1).split(",")))
    sliced = _SLICE.match(text)
    if sliced:
        first, last = (None if part is None else int(part) for part in sliced.groups())
        return CsvFilter(text, first=first, last=last)
    if _MULTIPLE_RANGES.match(text) and "," in text:
        brackets = text[1:]
        raise RecordError(
            f"Invalid JsonPath: {text}: only single range filters of format (eg: [1:5]) are supported. "
            f"Format {brackets} is not supported"
        )
    raise RecordError(
        f"Invalid JsonPath for CSV data: {text}: each row is taken as a JSON array, so only index based "
        "JSONPaths can be applied, e.g. $[0], $[1,3], $[1:]"
    )


def answer_lines(answer: bytes) -> list[bytes]:
    """The lines of a line-oriented answer (text/csv, application/jsonlines), without their newlines."""
    text = answer[:-1] if answer.endswith(b"\n") else answer
    return [line[:-1] if line.endswith(b"\r") else line for line in text.split(b"\n")] if text else []


def join_with_input(record: bytes, prediction: bytes) -> bytes:
    """A CSV input record followed by its prediction's columns."""
    return record + b"," + prediction


def assemble(answers: Sequence[bytes], assemble_with: str) -> bytes:
    """The output object from the answers in input order."""
    if assemble_with == "None":
        return b"".join(answers)
    return b"".join(answer if answer.endswith(b"\n") else answer + b"\n" for answer in answers)
