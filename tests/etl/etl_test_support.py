"""Helpers to run the ETL job on small inputs and read what it wrote."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import etl_job
from pyspark.sql import SparkSession


def job_arguments(input_path: Path, output_path: Path, **options: Any) -> list[str]:
    """The run's arguments with every output in its own place under `output_path`, as the run input lays
    them out (train/, validation/, rejected/, manifest.json)."""
    argv = ["--run_id", "test-run", "--input_uri", str(input_path)]
    argv += ["--train_uri", f"{output_path}/train/", "--validation_uri", f"{output_path}/validation/"]
    argv += ["--rejected_uri", f"{output_path}/rejected/", "--manifest_uri", f"{output_path}/manifest.json"]
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
