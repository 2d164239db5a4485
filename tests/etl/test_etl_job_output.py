"""What a successful run writes: the split, its files, and the manifest."""

from __future__ import annotations

import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import etl_job
import pytest
import xgboost
from etl_test_support import data_lines, job_arguments, manifest, rejected_records, run_job
from pyspark.sql import SparkSession

pytestmark = pytest.mark.spark


@contextmanager
def small_input_partitions(spark: SparkSession) -> Iterator[None]:
    """Make Spark cut the input file into many byte ranges and partitions."""
    keys = ("spark.sql.files.maxPartitionBytes", "spark.sql.files.openCostInBytes")
    previous = {key: spark.conf.get(key) for key in keys}
    for key in keys:
        spark.conf.set(key, "8192")
    try:
        yield
    finally:
        for key, value in previous.items():
            spark.conf.set(key, value)


def test_split_is_deterministic_and_independent_of_partitioning(
    spark: SparkSession, tmp_path: Path, churn_lines: list[str]
) -> None:
    first = run_job(spark, tmp_path / "a", churn_lines)
    second = run_job(spark, tmp_path / "b", churn_lines)
    with small_input_partitions(spark):
        split_finely = run_job(spark, tmp_path / "c", churn_lines)
    assert len(list((tmp_path / "c" / "out" / "train").iterdir())) > 3  # the setting took effect
    splits = [
        {side: Counter(data_lines(tmp_path / run / "out" / side)) for side in ("train", "validation")}
        for run in ("a", "b", "c")
    ]
    assert splits[0] == splits[1] == splits[2]
    assert first["rows"] == second["rows"] == split_finely["rows"]
    expected_train = Counter(line for line in churn_lines if etl_job.is_train(line, 0.8))
    assert splits[0]["train"] == expected_train
    assert splits[0]["validation"] == Counter(churn_lines) - expected_train


def test_duplicate_rows_land_on_the_same_side(
    spark: SparkSession, tmp_path: Path, churn_lines: list[str]
) -> None:
    run_job(spark, tmp_path, churn_lines[:150] * 2)
    train = Counter(data_lines(tmp_path / "out" / "train"))
    validation = Counter(data_lines(tmp_path / "out" / "validation"))
    assert set(train.values()) == set(validation.values()) == {2}
    assert not set(train) & set(validation)


def test_line_numbers_are_exact_across_many_partitions(
    spark: SparkSession, tmp_path: Path, churn_lines: list[str]
) -> None:
    bad_lines = {1: "x", 57: "1,2", 170: "", 171: "y", 333: "z", 402: "1,,3"}
    lines = list(churn_lines)
    for number in sorted(bad_lines):
        lines.insert(number - 1, bad_lines[number])
    with small_input_partitions(spark):
        result = run_job(spark, tmp_path, lines, max_rejected_fraction=0.05)
    records = rejected_records(tmp_path / "out")
    assert [(r["line"], r["text"]) for r in records] == [(n, t) for n, t in bad_lines.items() if t]
    assert result["lines"]["blank"] == 1


def test_train_files_load_in_xgboost_as_sagemaker_reads_them(
    spark: SparkSession, tmp_path: Path, churn_lines: list[str]
) -> None:
    result = run_job(spark, tmp_path, churn_lines)
    for side in ("train", "validation"):
        folder = tmp_path / "out" / side
        names = [path.name for path in folder.iterdir()]
        assert names and not [name for name in names if name.startswith((".", "_"))], names
        assert all((folder / name).stat().st_size > 0 for name in names)
        matrix = xgboost.DMatrix(f"{folder}?format=csv&label_column=0")
        assert (matrix.num_row(), matrix.num_col()) == (result["rows"][side], 69)
        assert sorted(set(matrix.get_label())) == [0.0, 1.0]
    assert sorted(path.name for path in (tmp_path / "out").iterdir()) == [
        "manifest.json",
        "train",
        "validation",
    ]


def test_label_column_moves_first_and_values_keep_their_text(spark: SparkSession, tmp_path: Path) -> None:
    lines = [f"{i}, {i % 3}.50 ,{i % 2},1e{i % 4}" for i in range(300)]
    run_job(spark, tmp_path, lines, label_column=2, min_valid_rows=10)
    written = data_lines(tmp_path / "out" / "train") + data_lines(tmp_path / "out" / "validation")
    assert sorted(written) == sorted(f"{i % 2},{i},{i % 3}.50,1e{i % 4}" for i in range(300))


def test_manifest_describes_the_run(spark: SparkSession, tmp_path: Path, churn_lines: list[str]) -> None:
    result = run_job(spark, tmp_path, [*churn_lines, "bad"], max_rejected_fraction=0.01, train_fraction=0.7)
    assert manifest(tmp_path / "out") == result
    out = f"{tmp_path / 'out'}"
    source = tmp_path / "input.csv"
    assert result["run_id"] == "test-run" and result["status"] == "succeeded" and result["error"] is None
    assert result["input"] == {"uri": str(source), "size_bytes": source.stat().st_size}
    assert (
        result["arguments"]["train_fraction"] == 0.7 and result["arguments"]["max_rejected_fraction"] == 0.01
    )
    assert result["columns"] == 70
    assert result["lines"] == {"total": 401, "data": 401, "header": 0, "blank": 0}
    rows = result["rows"]
    assert rows["train"] + rows["validation"] == 400 and rows["rejected"] == 1
    assert rows["train"] == sum(etl_job.is_train(line, 0.7) for line in churn_lines)
    assert result["rejected_by_reason"] == {"wrong_column_count": 1}
    labels = Counter(line[0] for line in churn_lines)
    distribution = result["label_distribution"]
    assert {k: distribution["train"].get(k, 0) + distribution["validation"].get(k, 0) for k in "01"} == labels
    assert sum(distribution["train"].values()) == rows["train"]
    assert result["outputs"] == {
        "train": f"{out}/train/",
        "validation": f"{out}/validation/",
        "rejected": f"{out}/rejected/",
    }


def test_a_rerun_replaces_earlier_outputs(
    spark: SparkSession, tmp_path: Path, churn_lines: list[str]
) -> None:
    run_job(spark, tmp_path, [*churn_lines, "bad"], max_rejected_fraction=0.01)
    result = run_job(spark, tmp_path, churn_lines)
    assert not (tmp_path / "out" / "rejected").exists()
    assert len(data_lines(tmp_path / "out" / "train")) == result["rows"]["train"]


def test_input_names_with_glob_characters_are_read_literally(
    spark: SparkSession, tmp_path: Path, churn_lines: list[str]
) -> None:
    source = tmp_path / "churn [v2] {a,b} *.csv"
    source.write_text("\n".join(churn_lines) + "\n")
    decoy = tmp_path / "churn v v2.csv"
    decoy.write_text("not,numbers\n")
    result = etl_job.main(job_arguments(source, tmp_path / "out"))
    assert result["rows"]["rejected"] == 0 and result["input"]["size_bytes"] == source.stat().st_size


def test_script_runs_as_a_glue_style_subprocess(tmp_path: Path, churn_lines: list[str]) -> None:
    """`python glue/etl_job.py ...` with Glue's extra arguments, in its own JVM, as the offline cloud runs it:
    the last line of stderr is the message the emulated Glue reports."""
    source = tmp_path / "quoted.csv"
    source.write_text("\n".join(f'"{line}"' for line in churn_lines) + "\n")
    glue_extras = ["--JOB_ID", "j_1", "--JOB_RUN_ID", "jr_1", "--job-bookmark-option", "job-bookmark-disable"]
    argv = [*glue_extras, *job_arguments(source, tmp_path / "out")]
    script = Path(etl_job.__file__)
    done = subprocess.run([sys.executable, str(script), *argv], capture_output=True, text=True, timeout=300)
    assert done.returncode == 1, done.stderr[-3000:]
    last_line = done.stderr.strip().splitlines()[-1]
    assert last_line.startswith(f"EtlInputError: input {source}: every line is wrapped in double quotes")
    assert manifest(tmp_path / "out")["status"] == "failed"
