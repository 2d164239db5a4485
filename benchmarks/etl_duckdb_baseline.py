"""The Glue ETL job's rules on DuckDB: a single-machine baseline for benchmarks/etl_bench.py.

Not a replacement for the job (no s3://, no manifest checks, no failure rules): it validates, splits and
writes the same rows as glue/etl_job.py, so the bench can show what the Spark job costs next to an
in-process engine on the same machine. Run as its own process so its peak memory is measured like Spark's.

    .venv/bin/python benchmarks/etl_duckdb_baseline.py --input churn.csv --output out/

Writes out/train.csv, out/validation.csv, out/rejected.json (JSON lines, sorted by line) and prints the
counts as one JSON object on stdout.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from collections import Counter
from pathlib import Path

import duckdb

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "glue"))  # the rules' constants come from the job itself, never a copy

import etl_job  # noqa: E402

# Never occurs in a text line, so DuckDB's CSV reader returns each line whole as one column.
NO_DELIMITER = "\x01"


def re2_pattern(pattern: str) -> str:
    """The job's pattern without possessive quantifiers, which RE2 lacks.

    The job's comment on NUMBER explains why possessive and greedy quantifiers accept the same lines (each
    part uses characters the next cannot); tests/etl/test_etl_duckdb_pattern.py checks it on tricky lines."""
    return re.sub(r"([*+?}])\+", r"\1", pattern)


def row_pattern(expected_columns: int) -> str:
    return re2_pattern(etl_job._row_pattern(expected_columns))


def _sql_string(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def expected_column_count(path: Path, has_header: bool = False) -> int:
    """As the job infers it: the most common column count among the first lines (ties: the earliest)."""
    with path.open(encoding="utf-8", newline="") as file:
        head = [line.rstrip("\r\n") for _, line in zip(range(etl_job.SNIFF_LINES), file, strict=False)]
    return etl_job._most_common_column_count(head, has_header)


def _output_row_sql(label_column: int) -> str:
    compact = "translate(line, ' \t', '')"
    if label_column == 0:
        return compact
    fields = f"string_split({compact}, ',')"
    before = f"list_slice({fields}, 1, {label_column})"
    after = f"list_slice({fields}, {label_column + 2}, 1 << 30)"
    return f"array_to_string(list_concat([{fields}[{label_column + 1}]], {before}, {after}), ',')"


def _rejection_sql(expected_columns: int, label_column: int) -> tuple[str, str]:
    """SQL for (reason, detail) of an invalid line, in the job's order of checks."""
    field = re2_pattern(etl_job.FIELD)
    fields = "string_split(line, ',')"
    prefix = f"regexp_extract(line, {_sql_string(f'^((?:{field},)*)')}, 1)"
    first_bad = f"(length({prefix}) - length(replace({prefix}, ',', '')))"
    quoted = f"regexp_matches(line, {_sql_string(re2_pattern(etl_job.QUOTED_LINE))})"
    wrong_count = f"len({fields}) <> {expected_columns}"
    missing_label = f"regexp_full_match({fields}[{label_column + 1}], '[ \t]*')"
    reason = (
        f"CASE WHEN {quoted} THEN '{etl_job.QUOTED}' WHEN {wrong_count} THEN '{etl_job.WRONG_COLUMN_COUNT}' "
        f"WHEN {missing_label} THEN '{etl_job.MISSING_LABEL}' ELSE '{etl_job.NON_NUMERIC}' END"
    )
    detail = (
        f"CASE WHEN {quoted} THEN 'line is wrapped in double quotes' "
        f"WHEN {wrong_count} THEN format('expected {expected_columns} columns, found {{}}', len({fields})) "
        f"WHEN {missing_label} THEN 'label column {label_column} is empty' "
        # Like the Spark job: Python's repr quoting for the common case (no single quote in the text).
        f"ELSE format('column {{}}: ''{{}}'' is not a number', {first_bad}, "
        f"substr({fields}[{first_bad} + 1], 1, 40)) END"
    )
    return reason, detail


def run(
    source: Path, output: Path, train_fraction: float, label_column: int, expected_columns: int | None
) -> dict[str, object]:
    columns = expected_columns or expected_column_count(source)
    output.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect()
    read = (
        f"read_csv({_sql_string(str(source))}, columns={{'line': 'VARCHAR'}}, delim='{NO_DELIMITER}', "
        "header=false, quote='', escape='', auto_detect=false)"
    )
    # Insertion order is preserved (DuckDB's default), so rowid + 1 is the source line number; an empty
    # line reads as NULL and is kept.
    con.execute(f"CREATE TABLE lines AS SELECT coalesce(line, '') AS line FROM {read}")
    valid = f"regexp_full_match(line, {_sql_string(row_pattern(columns))})"
    reason, detail = _rejection_sql(columns, label_column)
    split_point = (
        f"('0x' || substr(sha256(row), 1, {etl_job.SPLIT_HASH_HEX_DIGITS}))::BIGINT"
        f" / {etl_job.SPLIT_HASH_SCALE!r}"
    )
    # From here on, row order only matters for the rejected output, which is sorted by line number: without
    # keeping insertion order, DuckDB streams instead of buffering. The original line is kept for invalid
    # lines only (the rejected output's text).
    con.execute("SET preserve_insertion_order = false")
    con.execute(
        f"""
        CREATE TABLE classified AS
        SELECT line_no, CASE WHEN row IS NULL THEN line END AS line, row,
               CASE WHEN blank THEN '{etl_job.BLANK}'
                    WHEN row IS NULL THEN '{etl_job.REJECTED}'
                    WHEN {split_point} < {train_fraction!r} THEN '{etl_job.TRAIN}'
                    ELSE '{etl_job.VALIDATION}' END AS destination
        FROM (
            SELECT rowid + 1 AS line_no, line, blank,
                   CASE WHEN NOT blank AND {valid} THEN {_output_row_sql(label_column)} END AS row
            FROM (SELECT rowid, line, regexp_full_match(line, '[ \t]*') AS blank FROM lines)
        )
        """
    )
    con.execute("DROP TABLE lines")
    # One column, delimiter that never occurs: DuckDB writes each row's text as it is, never quoted.
    csv = f"FORMAT csv, HEADER false, DELIMITER '{NO_DELIMITER}', QUOTE ''"
    for destination in (etl_job.TRAIN, etl_job.VALIDATION):
        target = _sql_string(str(output / f"{destination}.csv"))
        con.execute(
            f"COPY (SELECT row FROM classified WHERE destination = '{destination}') TO {target} ({csv})"
        )
    rejected_target = _sql_string(str(output / "rejected.json"))
    con.execute(
        f"""COPY (SELECT line_no AS line, {reason} AS reason, {detail} AS detail, line AS text
                  FROM classified WHERE destination = '{etl_job.REJECTED}' ORDER BY line_no)
            TO {rejected_target} (FORMAT json)"""
    )
    counts = Counter(dict(con.execute("SELECT destination, count(*) FROM classified GROUP BY 1").fetchall()))
    return {"columns": columns, "lines": sum(counts.values()), **{k: counts[k] for k in sorted(counts)}}


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--input", type=Path, required=True)
    parser.add_argument("--output", type=Path, required=True, help="folder for the three output files")
    parser.add_argument("--train_fraction", type=float, default=0.8)
    parser.add_argument("--label_column", type=int, default=0)
    parser.add_argument("--expected_columns", type=int, default=None)
    args = parser.parse_args()
    started = time.perf_counter()
    counts = run(args.input, args.output, args.train_fraction, args.label_column, args.expected_columns)
    print(json.dumps({**counts, "seconds": round(time.perf_counter() - started, 3)}))


if __name__ == "__main__":
    main()
