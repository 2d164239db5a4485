"""Glue (Spark) ETL job: validate a headerless numeric CSV and split it for SageMaker's built-in algorithms.

Runs unchanged as an AWS Glue 5.0 Spark job (s3:// paths) and locally with pyspark 3.5 (local paths or
file:// URIs): every read and write goes through Spark or Hadoop's FileSystem API, never boto3.

Every input line ends in exactly one place: `train/`, `validation/`, `rejected/` (with its reason and
source line number), or a manifest count (the declared header line, blank lines). See glue/README.md.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

from py4j.java_gateway import is_instance_of
from pyspark import SparkConf
from pyspark.sql import Column, DataFrame, SparkSession
from pyspark.sql import functions as F

# Every location comes from the run input (statemachine/README.md): the job derives no path of its own.
REQUIRED_ARGUMENTS = ("run_id", "input_uri", "train_uri", "validation_uri", "rejected_uri", "manifest_uri")
OUTPUT_PREFIX_ARGUMENTS = ("train_uri", "validation_uri", "rejected_uri")
OPTIONAL_ARGUMENTS: dict[str, str] = {
    "train_fraction": "0.8",
    "label_column": "0",
    "has_header": "false",
    "min_valid_rows": "100",
    "max_rejected_fraction": "0.0",
    # Empty means: the column count of the first data line.
    "expected_columns": "",
}

# A field is a plain decimal number, optionally signed, with an optional exponent, surrounded by optional
# spaces or tabs. Written with explicit character classes so that Java's and Python's regex engines agree
# (Python's \d and \s also match non-ASCII digits and spaces). NaN and Infinity are rejected on purpose.
# The quantifiers are possessive (Java, Python >= 3.11): each part of a number uses characters the next
# cannot, so never backtracking changes no result and halves the time Spark spends validating rows.
NUMBER = r"[+-]?+(?:[0-9]++\.?+[0-9]*+|\.[0-9]++)(?:[eE][+-]?+[0-9]++)?+"
FIELD = rf"[ \t]*+{NUMBER}[ \t]*+"
QUOTED_LINE = r'^[ \t]*".*"[ \t]*$'
BLANK_LINE = r"^[ \t]*$"

# Reasons, in the order they are checked: a line gets the first that applies.
QUOTED = "quoted_line"
WRONG_COLUMN_COUNT = "wrong_column_count"
MISSING_LABEL = "missing_label"
NON_NUMERIC = "non_numeric"

# Destinations of an input line.
TRAIN, VALIDATION, REJECTED, BLANK, HEADER = "train", "validation", "rejected", "blank", "header"

# The split uses the first 52 bits of the row's SHA-256: exactly representable as a double in both Python
# and Spark, so both compute the same point in [0, 1).
SPLIT_HASH_HEX_DIGITS = 13
SPLIT_HASH_SCALE = float(16**SPLIT_HASH_HEX_DIGITS)

FIRST_OFFENDERS_IN_MESSAGE = 5
MAX_LABELS_IN_MANIFEST = 100
SNIFF_LINES = 50


class EtlArgumentError(ValueError):
    """A job argument is missing or invalid."""


class EtlInputError(ValueError):
    """The input cannot produce a training set; the message says why and where."""


@dataclass(frozen=True)
class JobArguments:
    run_id: str
    input_uri: str
    train_uri: str
    validation_uri: str
    rejected_uri: str
    manifest_uri: str
    train_fraction: float
    label_column: int
    has_header: bool
    min_valid_rows: int
    max_rejected_fraction: float
    expected_columns: int | None


@dataclass(frozen=True)
class Rejection:
    reason: str
    detail: str


# ----------------------------------------------------------------------------------------------------------
# Arguments


class _RaisingArgumentParser(argparse.ArgumentParser):
    # argparse exits the interpreter on errors; the job must raise so that Glue (and tests) see the message.
    def error(self, message: str) -> None:  # type: ignore[override]
        raise EtlArgumentError(message)


def _resolve_raw_arguments(argv: Sequence[str]) -> dict[str, str]:
    try:
        from awsglue.utils import getResolvedOptions  # type: ignore[import-not-found]
    except ImportError:
        return _parse_with_argparse(argv)
    # getResolvedOptions fails on a listed option that is absent: optional ones are listed only when given.
    given = [name for name in OPTIONAL_ARGUMENTS if f"--{name}" in argv]
    resolved = getResolvedOptions(["etl_job.py", *argv], [*REQUIRED_ARGUMENTS, *given])
    return {**OPTIONAL_ARGUMENTS, **{k: resolved[k] for k in (*REQUIRED_ARGUMENTS, *given)}}


def _parse_with_argparse(argv: Sequence[str]) -> dict[str, str]:
    parser = _RaisingArgumentParser(prog="etl_job.py", allow_abbrev=False)
    for name in REQUIRED_ARGUMENTS:
        parser.add_argument(f"--{name}", required=True)
    for name, default in OPTIONAL_ARGUMENTS.items():
        parser.add_argument(f"--{name}", default=default)
    # Glue adds its own arguments (--JOB_ID, --JOB_RUN_ID, --TempDir, --job-bookmark-option, ...).
    known, _unknown = parser.parse_known_args(list(argv))
    return vars(known)


def _parse_bool(name: str, text: str) -> bool:
    lowered = text.strip().lower()
    if lowered not in ("true", "false"):
        raise EtlArgumentError(f"--{name} must be true or false, got {text!r}")
    return lowered == "true"


def _parse_number(name: str, text: str, kind: type, low: float, high: float | None = None) -> Any:
    try:
        value = kind(text)
    except ValueError:
        raise EtlArgumentError(f"--{name} must be a {kind.__name__}, got {text!r}") from None
    if value < low or (high is not None and value > high):
        bounds = f">= {low}" if high is None else f"between {low} and {high}"
        raise EtlArgumentError(f"--{name} must be {bounds}, got {text!r}")
    return value


def parse_arguments(argv: Sequence[str]) -> JobArguments:
    raw = _resolve_raw_arguments(argv)
    for name in REQUIRED_ARGUMENTS:
        if not raw[name].strip():
            raise EtlArgumentError(f"--{name} must not be empty")
    for name in OUTPUT_PREFIX_ARGUMENTS:
        if not raw[name].endswith("/"):
            raise EtlArgumentError(f"--{name} must be a prefix ending in '/', got {raw[name]!r}")
    if raw["manifest_uri"].endswith("/"):
        raise EtlArgumentError(f"--manifest_uri must name an object, not a prefix: {raw['manifest_uri']!r}")
    train_fraction = _parse_number("train_fraction", raw["train_fraction"], float, 0.0, 1.0)
    if not 0.0 < train_fraction < 1.0:
        raise EtlArgumentError(f"--train_fraction must be strictly between 0 and 1, got {train_fraction}")
    expected = raw["expected_columns"].strip()
    return JobArguments(
        run_id=raw["run_id"],
        input_uri=raw["input_uri"],
        train_uri=raw["train_uri"],
        validation_uri=raw["validation_uri"],
        rejected_uri=raw["rejected_uri"],
        manifest_uri=raw["manifest_uri"],
        train_fraction=train_fraction,
        label_column=_parse_number("label_column", raw["label_column"], int, 0),
        has_header=_parse_bool("has_header", raw["has_header"]),
        min_valid_rows=_parse_number("min_valid_rows", raw["min_valid_rows"], int, 1),
        max_rejected_fraction=_parse_number(
            "max_rejected_fraction", raw["max_rejected_fraction"], float, 0, 1
        ),
        expected_columns=_parse_number("expected_columns", expected, int, 1) if expected else None,
    )


# ----------------------------------------------------------------------------------------------------------
# Row rules: the Python functions define them, the Spark expressions below implement the same rules
# without Python UDFs (tests check that both agree).


def _row_pattern(expected_columns: int) -> str:
    return rf"^{FIELD}(?:,{FIELD}){{{expected_columns - 1}}}+$"


def classify_line(line: str, expected_columns: int, label_column: int) -> Rejection | None:
    """Why a non-blank data line is rejected, or None when it is a valid row."""
    if re.fullmatch(_row_pattern(expected_columns), line):
        return None
    if re.match(QUOTED_LINE, line):
        return Rejection(QUOTED, "line is wrapped in double quotes")
    fields = line.split(",")
    if len(fields) != expected_columns:
        return Rejection(WRONG_COLUMN_COUNT, f"expected {expected_columns} columns, found {len(fields)}")
    if not fields[label_column].strip(" \t"):
        return Rejection(MISSING_LABEL, f"label column {label_column} is empty")
    column = next(i for i, field in enumerate(fields) if not re.fullmatch(FIELD, field))
    return Rejection(NON_NUMERIC, f"column {column}: {fields[column][:40]!r} is not a number")


def output_row(line: str, label_column: int) -> str:
    """A valid line as written to train/ or validation/: spaces removed, label first."""
    fields = re.sub(r"[ \t]", "", line).split(",")
    return ",".join([fields[label_column], *fields[:label_column], *fields[label_column + 1 :]])


def split_point(row: str) -> float:
    """Where a row falls in [0, 1): rows below the train fraction go to train/."""
    return int(hashlib.sha256(row.encode("utf-8")).hexdigest()[:SPLIT_HASH_HEX_DIGITS], 16) / SPLIT_HASH_SCALE


def is_train(row: str, train_fraction: float) -> bool:
    return split_point(row) < train_fraction


# Most rows hold plain unsigned numbers without spaces or exponents: this pattern accepts a subset of the
# lines _row_pattern accepts (its field is NUMBER's first alternative, nothing around it) and costs Java's
# regex engine less than half as much per field. Lines it does not accept get the full pattern.
PLAIN_FIELD = r"[0-9]++\.?+[0-9]*+"


def _plain_row_pattern(expected_columns: int) -> str:
    return rf"^{PLAIN_FIELD}(?:,{PLAIN_FIELD}){{{expected_columns - 1}}}+$"


def _spark_is_valid(value: Column, expected_columns: int) -> Column:
    # Or evaluates its right side only when the left is false: the same result as the full pattern alone.
    return value.rlike(_plain_row_pattern(expected_columns)) | value.rlike(_row_pattern(expected_columns))


def _spark_rejection(value: Column, expected_columns: int, label_column: int) -> Column:
    """Spark twin of classify_line for a line known to be invalid: struct(reason, detail).

    Written without higher-order functions (transform, exists), which would turn off Spark's code generation
    for the whole projection."""
    fields = F.split(value, ",", -1)
    # The longest run of valid fields, each followed by a comma, ends right before the first invalid field.
    valid_prefix = F.regexp_extract(value, rf"^((?:{FIELD},)*)", 1)
    first_bad = F.size(F.split(valid_prefix, ",", -1)) - 1
    bad_text = F.element_at(fields, first_bad + 1).substr(1, 40)

    def rejection(reason: str, detail: Column) -> Column:
        return F.struct(F.lit(reason).alias("reason"), detail.alias("detail"))

    return (
        F.when(value.rlike(QUOTED_LINE), rejection(QUOTED, F.lit("line is wrapped in double quotes")))
        .when(
            F.size(fields) != expected_columns,
            rejection(
                WRONG_COLUMN_COUNT,
                F.format_string(f"expected {expected_columns} columns, found %d", F.size(fields)),
            ),
        )
        .when(
            F.element_at(fields, label_column + 1).rlike(r"^[ \t]*$"),
            rejection(MISSING_LABEL, F.lit(f"label column {label_column} is empty")),
        )
        .otherwise(
            rejection(
                NON_NUMERIC,
                # Python's repr quotes with '...' unless the text holds a single quote; Spark mirrors the
                # common case, tests compare reasons and the column number.
                F.format_string("column %d: '%s' is not a number", first_bad, bad_text),
            )
        )
    )


def _spark_classification(value: Column, expected_columns: int, label_column: int) -> Column:
    """Spark twin of classify_line: struct(reason, detail), both null for a valid row."""
    null = F.lit(None).cast("string")
    return F.when(
        _spark_is_valid(value, expected_columns), F.struct(null.alias("reason"), null.alias("detail"))
    ).otherwise(_spark_rejection(value, expected_columns, label_column))


def _spark_output_row(value: Column, label_column: int) -> Column:
    # Two byte-level replaces, not translate(value, " \t", ""): Spark's translate looks every character up in
    # a map and took ~2.3 s per million 70-column lines on 2 cores, the replaces ~0.6 s; the result is the
    # same (space and tab are single bytes that never occur inside another character's UTF-8 encoding).
    compact = F.replace(F.replace(value, F.lit(" "), F.lit("")), F.lit("\t"), F.lit(""))
    if label_column == 0:
        return compact
    fields = F.split(compact, ",", -1)
    return F.concat_ws(
        ",",
        F.element_at(fields, label_column + 1),
        F.slice(fields, 1, label_column),
        F.slice(fields, label_column + 2, 1 << 30),
    )


def _spark_split_point(row: Column) -> Column:
    prefix = F.substring(F.sha2(row, 256), 1, SPLIT_HASH_HEX_DIGITS)
    return F.conv(prefix, 16, 10).cast("long") / F.lit(SPLIT_HASH_SCALE)


# ----------------------------------------------------------------------------------------------------------
# Hadoop FileSystem helpers (the same calls work for s3:// on Glue and file:// locally)


class HadoopFiles:
    def __init__(self, spark: SparkSession) -> None:
        self._gateway = spark.sparkContext._gateway
        self._jvm = spark.sparkContext._jvm
        self._conf = spark.sparkContext._jsc.hadoopConfiguration()

    def path(self, uri: str) -> Any:
        return self._jvm.org.apache.hadoop.fs.Path(uri)

    def _fs(self, path: Any) -> Any:
        fs = path.getFileSystem(self._conf)
        # The local ChecksumFileSystem writes .crc files and hides them from listings; the raw one does not.
        if is_instance_of(self._gateway, fs, "org.apache.hadoop.fs.ChecksumFileSystem"):
            return fs.getRawFileSystem()
        return fs

    def status(self, uri: str) -> Any | None:
        path = self.path(uri)
        fs = self._fs(path)
        return fs.getFileStatus(path) if fs.exists(path) else None

    def head_lines(self, uri: str, count: int) -> list[str]:
        path = self.path(uri)
        stream = self._fs(path).open(path)
        codec = self._jvm.org.apache.hadoop.io.compress.CompressionCodecFactory(self._conf).getCodec(path)
        if codec is not None:
            stream = codec.createInputStream(stream)
        reader = self._jvm.java.io.BufferedReader(self._jvm.java.io.InputStreamReader(stream, "UTF-8"))
        try:
            lines = []
            for _ in range(count):
                line = reader.readLine()
                if line is None:
                    break
                lines.append(line)
            return lines
        finally:
            reader.close()

    def write_text(self, uri: str, text: str) -> None:
        path = self.path(uri)
        stream = self._fs(path).create(path, True)
        try:
            stream.write(bytearray(text.encode("utf-8")))
        finally:
            stream.close()

    def delete(self, uri: str) -> None:
        path = self.path(uri)
        fs = self._fs(path)
        if fs.exists(path):
            fs.delete(path, True)

    def remove_non_data_files(self, uri: str) -> None:
        """Delete _SUCCESS, .crc and other hidden files, and empty parts: SageMaker refuses hidden files in a
        channel and its XGBoost container sniffs the CSV delimiter from the first file."""
        path = self.path(uri)
        fs = self._fs(path)
        for status in fs.listStatus(path):
            name = status.getPath().getName()
            if name.startswith((".", "_")) or (status.isFile() and status.getLen() == 0):
                fs.delete(status.getPath(), True)


def _escape_glob(uri: str) -> str:
    # Spark expands glob characters in read paths; an uploaded key may contain them literally.
    return re.sub(r"([{}\[\]*?\\])", r"\\\1", uri)


# ----------------------------------------------------------------------------------------------------------
# The job


def _first_data_line(head: list[str], has_header: bool) -> str | None:
    body = head[1:] if has_header else head
    return next((line for line in body if not re.match(BLANK_LINE, line)), None)


def _most_common_column_count(head: list[str], has_header: bool) -> int:
    """The column count of most of the first lines (ties: the earliest), so one broken line at the top of
    the file does not make every other line wrong."""
    body = head[1:] if has_header else head
    counts = Counter(len(line.split(",")) for line in body if not re.match(BLANK_LINE, line))
    return counts.most_common(1)[0][0]


# Where a line goes, cached as one byte per line. The codes of invalid lines sort after those of valid rows:
# the in-memory cache keeps min/max statistics per batch, so a scan for rejected lines skips every batch
# that holds valid rows only (on clean input, the rejected steps read almost nothing).
_CODES = {TRAIN: 0, VALIDATION: 1, BLANK: 2, REJECTED: 3}
_DESTINATIONS = {code: destination for destination, code in _CODES.items()}


def _classified_lines(spark: SparkSession, args: JobArguments, expected_columns: int) -> DataFrame:
    """One row per input line: where it is in the file, where it goes (`code`), and its text (the output row
    when valid, the original line otherwise); cached, as every later step reads it."""
    # Position columns are computed right at the scan, before any shuffle: monotonically_increasing_id holds
    # the partition id in its upper 31 bits and the row's position in the partition in the lower 33, and
    # input_file_block_start says which byte range of the file the partition read.
    lines = spark.read.text(_escape_glob(args.input_uri)).select(
        F.col("value"),
        F.spark_partition_id().alias("partition"),
        F.input_file_block_start().alias("block"),
        (F.monotonically_increasing_id().bitwiseAND((1 << 33) - 1)).alias("position"),
    )
    # The row regex is most of the job's time: it runs once per line, in its own projection (Spark keeps a
    # projection apart when a costly column is used twice, so `valid` is not evaluated again below). A valid
    # row holds digits, so the blank check only runs on invalid lines.
    valid = _spark_is_valid(F.col("value"), expected_columns)
    text = F.when(F.col("valid"), _spark_output_row(F.col("value"), args.label_column)).otherwise(
        F.col("value")
    )
    code = (
        F.when(
            F.col("valid"),
            F.when(
                _spark_split_point(F.col("text")) < F.lit(args.train_fraction), F.lit(_CODES[TRAIN])
            ).otherwise(F.lit(_CODES[VALIDATION])),
        )
        .when(F.col("text").rlike(BLANK_LINE), F.lit(_CODES[BLANK]))
        .otherwise(F.lit(_CODES[REJECTED]))
        .cast("byte")
    )
    return (
        lines.select("partition", "block", "position", "value", valid.alias("valid"))
        .select("partition", "block", "position", "valid", text.alias("text"))
        .select("partition", "block", "position", code.alias("code"), "text")
        .persist()
    )


@dataclass(frozen=True)
class _Summary:
    """What one aggregation over the classified lines says about the whole file."""

    ranges: list[tuple[int, int, int, int]]  # (block, partition, lines, first position), in file order
    counts: Counter[str]
    by_reason: Counter[str]
    # (destination, label) -> rows, or None when there are too many groups to have collected them all.
    labels: Counter[tuple[str, str]] | None


# Collected groups of the summary: (block, partition) x code x reason x label. Far more than any input with
# at most MAX_LABELS_IN_MANIFEST labels yields; above it, the labels are counted in a separate step.
_SUMMARY_GROUP_LIMIT = 100_000


def _reason(expected_columns: int, label_column: int) -> Column:
    rejection = _spark_rejection(F.col("text"), expected_columns, label_column)
    return F.when(F.col("code") == _CODES[REJECTED], rejection["reason"])


def _label() -> Column:
    return F.when(F.col("code") <= _CODES[VALIDATION], F.substring_index("text", ",", 1))


def _summarize(classified: DataFrame, args: JobArguments, expected_columns: int) -> _Summary:
    """Line ranges, counts, rejection reasons and labels in one pass: the pass that also fills the cache."""
    reason = _reason(expected_columns, args.label_column)
    keys = [
        F.col("block"),
        F.col("partition"),
        F.col("code"),
        reason.alias("reason"),
        _label().alias("label"),
    ]
    groups = (
        classified.groupBy(*keys)
        .agg(F.count(F.lit(1)).alias("lines"), F.min("position").alias("first_position"))
        .limit(_SUMMARY_GROUP_LIMIT)
        .collect()
    )
    labels: Counter[tuple[str, str]] | None = Counter()
    if len(groups) >= _SUMMARY_GROUP_LIMIT:  # a regression target: group again without the label
        keys = keys[:-1]
        groups = (
            classified.groupBy(*keys)
            .agg(F.count(F.lit(1)).alias("lines"), F.min("position").alias("first_position"))
            .collect()
        )
        labels = None
    per_range: dict[tuple[int, int], list[int]] = {}
    counts: Counter[str] = Counter()
    by_reason: Counter[str] = Counter()
    for g in groups:
        lines, first = per_range.setdefault((g["block"], g["partition"]), [0, g["first_position"]])
        per_range[(g["block"], g["partition"])] = [lines + g["lines"], min(first, g["first_position"])]
        destination = _DESTINATIONS[g["code"]]
        counts[destination] += g["lines"]
        if destination == REJECTED:
            by_reason[g["reason"]] += g["lines"]
        elif labels is not None and destination in (TRAIN, VALIDATION):
            labels[(destination, g["label"])] += g["lines"]
    ranges = sorted(
        ((block, partition, lines, first) for (block, partition), (lines, first) in per_range.items()),
        key=lambda r: (r[0], r[3]),
    )
    return _Summary(ranges, counts, by_reason, labels)


def _line_number_expression(ranges: list[tuple[int, int, int, int]]) -> Column:
    """Source line number (1-based) of each row, from the number of lines in earlier byte ranges."""
    expression: Column | None = None
    lines_before = 0
    for block, partition, lines, first_position in ranges:
        offset = F.lit(lines_before + 1 - first_position)
        condition = (F.col("block") == block) & (F.col("partition") == partition)
        expression = F.when(condition, offset) if expression is None else expression.when(condition, offset)
        lines_before += lines
    if expression is None:
        return F.lit(None).cast("long")
    return F.col("position") + expression.otherwise(F.lit(None))


def _header_condition(summary: _Summary, args: JobArguments) -> Column:
    """True for the declared header line (line 1), which goes nowhere but the manifest's count."""
    if not args.has_header or not summary.ranges:
        return F.lit(False)
    block, partition, _, first_position = summary.ranges[0]
    return (
        (F.col("block") == block) & (F.col("partition") == partition) & (F.col("position") == first_position)
    )


def _decrement(counter: Counter[Any], key: Any) -> None:
    counter[key] -= 1
    if not counter[key]:
        del counter[key]  # a key whose only line was the header is not in the manifest


def _take_out_header(
    classified: DataFrame, summary: _Summary, args: JobArguments, expected_columns: int
) -> Counter[str]:
    """Move line 1 from whatever the summary counted it as to the header count; returns the counts."""
    counts = Counter(summary.counts)
    if not args.has_header or not summary.ranges:
        return counts
    reason = _reason(expected_columns, args.label_column)
    (header,) = (
        classified.filter(_header_condition(summary, args))
        .select("code", reason.alias("reason"), _label().alias("label"))
        .collect()
    )
    destination = _DESTINATIONS[header["code"]]
    counts[destination] -= 1
    counts[HEADER] += 1
    if destination == REJECTED:
        _decrement(summary.by_reason, header["reason"])
    elif summary.labels is not None and destination in (TRAIN, VALIDATION):
        _decrement(summary.labels, (destination, header["label"]))
    return Counter({k: v for k, v in counts.items() if v})


def _rejected_lines(
    classified: DataFrame, summary: _Summary, args: JobArguments, expected_columns: int
) -> DataFrame:
    rejection = _spark_rejection(F.col("text"), expected_columns, args.label_column)
    return (
        classified.filter((F.col("code") == _CODES[REJECTED]) & ~_header_condition(summary, args))
        .withColumn("line", _line_number_expression(summary.ranges))
        .select("line", rejection["reason"].alias("reason"), rejection["detail"].alias("detail"), "text")
    )


def _label_distribution(
    classified: DataFrame, summary: _Summary, args: JobArguments
) -> dict[str, dict[str, int]] | None:
    counts = summary.labels
    if counts is None:  # more groups than the summary collects: count the labels on their own
        limit = 2 * MAX_LABELS_IN_MANIFEST + 1
        valid = classified.filter((F.col("code") <= _CODES[VALIDATION]) & ~_header_condition(summary, args))
        rows = valid.groupBy("code", _label().alias("label")).count().limit(limit).collect()
        counts = Counter({(_DESTINATIONS[r["code"]], r["label"]): r["count"] for r in rows})
    if len({label for _, label in counts}) > MAX_LABELS_IN_MANIFEST:
        return None  # a regression target: a distribution of thousands of values helps nobody
    distribution: dict[str, dict[str, int]] = {TRAIN: {}, VALIDATION: {}}
    for (destination, label), count in sorted(counts.items()):
        distribution[destination][label] = count
    return distribution


# The error message travels far from the bucket (Glue's ErrorMessage, the execution's Fail cause, its history
# and logs, notifications), to readers and retention the data was not meant for: it names a rejected row by
# line number and reason only. The row's text, and the offending value in `detail`, stay in the rejected
# output the run writes to its own prefix of the user's bucket.
_CONTENT_FREE_DETAILS = (QUOTED, WRONG_COLUMN_COUNT, MISSING_LABEL)  # constants, counts, column numbers


def message_detail(reason: str, detail: str) -> str:
    """The rejection's detail as the error message may carry it: without any text of the row."""
    if reason in _CONTENT_FREE_DETAILS:
        return detail
    column = re.match(r"column ([0-9]+):", detail) if reason == NON_NUMERIC else None
    return f"column {column[1]} is not a number" if column else "see the rejected output"


def _describe(row: Any) -> str:
    return f"line {row['line']}: {row['reason']} ({message_detail(row['reason'], row['detail'])})"


def _write_rows(rows: DataFrame, uri: str, files: HadoopFiles) -> None:
    rows.select("text").write.mode("overwrite").text(uri)
    files.remove_non_data_files(uri)


def _write_rejected(rejected: DataFrame, uri: str, files: HadoopFiles) -> None:
    (
        rejected.select("line", "reason", "detail", "text")
        .coalesce(1)
        .sortWithinPartitions("line")
        .write.mode("overwrite")
        .json(uri)
    )
    files.remove_non_data_files(uri)


def run(spark: SparkSession, args: JobArguments) -> dict[str, Any]:
    """Validate and split args.input_uri into the output locations; returns the manifest written."""
    conf = spark.sparkContext._jsc.hadoopConfiguration()
    conf.set("mapreduce.fileoutputcommitter.marksuccessfuljobs", "false")
    files = HadoopFiles(spark)
    source = args.input_uri

    status = files.status(source)
    if status is None:
        raise EtlInputError(f"input {source} does not exist")
    if status.isDirectory():
        raise EtlInputError(f"input {source} is a directory; the job reads one CSV file")
    if status.getLen() == 0:
        raise EtlInputError(f"input {source} is empty (0 bytes)")

    head = files.head_lines(source, SNIFF_LINES)
    first_data_line = _first_data_line(head, args.has_header)
    if first_data_line is None and len(head) < SNIFF_LINES:
        header_note = " besides the header line" if args.has_header else ""
        raise EtlInputError(f"input {source} is empty: no data lines{header_note}")
    if args.expected_columns is not None:
        expected_columns, columns_from = args.expected_columns, "--expected_columns"
    elif first_data_line is not None:
        expected_columns = _most_common_column_count(head, args.has_header)
        columns_from = f"most common among the first {SNIFF_LINES} lines"
    else:
        raise EtlInputError(f"input {source}: no data line among the first {SNIFF_LINES} lines")
    if args.label_column >= expected_columns:
        raise EtlInputError(
            f"input {source}: --label_column {args.label_column} is outside the {expected_columns} "
            f"columns ({columns_from})"
        )

    outputs = {TRAIN: args.train_uri, VALIDATION: args.validation_uri, REJECTED: args.rejected_uri}
    classified = _classified_lines(spark, args, expected_columns)
    try:
        summary = _summarize(classified, args, expected_columns)
        counts = _take_out_header(classified, summary, args, expected_columns)
        by_reason = summary.by_reason
        rejected = _rejected_lines(classified, summary, args, expected_columns)
        n_train, n_validation = counts.get(TRAIN, 0), counts.get(VALIDATION, 0)
        n_rejected, n_valid = counts.get(REJECTED, 0), n_train + n_validation
        n_data = n_valid + n_rejected
        first_offenders = (
            rejected.orderBy("line").limit(FIRST_OFFENDERS_IN_MESSAGE).collect() if n_rejected else []
        )

        manifest: dict[str, Any] = {
            "run_id": args.run_id,
            "status": "succeeded",
            "error": None,
            "input": {"uri": source, "size_bytes": int(status.getLen())},
            "arguments": asdict(args),
            "columns": expected_columns,
            "columns_from": columns_from,
            "lines": {
                "total": sum(counts.values()),
                "data": n_data,
                "header": counts.get(HEADER, 0),
                "blank": counts.get(BLANK, 0),
            },
            "rows": {TRAIN: n_train, VALIDATION: n_validation, REJECTED: n_rejected},
            "rejected_by_reason": dict(sorted(by_reason.items())),
            "label_distribution": None,
            "split": {
                "method": "sha256 of the output row; first 52 bits / 2^52 < train_fraction -> train",
                "train_fraction": args.train_fraction,
            },
            "outputs": {TRAIN: outputs[TRAIN], VALIDATION: outputs[VALIDATION], REJECTED: None},
        }

        for stale in outputs.values():
            files.delete(stale)
        if n_rejected:
            _write_rejected(rejected, outputs[REJECTED], files)
            manifest["outputs"][REJECTED] = outputs[REJECTED]

        problem = _problem(args, source, n_data, n_valid, n_rejected, n_train, n_validation, by_reason)
        if problem is not None:
            offenders = "; ".join(_describe(r) for r in first_offenders)
            hint = _header_hint(args, first_offenders)
            written = f"; rejected rows written to {outputs[REJECTED]}" if n_rejected else ""
            # Line numbers and reasons only: the rows themselves are in the rejected output (see _describe).
            message = f"{problem}{hint}{written}" + (f"; first rejected: {offenders}" if offenders else "")
            manifest.update(status="failed", error=message)
            manifest["outputs"][TRAIN] = manifest["outputs"][VALIDATION] = None
            files.write_text(args.manifest_uri, json.dumps(manifest, indent=2) + "\n")
            raise EtlInputError(message)

        manifest["label_distribution"] = _label_distribution(classified, summary, args)
        not_header = ~_header_condition(summary, args)
        for destination in (TRAIN, VALIDATION):
            rows = classified.filter((F.col("code") == _CODES[destination]) & not_header)
            _write_rows(rows, outputs[destination], files)
        files.write_text(args.manifest_uri, json.dumps(manifest, indent=2) + "\n")
        return manifest
    finally:
        classified.unpersist()


def _problem(
    args: JobArguments,
    source: str,
    n_data: int,
    n_valid: int,
    n_rejected: int,
    n_train: int,
    n_validation: int,
    by_reason: dict[str, int],
) -> str | None:
    if n_data == 0:
        return f"input {source} is empty: no data lines"
    if by_reason.get(QUOTED, 0) == n_data:
        return (
            f"input {source}: every line is wrapped in double quotes, so each line reads as a single text "
            f"field ({n_data} lines); strip the quotes at the start and end of each line and upload again"
        )
    share = n_rejected / n_data
    if share > args.max_rejected_fraction:
        return (
            f"input {source}: {n_rejected} of {n_data} data rows rejected ({share:.2%}), more than "
            f"--max_rejected_fraction {args.max_rejected_fraction} allows"
        )
    if n_valid < args.min_valid_rows:
        return (
            f"input {source}: {n_valid} valid rows ({n_rejected} rejected of {n_data}), fewer than "
            f"--min_valid_rows {args.min_valid_rows}"
        )
    if n_train == 0 or n_validation == 0:
        return (
            f"input {source}: the split of {n_valid} valid rows left train with {n_train} and validation "
            f"with {n_validation} rows (--train_fraction {args.train_fraction}); both need at least one"
        )
    return None


def _header_hint(args: JobArguments, first_offenders: list[Any]) -> str:
    line_one = next((r for r in first_offenders if r["line"] == 1), None)
    if args.has_header or line_one is None or line_one["reason"] != NON_NUMERIC:
        return ""
    return "; line 1 is not numeric: if it is a header row, run with --has_header true"


# ----------------------------------------------------------------------------------------------------------
# Entry points


def _spark_session() -> tuple[SparkSession, bool]:
    """The session to use and whether this script created it (and so should stop it)."""
    try:
        from awsglue.context import GlueContext  # type: ignore[import-not-found]
    except ImportError:
        active = SparkSession.getActiveSession()
        if active is not None:
            return active, False
        builder = (
            SparkSession.builder.appName("etl_job")
            .config("spark.ui.enabled", "false")
            .config("spark.ui.showConsoleProgress", "false")
            # The cached text is unique per line: compression only spends CPU on trying (a dictionary per
            # batch) and keeps it as is. Without it, 1M rows ~1 s faster and 5M rows ~3 s faster locally.
            .config("spark.sql.inMemoryColumnarStorage.compressed", "false")
            # A batch job on a few cores wants throughput, not G1's short pauses: ~10% less time at 5M rows.
            .config("spark.driver.extraJavaOptions", "-XX:+UseParallelGC")
        )
        if not SparkConf().contains("spark.master"):
            builder = builder.master("local[*]")
        return builder.getOrCreate(), True
    from pyspark.context import SparkContext

    return GlueContext(SparkContext.getOrCreate()).spark_session, False


def main(argv: Sequence[str] | None = None) -> dict[str, Any]:
    args = parse_arguments(sys.argv[1:] if argv is None else argv)
    spark, created = _spark_session()
    try:
        return run(spark, args)
    finally:
        if created:
            spark.stop()


if __name__ == "__main__":
    main()
