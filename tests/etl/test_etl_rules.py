"""The row rules and the argument parsing, without Spark."""

from __future__ import annotations

import etl_job
import pytest
from etl_job import EtlArgumentError, Rejection, classify_line, output_row, parse_arguments, split_point

REQUIRED = [
    *("--run_id", "r", "--input_uri", "in.csv", "--train_uri", "out/train/"),
    *("--validation_uri", "out/validation/", "--rejected_uri", "out/rejected/"),
    *("--manifest_uri", "out/manifest.json"),
]


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("1,2.5,-3,+4e2,.5, 6 ", None),
        ("0,1,2,3,4,5", None),
        ('"1,2,3,4,5,6"', Rejection(etl_job.QUOTED, "line is wrapped in double quotes")),
        ("1,2,3,4,5", Rejection(etl_job.WRONG_COLUMN_COUNT, "expected 6 columns, found 5")),
        ("1,2,3,4,5,6,7", Rejection(etl_job.WRONG_COLUMN_COUNT, "expected 6 columns, found 7")),
        ("1,2,3,4,5,", Rejection(etl_job.NON_NUMERIC, "column 5: '' is not a number")),
        (" ,2,3,4,5,6", Rejection(etl_job.MISSING_LABEL, "label column 0 is empty")),
        ("1,2,abc,4,5,6", Rejection(etl_job.NON_NUMERIC, "column 2: 'abc' is not a number")),
        ("1,2,NaN,4,5,6", Rejection(etl_job.NON_NUMERIC, "column 2: 'NaN' is not a number")),
        ("1,2,1e,4,5,6", Rejection(etl_job.NON_NUMERIC, "column 2: '1e' is not a number")),
        ("1,2,٣,4,5,6", Rejection(etl_job.NON_NUMERIC, "column 2: '٣' is not a number")),
    ],
)
def test_classify_line(line: str, expected: Rejection | None) -> None:
    assert classify_line(line, expected_columns=6, label_column=0) == expected


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ('"secret,2,3,4,5,6"', "line is wrapped in double quotes"),
        ("secret,2,3,4,5", "expected 6 columns, found 5"),
        (" ,secret,3,4,5,6", "label column 0 is empty"),
        ("1,2,secret,4,5,6", "column 2 is not a number"),
        ("1,2,3,4,5,secret'secret", "column 5 is not a number"),
    ],
)
def test_message_detail_keeps_the_reason_and_drops_the_row_text(line: str, expected: str) -> None:
    rejection = classify_line(line, expected_columns=6, label_column=0)
    assert rejection is not None and "secret" in rejection.detail + line
    assert etl_job.message_detail(rejection.reason, rejection.detail) == expected
    assert etl_job.message_detail("some_future_reason", "value 'secret'") == "see the rejected output"


def test_missing_label_is_checked_in_the_label_column() -> None:
    assert classify_line("1,,3", expected_columns=3, label_column=1) == Rejection(
        etl_job.MISSING_LABEL, "label column 1 is empty"
    )
    assert classify_line(",2,3", expected_columns=3, label_column=1) == Rejection(
        etl_job.NON_NUMERIC, "column 0: '' is not a number"
    )


@pytest.mark.parametrize(
    ("line", "label_column", "expected"),
    [("0, 1 ,2", 0, "0,1,2"), ("a0,a1,L,a3", 2, "L,a0,a1,a3"), ("a0,L", 1, "L,a0"), ("L,a1", 0, "L,a1")],
)
def test_output_row_puts_the_label_first_and_removes_spaces(
    line: str, label_column: int, expected: str
) -> None:
    assert output_row(line, label_column) == expected


def test_split_point_is_a_stable_fraction_of_the_row_hash() -> None:
    points = [split_point(f"{i % 2},{i}") for i in range(2000)]
    assert all(0.0 <= p < 1.0 for p in points)
    assert split_point("1,2,3") == split_point("1,2,3")
    assert 0.77 < sum(p < 0.8 for p in points) / len(points) < 0.83


def test_defaults_apply_and_unknown_glue_arguments_are_ignored() -> None:
    glue_before = ["--JOB_ID", "j_1", "--JOB_RUN_ID", "jr_1", "--JOB_NAME", "etl"]
    glue_after = [
        "--TempDir",
        "s3://b/tmp",
        "--job-bookmark-option",
        "job-bookmark-disable",
        "--enable-metrics",
    ]
    args = parse_arguments([*glue_before, *REQUIRED, *glue_after])
    assert (args.run_id, args.input_uri, args.train_uri) == ("r", "in.csv", "out/train/")
    assert (args.validation_uri, args.rejected_uri) == ("out/validation/", "out/rejected/")
    assert args.manifest_uri == "out/manifest.json"
    assert (args.train_fraction, args.label_column, args.has_header) == (0.8, 0, False)
    assert (args.min_valid_rows, args.max_rejected_fraction, args.expected_columns) == (100, 0.0, None)


def test_options_are_parsed() -> None:
    args = parse_arguments(
        [
            *REQUIRED,
            *("--train_fraction", "0.7", "--label_column", "3", "--has_header", "TRUE"),
            *("--min_valid_rows", "5", "--max_rejected_fraction", "0.25", "--expected_columns", "9"),
        ]
    )
    assert (args.train_fraction, args.label_column, args.has_header) == (0.7, 3, True)
    assert (args.min_valid_rows, args.max_rejected_fraction, args.expected_columns) == (5, 0.25, 9)


@pytest.mark.parametrize(
    "missing",
    ["--run_id", "--input_uri", "--train_uri", "--validation_uri", "--rejected_uri", "--manifest_uri"],
)
def test_a_missing_required_argument_is_named(missing: str) -> None:
    argv = list(REQUIRED)
    index = argv.index(missing)
    del argv[index : index + 2]
    with pytest.raises(EtlArgumentError, match=missing):
        parse_arguments(argv)


def test_abbreviations_of_required_arguments_are_not_accepted() -> None:
    with pytest.raises(EtlArgumentError, match="--run_id"):
        parse_arguments(["--run", "r", *REQUIRED[2:]])


@pytest.mark.parametrize(
    ("option", "value", "message"),
    [
        ("--train_fraction", "1", "strictly between 0 and 1"),
        ("--train_fraction", "x", "must be a float"),
        ("--label_column", "-1", "--label_column must be >= 0"),
        ("--has_header", "yes", "--has_header must be true or false"),
        ("--min_valid_rows", "0", "--min_valid_rows must be >= 1"),
        ("--max_rejected_fraction", "1.5", "between 0 and 1"),
        ("--expected_columns", "0", "--expected_columns must be >= 1"),
    ],
)
def test_invalid_options_are_named(option: str, value: str, message: str) -> None:
    with pytest.raises(EtlArgumentError, match=message):
        parse_arguments([*REQUIRED, option, value])


@pytest.mark.parametrize(
    ("option", "value", "message"),
    [
        ("--train_uri", "out/train", "--train_uri must be a prefix ending in '/'"),
        ("--rejected_uri", "s3://b/runs/r/etl/rejected", "--rejected_uri must be a prefix"),
        ("--manifest_uri", "out/manifest/", "--manifest_uri must name an object"),
    ],
)
def test_output_locations_must_have_their_kind(option: str, value: str, message: str) -> None:
    argv = list(REQUIRED)
    argv[argv.index(option) + 1] = value
    with pytest.raises(EtlArgumentError, match=message):
        parse_arguments(argv)
