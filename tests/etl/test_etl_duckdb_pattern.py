"""The DuckDB baseline's RE2 pattern (the job's, without possessive quantifiers) accepts exactly the lines
the job's rule accepts, and the baseline rejects them for the same reasons."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import duckdb
import etl_job
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))

import etl_duckdb_baseline

TRICKY_LINES = [
    "1,2,3",
    " 1 , -2.5 ,\t.5",
    "+1,-.5E+10,0",
    "1,1e-3,7.",
    "0,00,000.000e000",
    '"1,2,3"',
    ' "1,2,3" ',
    "1,2",
    "1,2,3,",
    ",2,3",
    " \t,2,3",
    "1,abc,3",
    "1,NaN,3",
    "1,Infinity,3",
    "1,1e,3",
    "1,1e+,3",
    "1,+.e1,3",
    "1,.,3",
    "1,.e5,3",
    "1,--2,3",
    "1,+-2,3",
    "1,2 3,3",
    "1,2,0x1F",
    "1,,3",
    "1.2.3,4,5",
    "1,2..,3",
    "1,2.5.,3",
    "1,1e5.5,3",
    "1,1E5e5,3",
    "1,٣,3",  # a non-ASCII digit
    "1,2,3\u00a0",  # a non-breaking space
    '1,"2",3',
    "1,2,3 ",
    "\t1\t,\t2\t,\t3\t",
]


@pytest.mark.parametrize("line", TRICKY_LINES)
def test_re2_pattern_agrees_with_classify_line(line: str) -> None:
    pattern = etl_duckdb_baseline.row_pattern(3)
    assert "++" not in pattern and "*+" not in pattern and "?+" not in pattern and "}+" not in pattern
    (accepted,) = duckdb.connect().execute("SELECT regexp_full_match(?, ?)", [line, pattern]).fetchone()
    assert accepted == (etl_job.classify_line(line, 3, 0) is None)


def test_baseline_writes_the_rows_and_rejections_of_the_job_rules(tmp_path: Path) -> None:
    lines = [*TRICKY_LINES, "", "  ", "7,8,9"]
    source = tmp_path / "input.csv"
    source.write_text("".join(f"{line}\n" for line in lines), encoding="utf-8")
    etl_duckdb_baseline.run(source, tmp_path / "out", 0.8, 0, 3)

    valid = [line for line in lines if line.strip(" \t") and etl_job.classify_line(line, 3, 0) is None]
    rows = [etl_job.output_row(line, 0) for line in valid]
    for name, in_train in (("train", True), ("validation", False)):
        written = (tmp_path / "out" / f"{name}.csv").read_text(encoding="utf-8").splitlines()
        assert sorted(written) == sorted(r for r in rows if etl_job.is_train(r, 0.8) == in_train)

    expected = []
    for number, line in enumerate(lines, start=1):
        rejection = etl_job.classify_line(line, 3, 0) if line.strip(" \t") else None
        if rejection is not None:
            expected.append((number, rejection.reason, line))
    rejected = [json.loads(r) for r in (tmp_path / "out" / "rejected.json").read_text().splitlines()]
    assert [(r["line"], r["reason"], r["text"]) for r in rejected] == expected
