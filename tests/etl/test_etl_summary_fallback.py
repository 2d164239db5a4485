"""The job counts lines, reasons and labels in the pass that fills its cache; with more groups than that pass
collects (a regression target), it counts again without the labels. Both ways give the same manifest and
outputs, also when a declared header line has to be taken out of the counts."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import etl_job
import pytest
from etl_test_support import data_lines, manifest, rejected_records, run_job
from pyspark.sql import SparkSession

pytestmark = pytest.mark.spark

LINES = [
    "1,2,3",  # the header when declared: a valid row otherwise
    *[f"{i % 150}.5, {i},{i * 3}" for i in range(400)],  # 150 labels: more than the manifest lists
    "",
    "7,x,9",
    "8,9",
    '"1,2,3"',
]


def _without_paths(result: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in result.items() if key not in ("arguments", "input", "outputs")}


@pytest.mark.parametrize("has_header", ["false", "true"])
def test_fallback_without_labels_gives_the_same_results(
    spark: SparkSession, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, has_header: str
) -> None:
    options = {"has_header": has_header, "max_rejected_fraction": 0.5}
    first = run_job(spark, tmp_path / "one-pass", LINES, **options)
    monkeypatch.setattr(etl_job, "_SUMMARY_GROUP_LIMIT", 3)
    second = run_job(spark, tmp_path / "fallback", LINES, **options)

    assert _without_paths(first) == _without_paths(second)
    assert first["label_distribution"] is None
    assert first["lines"]["header"] == (1 if has_header == "true" else 0)
    assert first["rows"]["rejected"] == 3
    for name in ("train", "validation"):
        assert data_lines(tmp_path / "one-pass/out" / name) == data_lines(tmp_path / "fallback/out" / name)
    assert rejected_records(tmp_path / "one-pass/out") == rejected_records(tmp_path / "fallback/out")
    assert manifest(tmp_path / "fallback/out") == second


def test_a_valid_header_row_is_counted_as_the_header_only(spark: SparkSession, tmp_path: Path) -> None:
    lines = ["1,2,3", *[f"{i % 2},{i},{i}" for i in range(300)]]
    result = run_job(spark, tmp_path, lines, has_header="true")
    written = data_lines(tmp_path / "out/train") + data_lines(tmp_path / "out/validation")
    assert "1,2,3" not in written and len(written) == 300
    assert result["lines"] == {"total": 301, "data": 300, "header": 1, "blank": 0}
    distribution = result["label_distribution"]
    assert sum(sum(side.values()) for side in distribution.values()) == 300
    assert set(distribution["train"]) | set(distribution["validation"]) == {"0", "1"}
