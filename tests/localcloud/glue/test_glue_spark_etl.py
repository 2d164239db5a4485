"""The project's real Glue script, run by the local Glue on local Spark."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from localcloud import config

pytestmark = pytest.mark.spark

ETL_SCRIPT = config.PROJECT_ROOT / "glue" / "etl_job.py"
CONTRACT_DEFAULTS = {
    "--train_fraction": "0.8",
    "--label_column": "0",
    "--has_header": "false",
    "--min_valid_rows": "100",
    "--max_rejected_fraction": "0.0",
}


@pytest.fixture
def etl_job(aws: Callable[[str], Any], bucket: str, role_arn: str, unique_name: str) -> str:
    aws("s3").put_object(Bucket=bucket, Key="glue/etl_job.py", Body=Path(ETL_SCRIPT).read_bytes())
    aws("glue").create_job(
        Name=unique_name,
        Role=role_arn,
        Command={"Name": "glueetl", "ScriptLocation": f"s3://{bucket}/glue/etl_job.py", "PythonVersion": "3"},
        DefaultArguments=CONTRACT_DEFAULTS,
        GlueVersion="5.0",
    )
    return unique_name


def _run(
    aws: Callable[[str], Any],
    run_glue_job: Callable[..., dict],
    job: str,
    bucket: str,
    rows: bytes,
    key: str = "input/churn data.csv",
) -> dict:
    aws("s3").put_object(Bucket=bucket, Key=key, Body=rows)
    arguments = {
        "--run_id": "r1",
        "--input_uri": f"s3://{bucket}/{key}",
        # The runner knows no argument names: it maps every s3:// location the run input passes.
        "--train_uri": f"s3://{bucket}/runs/r1/etl/train/",
        "--validation_uri": f"s3://{bucket}/runs/r1/etl/validation/",
        "--rejected_uri": f"s3://{bucket}/runs/r1/etl/rejected/",
        "--manifest_uri": f"s3://{bucket}/runs/r1/etl/manifest.json",
    }
    return run_glue_job(job, arguments, timeout=180)


def test_etl_script_splits_the_upload_into_s3_channels(
    aws: Callable[[str], Any], run_glue_job: Callable[..., dict], etl_job: str, bucket: str
) -> None:
    rows = "".join(f"{index % 2},{index},{index * 0.5}\n" for index in range(300)).encode()
    # Longer than a local file name may be (255 bytes); S3 allows 1,024, and so does the local Glue.
    key = "input/churn data " + "k" * 879 + ".csv"
    run = _run(aws, run_glue_job, etl_job, bucket, rows, key)
    assert run["JobRunState"] == "SUCCEEDED", run.get("ErrorMessage")
    keys = [
        item["Key"] for item in aws("s3").list_objects_v2(Bucket=bucket, Prefix="runs/r1/etl/")["Contents"]
    ]
    assert any(key.startswith("runs/r1/etl/train/") for key in keys)
    assert any(key.startswith("runs/r1/etl/validation/") for key in keys)
    assert not any(key.endswith(".crc") for key in keys)
    manifest_text = (
        aws("s3").get_object(Bucket=bucket, Key="runs/r1/etl/manifest.json")["Body"].read().decode()
    )
    assert str(config.state_dir()) not in manifest_text  # local work paths are mapped back to S3 URIs
    assert f"s3://{bucket}/runs/r1/etl/train/" in json.dumps(json.loads(manifest_text))
    assert json.loads(manifest_text)["input"]["uri"] == f"s3://{bucket}/{key}"


def test_etl_script_failure_becomes_the_job_run_error_message(
    aws: Callable[[str], Any], run_glue_job: Callable[..., dict], etl_job: str, bucket: str
) -> None:
    run = _run(aws, run_glue_job, etl_job, bucket, b"1,2,3\n0,4,5\n")
    assert run["JobRunState"] == "FAILED"
    # The script read a local copy; the message names the uploaded object, as on Glue.
    assert run["ErrorMessage"].startswith(f"EtlInputError: input s3://{bucket}/input/churn data.csv: ")
    assert "min_valid_rows" in run["ErrorMessage"]
