"""The Spark expressions implement the same rules as the Python functions."""

from __future__ import annotations

import random

import etl_job
import pytest
from pyspark.sql import SparkSession
from pyspark.sql import functions as F

pytestmark = pytest.mark.spark

FIELDS = [
    *("0", "1", "-2", "+3.5", ".25", "7.", "1e5", "2.5E-3", " 4 ", "\t7 "),
    *("", " ", "abc", "NaN", "inf", "1e", "--1", "1.2.3", '"1', '2"', "٣", "0x1p3", "1d"),
]


def mixed_lines(count: int) -> list[str]:
    """Lines of 1 to 6 fields drawn from valid and invalid numbers, plus quoted ones (seeded)."""
    rng = random.Random(5)
    lines = [",".join(rng.choice(FIELDS) for _ in range(rng.randint(1, 6))) for _ in range(count)]
    valid = [",".join(rng.choice(FIELDS[:10]) for _ in range(4)) for _ in range(count // 2)]
    return [*lines, *valid, '"1,2,3,4"', ' "1" ', '"1,2",3,4,5']


@pytest.mark.parametrize("label_column", [0, 2])
def test_spark_and_python_agree(spark: SparkSession, label_column: int) -> None:
    lines = mixed_lines(600)
    frame = spark.createDataFrame([(line,) for line in lines], "value string")
    classification = etl_job._spark_classification(F.col("value"), 4, label_column)
    row = etl_job._spark_output_row(F.col("value"), label_column)
    results = frame.select(
        classification.alias("c"), row.alias("row"), etl_job._spark_split_point(row).alias("point")
    ).collect()
    reasons = set()
    for line, result in zip(lines, results, strict=True):
        expected = etl_job.classify_line(line, 4, label_column)
        if expected is None:
            assert result["c"]["reason"] is None, line
            assert result["row"] == etl_job.output_row(line, label_column)
            assert result["point"] == etl_job.split_point(result["row"])
        else:
            reasons.add(expected.reason)
            assert result["c"]["reason"] == expected.reason, line
            # Spark always quotes with '...', Python's repr switches quotes for text holding one.
            assert result["c"]["detail"].split(":")[0] == expected.detail.split(":")[0], line
    assert reasons == {etl_job.QUOTED, etl_job.WRONG_COLUMN_COUNT, etl_job.MISSING_LABEL, etl_job.NON_NUMERIC}
