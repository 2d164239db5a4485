"""One local SparkSession for every ETL test, plus helpers to run the job on small inputs."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import etl_job
import pytest
from pyspark.sql import SparkSession

from sample_data import write_churn_csv


@pytest.fixture(scope="session")
def spark() -> Iterator[SparkSession]:
    session = (
        SparkSession.builder.master("local[2]")
        .appName("etl-tests")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.default.parallelism", "2")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


@pytest.fixture(scope="session")
def churn_lines(tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    """400 valid generated rows (label first, 70 columns)."""
    path = tmp_path_factory.mktemp("churn") / "churn.csv"
    write_churn_csv(path, rows=400, seed=11)
    return path.read_text().splitlines()


def job_arguments(input_path: Path, output_path: Path, **options: Any) -> list[str]:
    argv = ["--run_id", "test-run", "--input_uri", str(input_path), "--output_uri", str(output_path)]
    for name, value in options.items():
        argv += [f"--{name}", str(value)]
    return argv


def run_job(spark: SparkSession, tmp_path: Path, lines: list[str], **options: Any) -> dict[str, Any]:
    """Write `lines` as the input file and run the job's main() on it with the test session active."""
    assert SparkSession.getActiveSession() is spark
    tmp_path.mkdir(parents=True, exist_ok=True)
    source = tmp_path / "input.csv"
    source.write_text("".join(f"{line}\n" for line in lines))
    return etl_job.main(job_arguments(source, tmp_path / "out", **options))


def data_lines(folder: Path) -> list[str]:
    """Every line of the non-hidden files of an output folder, in file order."""
    return [
        line
        for file in sorted(folder.iterdir())
        if not file.name.startswith((".", "_"))
        for line in file.read_text().splitlines()
    ]


def rejected_records(output: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in data_lines(output / "rejected")]


def manifest(output: Path) -> dict[str, Any]:
    return json.loads((output / "manifest.json").read_text())
