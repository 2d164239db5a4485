"""Glue UpdateJob and job runs that really execute the job's script."""

from __future__ import annotations

import json
import textwrap
from collections.abc import Callable
from typing import Any

import pytest

# Stands in for the ETL script: same argument style, reads --input_uri, writes under --output_uri,
# fails with a message of its own when the input says so.
TINY_SCRIPT = textwrap.dedent(
    """
    import argparse, json, pathlib

    class EtlInputError(Exception):
        pass

    parser = argparse.ArgumentParser()
    for name in ("--JOB_NAME", "--JOB_RUN_ID", "--input_uri", "--output_uri", "--greeting", "--run_id"):
        parser.add_argument(name)
    args = parser.parse_args()
    text = pathlib.Path(args.input_uri).read_text()
    out = pathlib.Path(args.output_uri)
    (out / "train").mkdir(parents=True)
    (out / "train" / "part-0.csv").write_text(text.upper())
    (out / "train" / ".part-0.csv.crc").write_text("checksum")
    manifest = {"greeting": args.greeting, "train": str(out / "train") + "/", "job": args.JOB_NAME}
    (out / "manifest.json").write_text(json.dumps(manifest))
    if "bad" in text:
        (out / "rejected").mkdir()
        (out / "rejected" / "part-0.csv").write_text(text)
        raise EtlInputError(f"1 of 1 rows rejected in {args.input_uri}")
    """
)


@pytest.fixture
def glue_job(aws: Callable[[str], Any], bucket: str, role_arn: str, unique_name: str) -> str:
    aws("s3").put_object(Bucket=bucket, Key="scripts/job.py", Body=TINY_SCRIPT.encode())
    aws("glue").create_job(
        Name=unique_name,
        Role=role_arn,
        Command={"Name": "glueetl", "ScriptLocation": f"s3://{bucket}/scripts/job.py", "PythonVersion": "3"},
        Description="before the update",
        DefaultArguments={"--greeting": "default", "--run_id": "unset"},
        GlueVersion="5.0",
        ExecutionClass="STANDARD",
    )
    return unique_name


def test_update_job_replaces_the_definition(aws: Callable[[str], Any], glue_job: str) -> None:
    glue = aws("glue")
    job = glue.get_job(JobName=glue_job)["Job"]
    assert job["ExecutionClass"] == "STANDARD"  # returned, so a plan after apply shows no diff
    glue.update_job(
        JobName=glue_job,
        JobUpdate={
            "Role": job["Role"],
            "Command": job["Command"],
            "DefaultArguments": {"--greeting": "updated"},
            "ExecutionClass": "FLEX",
            "Timeout": 5,
            "JobRunQueuingEnabled": True,
        },
    )
    updated = glue.get_job(JobName=glue_job)["Job"]
    assert updated["JobRunQueuingEnabled"] is True
    assert "Description" not in updated  # what the update leaves out is reset, as on AWS
    assert updated["DefaultArguments"] == {"--greeting": "updated"}
    assert updated["ExecutionClass"] == "FLEX"
    assert updated["Timeout"] == 5


def test_job_run_executes_the_script_and_uploads_its_output(
    aws: Callable[[str], Any], run_glue_job: Callable[..., dict], glue_job: str, bucket: str
) -> None:
    s3 = aws("s3")
    s3.put_object(Bucket=bucket, Key="input/data.csv", Body=b"a,b\n")
    output_uri = f"s3://{bucket}/runs/r1/etl/"
    run = run_glue_job(glue_job, {"--input_uri": f"s3://{bucket}/input/data.csv", "--output_uri": output_uri})
    assert run["JobRunState"] == "SUCCEEDED", run.get("ErrorMessage")
    assert "ErrorMessage" not in run
    assert run["CompletedOn"] >= run["StartedOn"]
    assert run["Arguments"]["--greeting"] == "default"  # the job's default arguments reach the script
    keys = {item["Key"] for item in s3.list_objects_v2(Bucket=bucket, Prefix="runs/r1/")["Contents"]}
    assert keys == {"runs/r1/etl/train/part-0.csv", "runs/r1/etl/manifest.json"}  # no .crc files
    body = s3.get_object(Bucket=bucket, Key="runs/r1/etl/train/part-0.csv")["Body"].read()
    assert body == b"A,B\n"
    manifest = json.loads(s3.get_object(Bucket=bucket, Key="runs/r1/etl/manifest.json")["Body"].read())
    assert manifest == {"greeting": "default", "train": f"{output_uri}train/", "job": glue_job}


def test_run_arguments_override_default_arguments(
    aws: Callable[[str], Any], run_glue_job: Callable[..., dict], glue_job: str, bucket: str
) -> None:
    aws("s3").put_object(Bucket=bucket, Key="input/data.csv", Body=b"x\n")
    arguments = {
        "--input_uri": f"s3://{bucket}/input/data.csv",
        "--output_uri": f"s3://{bucket}/runs/r2/etl",
        "--greeting": "from-run",
    }
    assert run_glue_job(glue_job, arguments)["JobRunState"] == "SUCCEEDED"
    manifest = aws("s3").get_object(Bucket=bucket, Key="runs/r2/etl/manifest.json")["Body"].read()
    assert json.loads(manifest)["greeting"] == "from-run"


def test_failed_run_reports_the_exception_line_and_keeps_partial_output(
    aws: Callable[[str], Any], run_glue_job: Callable[..., dict], glue_job: str, bucket: str
) -> None:
    aws("s3").put_object(Bucket=bucket, Key="input/bad.csv", Body=b"bad\n")
    arguments = {"--input_uri": f"s3://{bucket}/input/bad.csv", "--output_uri": f"s3://{bucket}/runs/r3/etl/"}
    run = run_glue_job(glue_job, arguments)
    assert run["JobRunState"] == "FAILED"
    # The script saw a local copy; the message names the S3 object, as on Glue.
    assert run["ErrorMessage"] == f"EtlInputError: 1 of 1 rows rejected in s3://{bucket}/input/bad.csv"
    keys = {item["Key"] for item in aws("s3").list_objects_v2(Bucket=bucket, Prefix="runs/r3/")["Contents"]}
    assert "runs/r3/etl/rejected/part-0.csv" in keys


def test_run_of_a_job_without_its_script_fails_with_the_reason(
    aws: Callable[[str], Any], run_glue_job: Callable[..., dict], bucket: str, role_arn: str, unique_name: str
) -> None:
    aws("glue").create_job(
        Name=unique_name,
        Role=role_arn,
        Command={"Name": "glueetl", "ScriptLocation": f"s3://{bucket}/scripts/missing.py"},
    )
    run = run_glue_job(unique_name, {})
    assert run["JobRunState"] == "FAILED"
    assert run["ErrorMessage"].startswith(f"Cannot read the job's script s3://{bucket}/scripts/missing.py")
