"""One local SparkSession for every ETL test, and a small valid input."""

from __future__ import annotations

from collections.abc import Iterator

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
        # Many jobs of a second each: the optimising JIT and parallel GC cost more CPU than they save
        # (a quarter of this folder's CPU time on 2 cores, same wall time).
        .config("spark.driver.extraJavaOptions", "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC")
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
