"""Each kind of bad input: rejected with reason and line number, or the job fails with a clear message."""

from __future__ import annotations

from pathlib import Path

import pytest
from etl_job import EtlInputError, main
from etl_test_support import job_arguments, manifest, rejected_records, run_job
from pyspark.sql import SparkSession

pytestmark = pytest.mark.spark


def with_line(lines: list[str], number: int, text: str) -> list[str]:
    """`lines` with `text` inserted so that it becomes source line `number` (1-based)."""
    return [*lines[: number - 1], text, *lines[number - 1 :]]


def test_wrong_column_count_fails_the_run_and_is_written_to_rejected(
    spark: SparkSession, tmp_path: Path, churn_lines: list[str]
) -> None:
    short = churn_lines[9].rsplit(",", 1)[0]
    with pytest.raises(EtlInputError) as failure:
        run_job(spark, tmp_path, with_line(churn_lines, 10, short))
    message = str(failure.value)
    assert str(tmp_path / "input.csv") in message
    assert "1 of 401 data rows rejected" in message
    assert "line 10: wrong_column_count (expected 70 columns, found 69)" in message
    assert short not in message
    assert rejected_records(tmp_path / "out") == [
        {"line": 10, "reason": "wrong_column_count", "detail": "expected 70 columns, found 69", "text": short}
    ]
    written = manifest(tmp_path / "out")
    assert written["status"] == "failed" and written["error"] == message
    assert not (tmp_path / "out" / "train").exists()


def test_rejected_share_within_a_raised_limit_succeeds_and_keeps_rejected_rows(
    spark: SparkSession, tmp_path: Path, churn_lines: list[str]
) -> None:
    lines = with_line(churn_lines, 3, "1,2,x" + ",0" * 67)
    lines = with_line(lines, 50, " ," + churn_lines[0].split(",", 1)[1])
    lines = with_line(lines, 400, churn_lines[5] + ",9")
    result = run_job(spark, tmp_path, lines, max_rejected_fraction=0.01)
    records = rejected_records(tmp_path / "out")
    assert [(r["line"], r["reason"]) for r in records] == [
        (3, "non_numeric"),
        (50, "missing_label"),
        (400, "wrong_column_count"),
    ]
    assert records[0]["detail"] == "column 2: 'x' is not a number"
    assert result["rows"]["rejected"] == 3
    assert result["rows"]["train"] + result["rows"]["validation"] == 400
    assert result["rejected_by_reason"] == {"missing_label": 1, "non_numeric": 1, "wrong_column_count": 1}
    assert result["outputs"]["rejected"] == f"{tmp_path / 'out'}/rejected/"


def test_rejected_share_over_a_raised_limit_fails(
    spark: SparkSession, tmp_path: Path, churn_lines: list[str]
) -> None:
    lines = [line if i % 10 else line.replace(",", ";", 1) for i, line in enumerate(churn_lines[:200])]
    expected = r"20 of 200 data rows rejected \(10.00%\), more than --max_rejected_fraction 0.05 allows"
    with pytest.raises(EtlInputError, match=expected):
        run_job(spark, tmp_path, lines, max_rejected_fraction=0.05)
    assert len(rejected_records(tmp_path / "out")) == 20


def test_undeclared_header_row_is_rejected_with_a_hint(
    spark: SparkSession, tmp_path: Path, churn_lines: list[str]
) -> None:
    header = ",".join(["exited", *(f"feature_{i}" for i in range(69))])
    with pytest.raises(EtlInputError) as failure:
        run_job(spark, tmp_path, [header, *churn_lines])
    assert "line 1: non_numeric (column 0 is not a number)" in str(failure.value)
    assert "if it is a header row, run with --has_header true" in str(failure.value)
    assert "exited" not in str(failure.value) and "feature_" not in str(failure.value)
    assert rejected_records(tmp_path / "out")[0]["text"] == header


def test_error_message_carries_line_numbers_and_reasons_but_no_row_content(
    spark: SparkSession, tmp_path: Path, churn_lines: list[str]
) -> None:
    """The message reaches Glue, the execution's Fail cause and logs: rows stay in the rejected output."""

    def replaced(line: str, **fields: str) -> list[str]:
        values = line.split(",")
        for position, value in fields.items():
            values[int(position[1:])] = value
        return values

    secret = "4111-1111-1111-1111"
    non_numeric = ",".join(replaced(churn_lines[2], c1=secret))
    short = ",".join(replaced(churn_lines[4], c1="98765.4321")[:-1])
    no_label = ",".join(replaced(churn_lines[6], c0=" ", c1="123456.789"))
    quoted = '"' + ",".join(replaced(churn_lines[8], c1="55555.5555")) + '"'
    lines = with_line(churn_lines, 3, non_numeric)
    lines = with_line(lines, 5, short)
    lines = with_line(lines, 7, no_label)
    lines = with_line(lines, 9, quoted)

    with pytest.raises(EtlInputError) as failure:
        run_job(spark, tmp_path, lines)

    message = str(failure.value)
    assert "4 of 404 data rows rejected" in message
    assert "line 3: non_numeric (column 1 is not a number)" in message
    assert "line 5: wrong_column_count (expected 70 columns, found 69)" in message
    assert "line 7: missing_label (label column 0 is empty)" in message
    assert "line 9: quoted_line (line is wrapped in double quotes)" in message
    for content in (secret, "98765.4321", "123456.789", "55555.5555"):
        assert content not in message
    assert manifest(tmp_path / "out")["error"] == message
    # The rejected output, under the run's own prefix in the user's bucket, keeps the rows and the values.
    rejected = rejected_records(tmp_path / "out")
    assert [(r["line"], r["text"]) for r in rejected] == [
        (3, non_numeric),
        (5, short),
        (7, no_label),
        (9, quoted),
    ]
    assert rejected[0]["detail"] == f"column 1: {secret!r} is not a number"


def test_declared_header_row_is_skipped_and_counted(
    spark: SparkSession, tmp_path: Path, churn_lines: list[str]
) -> None:
    result = run_job(spark, tmp_path, ["churn,a,b", *churn_lines], has_header="true")
    assert result["lines"] == {"total": 401, "data": 400, "header": 1, "blank": 0}
    assert result["rows"]["rejected"] == 0


def test_quoted_lines_fail_with_the_fix(spark: SparkSession, tmp_path: Path, churn_lines: list[str]) -> None:
    with pytest.raises(EtlInputError, match=r"every line is wrapped in double quotes.*strip the quotes"):
        run_job(spark, tmp_path, [f'"{line}"' for line in churn_lines[:150]])
    records = rejected_records(tmp_path / "out")
    assert len(records) == 150 and {r["reason"] for r in records} == {"quoted_line"}


def test_too_few_valid_rows_fail(spark: SparkSession, tmp_path: Path, churn_lines: list[str]) -> None:
    with pytest.raises(EtlInputError, match=r"50 valid rows .* fewer than --min_valid_rows 100"):
        run_job(spark, tmp_path, churn_lines[:50])


def test_blank_lines_are_counted_not_rejected(
    spark: SparkSession, tmp_path: Path, churn_lines: list[str]
) -> None:
    result = run_job(spark, tmp_path, ["", *churn_lines[:200], "  ", *churn_lines[200:], ""])
    assert result["lines"] == {"total": 403, "data": 400, "header": 0, "blank": 3}
    assert result["columns"] == 70


@pytest.mark.parametrize(("content", "message"), [("", "is empty"), ("\n\n \n", "is empty: no data lines")])
def test_empty_input_fails(spark: SparkSession, tmp_path: Path, content: str, message: str) -> None:
    source = tmp_path / "input.csv"
    source.write_text(content)
    with pytest.raises(EtlInputError, match=f"input {source} {message}"):
        main(job_arguments(source, tmp_path / "out"))


def test_missing_input_fails(spark: SparkSession, tmp_path: Path) -> None:
    source = tmp_path / "nowhere.csv"
    with pytest.raises(EtlInputError, match=f"input {source} does not exist"):
        main(job_arguments(source, tmp_path / "out"))


def test_label_column_outside_the_row_fails(spark: SparkSession, tmp_path: Path) -> None:
    with pytest.raises(EtlInputError, match="--label_column 3 is outside the 3 columns"):
        run_job(spark, tmp_path, ["1,2,3"] * 200, label_column=3)
