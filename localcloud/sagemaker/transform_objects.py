"""A batch transform job's input objects and what it does with each: read it from S3, split it into
records, send them in mini-batches to the model container and write `<S3OutputPath>/<name>.out`.

Every S3 read and write is authorized as the model's execution role (`s3_access`), as SageMaker makes
them with that role on AWS. Following "Use batch transform" in the Developer Guide: an object whose
processing fails gets no output object ("the transform job doesn't create an output file for that input
file because doing so prevents it from maintaining the same order"), and the job goes on with the other
objects. The records themselves are handled by `transform_records`.

Objects come from `TransformInput.DataSource.S3DataSource`: `S3Prefix` (every object under the prefix;
the output name is the key after the prefix's last `/`, so `s3://b/in/` and `s3://b/in/a.csv` both give
`a.csv.out`) or `ManifestFile` (a JSON array `[{"prefix": "s3://b/in/"}, "a.csv", "sub/b.csv"]`; the
output name is the listed relative key).
"""

from __future__ import annotations

import gzip
import json
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from email.message import Message
from typing import Any

from localcloud.iam.role_sessions import RoleSession
from localcloud.sagemaker import transform_records
from localcloud.sagemaker.s3_access import (
    S3AccessError,
    list_object_keys,
    parse_s3_uri,
    read_object,
    write_object,
)
from localcloud.sagemaker.transform_records import CsvFilter, RecordError

# Answers that hold one line per record, so rows out can be counted against rows in and joined per row.
LINE_ORIENTED_TYPES = frozenset({"text/csv", "application/jsonlines", "application/x-jsonlines"})


class ObjectFailed(Exception):
    """One input object could not be transformed; `kind` is SageMaker's error class (ClientError for the
    request or data, AlgorithmError for the container), `summary` the data log line, `message` what the
    container answered, if it did."""

    def __init__(self, kind: str, summary: str, message: str | None = None) -> None:
        super().__init__(summary)
        self.kind = kind
        self.summary = summary
        self.message = message


class Stopped(Exception):
    """StopTransformJob was called while the object was being transformed."""


@dataclass(frozen=True)
class InputObject:
    uri: str
    name: str  # the output object's name before `.out`

    @property
    def display(self) -> str:
        """`bucket/key`, as SageMaker's data log names an object."""
        return self.uri.removeprefix("s3://")


@dataclass(frozen=True)
class Answer:
    status: int
    content_type: str
    body: bytes


@dataclass(frozen=True)
class TransformSettings:
    split_type: str
    batch_strategy: str
    max_payload_in_mb: int
    compression: str
    input_filter: CsvFilter
    output_filter: CsvFilter
    join_input: bool
    assemble_with: str
    kms_key_id: str | None


@dataclass
class ObjectResult:
    """What became of one input object: records sent, requests made, the output written (or why not)."""

    input_uri: str
    output_uri: str
    records: int = 0
    requests: int = 0
    written: bool = False
    failure: str | None = None


def list_input_objects(
    account_id: str, region: str, data_source: dict[str, Any], *, session: RoleSession
) -> list[InputObject]:
    """The job's input objects in the order they are processed; raises S3AccessError or RecordError."""
    source = data_source.get("S3DataSource") or {}
    uri = source.get("S3Uri", "")
    data_type = source.get("S3DataType", "S3Prefix")
    if data_type == "S3Prefix":
        bucket, prefix = parse_s3_uri(uri)
        base = prefix[: prefix.rfind("/") + 1]
        keys = list_object_keys(account_id, region, uri, session=session)
        return [InputObject(f"s3://{bucket}/{key}", key[len(base) :]) for key in keys]
    if data_type == "ManifestFile":
        return _manifest_objects(read_object(account_id, region, uri, session=session), uri)
    raise RecordError(
        f"S3DataType {data_type} is not emulated by the local cloud (S3Prefix and ManifestFile are)"
    )


def _manifest_objects(manifest: bytes, uri: str) -> list[InputObject]:
    try:
        entries = json.loads(manifest)
        prefix = entries[0]["prefix"]
        names = entries[1:]
        if not isinstance(prefix, str) or not all(isinstance(name, str) for name in names):
            raise TypeError("the prefix and every entry after it must be strings")
    except (ValueError, TypeError, KeyError, IndexError) as error:
        raise RecordError(
            f'The manifest file {uri} is not a JSON array of the form [{{"prefix": "s3://bucket/prefix/"}}, '
            f'"relative/key", ...]: {error}'
        ) from error
    base = prefix if prefix.endswith("/") else prefix + "/"
    return [InputObject(base + name, name) for name in names]


def output_uri(s3_output_path: str, source: InputObject) -> str:
    return f"{s3_output_path.rstrip('/')}/{source.name}.out"


def _media_type(header: str) -> str:
    message = Message()
    message["content-type"] = header
    return message.get_content_type()


def _read(
    source: InputObject, settings: TransformSettings, account_id: str, region: str, session: RoleSession
) -> bytes:
    try:
        body = read_object(account_id, region, source.uri, session=session)
    except S3AccessError as error:
        raise ObjectFailed("ClientError", f"Failed to download the input object: {error}") from error
    if settings.compression != "Gzip":
        return body
    try:
        return gzip.decompress(body)
    except (OSError, EOFError, zlib.error) as error:
        raise ObjectFailed(
            "ClientError", f"CompressionType is Gzip, but the object is not gzip data: {error}"
        ) from error


def _reshaping_not_emulated(media_type: str) -> ObjectFailed:
    return ObjectFailed(
        "ClientError",
        "JoinSource Input and OutputFilter are emulated by the local cloud for text/csv answers only; the "
        f"algorithm answered {media_type}",
    )


def _answer_part(
    answer: Answer, records: list[bytes], start: int, end: int, settings: TransformSettings
) -> bytes:
    """The output bytes for the mini-batch records[start:end], checked and joined as the job asks."""
    if answer.status >= 400:
        raise ObjectFailed(
            "ClientError" if answer.status < 500 else "AlgorithmError",
            f"Bad HTTP status received from algorithm: {answer.status}",
            answer.body.decode(errors="replace"),
        )
    media_type = _media_type(answer.content_type or "text/csv")
    reshaped = settings.join_input or not settings.output_filter.selects_all
    if settings.split_type != "Line" or media_type not in LINE_ORIENTED_TYPES:
        if reshaped:
            raise _reshaping_not_emulated(media_type)
        return answer.body
    lines = transform_records.answer_lines(answer.body)
    if len(lines) != end - start:
        raise ObjectFailed(
            "ClientError",
            f"The algorithm answered {len(lines)} lines for a mini-batch of {end - start} records (records "
            f"{start + 1}-{end}): every record needs exactly one line of output to keep rows in their order",
        )
    if not reshaped:
        return answer.body
    if media_type != "text/csv":
        raise _reshaping_not_emulated(media_type)
    try:
        if settings.join_input:
            lines = [
                transform_records.join_with_input(records[index], line)
                for index, line in zip(range(start, end), lines, strict=True)
            ]
        return b"".join(settings.output_filter.apply(line) + b"\n" for line in lines)
    except RecordError as error:
        raise ObjectFailed(
            "ClientError", f"OutputFilter {settings.output_filter.expression}: {error}"
        ) from error


def transform_object(
    source: InputObject,
    result: ObjectResult,
    settings: TransformSettings,
    invoke: Callable[[bytes], Answer],
    stop_requested: Callable[[], bool],
    *,
    account_id: str,
    region: str,
    session: RoleSession,
) -> None:
    """Transform one object and write its output to `result.output_uri`, counting records and requests in
    `result`; raises ObjectFailed (nothing written) or Stopped."""
    records = transform_records.split_records(
        _read(source, settings, account_id, region, session), settings.split_type
    )
    result.records = len(records)
    try:
        inputs = (
            records
            if settings.input_filter.selects_all
            else [settings.input_filter.apply(record) for record in records]
        )
        batches = list(
            transform_records.mini_batches(
                inputs, settings.split_type, settings.batch_strategy, settings.max_payload_in_mb
            )
        )
    except RecordError as error:
        raise ObjectFailed("ClientError", str(error)) from error
    parts = []
    for start, end in batches:
        if stop_requested():
            raise Stopped()
        try:
            answer = invoke(transform_records.payload(inputs[start:end], settings.split_type))
        except OSError as error:
            raise ObjectFailed("AlgorithmError", f"Unable to get response from algorithm: {error}") from error
        result.requests += 1
        parts.append(_answer_part(answer, records, start, end, settings))
    try:
        write_object(
            account_id,
            region,
            result.output_uri,
            transform_records.assemble(parts, settings.assemble_with),
            session=session,
            kms_key_id=settings.kms_key_id,
        )
    except S3AccessError as error:
        raise ObjectFailed(
            "ClientError", f"Failed to upload the output object {result.output_uri}: {error}"
        ) from error
    result.written = True
