"""Run one Glue job run for real: the job's script from the local S3, on local Spark.

The script runs as on Glue, `python <script> --JOB_NAME <job> --JOB_RUN_ID <id> --<arg> <value>...`,
with the job's default arguments merged under the run's arguments (moto already merged them). Spark
here reads and writes the local file system, so `--input_uri` is downloaded first and replaced by a
local path, `--output_uri` is replaced by a local folder that is uploaded to the S3 prefix afterwards
(also when the script fails, so partial output such as `rejected/` stays visible), and local paths
written into `manifest.json` are mapped back to the S3 URIs.
"""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from botocore.exceptions import ClientError

from localcloud import config
from localcloud.s3_uri import split_s3_uri

LOG = logging.getLogger(__name__)

INPUT_ARGUMENT = "--input_uri"
OUTPUT_ARGUMENT = "--output_uri"
MANIFEST_NAME = "manifest.json"
# Per-run JVM: enough for the demo data with room for other processes on a 2-core, shared machine.
SPARK_DRIVER_MEMORY = os.environ.get("LOCALCLOUD_SPARK_DRIVER_MEMORY", "1g")
TRACEBACK_HEADER = "Traceback (most recent call last):"


def error_message_from_stderr(stderr: str, exit_code: int) -> str:
    """The exception line of the last Python traceback, which is what Glue reports as ErrorMessage.

    Spark keeps logging after the traceback (shutdown hooks), so the message is the first
    unindented line after the last traceback header rather than the last line of the output.
    """
    lines = stderr.splitlines()
    header_indexes = [index for index, line in enumerate(lines) if line.startswith(TRACEBACK_HEADER)]
    if header_indexes:
        for line in lines[header_indexes[-1] + 1 :]:
            if line.strip() and not line.startswith((" ", "\t")):
                return line.strip()
    last_lines = [line.strip() for line in lines if line.strip()]
    detail = f": {last_lines[-1]}" if last_lines else ""
    return f"Command failed with exit code {exit_code}{detail}"


def _download(s3: Any, uri: str, destination: Path) -> Path:
    """Download an object, or every object under a prefix ending in '/', to `destination`."""
    bucket, key = split_s3_uri(uri)
    if not key.endswith("/"):
        local_file = destination / Path(key).name
        local_file.parent.mkdir(parents=True, exist_ok=True)
        s3.download_file(bucket, key, str(local_file))
        return local_file
    destination.mkdir(parents=True, exist_ok=True)
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=key):
        for item in page.get("Contents", []):
            relative = item["Key"][len(key) :]
            if relative:
                target = destination / relative
                target.parent.mkdir(parents=True, exist_ok=True)
                s3.download_file(bucket, item["Key"], str(target))
    return destination


def _upload_folder(s3: Any, folder: Path, uri: str) -> list[str]:
    bucket, prefix = split_s3_uri(uri)
    if prefix and not prefix.endswith("/"):
        prefix += "/"
    uploaded = []
    for path in sorted(folder.rglob("*")):
        # Hadoop's local file system writes .<name>.crc checksum files; S3 output has none.
        if path.is_dir() or (path.name.startswith(".") and path.name.endswith(".crc")):
            continue
        key = prefix + path.relative_to(folder).as_posix()
        s3.upload_file(str(path), bucket, key)
        uploaded.append(key)
    return uploaded


def map_local_paths_back(text: str, replacements: dict[str, str]) -> str:
    """Replace the local stand-ins of S3 locations (plain or as file: URIs) by their S3 URIs."""
    for local, uri in replacements.items():
        for variant in (f"file://{local}", f"file:{local}", local):
            text = text.replace(variant, uri)
    return text


def _script_command(script: Path, job_name: str, run_id: str, arguments: dict[str, str]) -> list[str]:
    command = [sys.executable, str(script), "--JOB_NAME", job_name, "--JOB_RUN_ID", run_id]
    for name, value in arguments.items():
        command += [name, value]
    return command


def _script_environment(work_dir: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(config.client_environment())
    env.update(
        {
            "PYSPARK_PYTHON": sys.executable,
            "PYSPARK_DRIVER_PYTHON": sys.executable,
            "PYSPARK_SUBMIT_ARGS": f"--driver-memory {SPARK_DRIVER_MEMORY} pyspark-shell",
            "SPARK_LOCAL_DIRS": str(work_dir / "spark-tmp"),
            "SPARK_LOCAL_IP": config.HOST,
        }
    )
    return env


def execute_job_run(job: Any, job_run: Any) -> None:
    """Run `job_run` (a LocalJobRun of `job`) to a terminal state; never raises."""
    try:
        state, message = _execute(job, job_run)
    except Exception as error:  # anything unexpected must still end the run, with the reason
        LOG.exception("Glue job %s run %s could not be executed", job.name, job_run.job_run_id)
        state, message = "FAILED", f"Local Glue emulation error: {type(error).__name__}: {error}"
    job_run.finish(state, message)
    LOG.info("Glue job %s run %s %s %s", job.name, job_run.job_run_id, state, message or "")


def _execute(job: Any, job_run: Any) -> tuple[str, str | None]:
    s3 = config.boto3_client("s3")
    run_id = job_run.job_run_id
    log_dir = config.logs_dir() / "glue" / job.name
    log_dir.mkdir(parents=True, exist_ok=True)
    job_run.log_file = str(log_dir / f"{run_id}.log")

    work_dir = Path(tempfile.mkdtemp(prefix="glue-run-", dir=_work_root()))
    try:
        script_location = (job.command or {}).get("ScriptLocation")
        if not script_location:
            return "FAILED", f"Job {job.name} has no Command.ScriptLocation"
        try:
            script = _download(s3, script_location, work_dir / "script")
        except ClientError as error:
            return "FAILED", f"Cannot read the job's script {script_location}: {error}"

        arguments = dict(job_run.arguments or {})
        replacements: dict[str, str] = {}
        if INPUT_ARGUMENT in arguments:
            input_uri = arguments[INPUT_ARGUMENT]
            local_input = _download(s3, input_uri, work_dir / "input")
            arguments[INPUT_ARGUMENT] = str(local_input) + ("/" if input_uri.endswith("/") else "")
            replacements[arguments[INPUT_ARGUMENT]] = input_uri
        output_uri = arguments.get(OUTPUT_ARGUMENT)
        local_output = work_dir / "output"
        if output_uri:
            split_s3_uri(output_uri)
            local_output.mkdir()
            arguments[OUTPUT_ARGUMENT] = str(local_output) + "/"
            # Longest first, so the folder with its slash maps to the prefix with its slash.
            replacements[str(local_output) + "/"] = output_uri.rstrip("/") + "/"
            replacements[str(local_output)] = output_uri.rstrip("/")

        timeout_seconds = (job_run.timeout or job.timeout or 2880) * 60
        command = _script_command(script, job.name, run_id, arguments)
        with open(job_run.log_file, "w") as log:
            log.write(f"$ {' '.join(command)}\n")
            log.flush()
            try:
                completed = subprocess.run(
                    command,
                    cwd=work_dir,
                    env=_script_environment(work_dir),
                    stdout=log,
                    stderr=subprocess.PIPE,
                    text=True,
                    timeout=timeout_seconds,
                    check=False,
                )
            except subprocess.TimeoutExpired as expired:
                log.write(expired.stderr or "")
                return "TIMEOUT", f"Job run timed out after {timeout_seconds // 60} minutes"
            log.write(completed.stderr)

        if output_uri:
            for manifest in local_output.rglob(MANIFEST_NAME):
                manifest.write_text(map_local_paths_back(manifest.read_text(), replacements))
            _upload_folder(s3, local_output, output_uri)
        if completed.returncode != 0:
            message = error_message_from_stderr(completed.stderr, completed.returncode)
            # The script saw local paths; its message should name the S3 locations the user knows.
            return "FAILED", map_local_paths_back(message, replacements)
        return "SUCCEEDED", None
    finally:
        shutil.rmtree(work_dir, ignore_errors=True)


def _work_root() -> Path:
    root = config.state_dir() / "work"
    root.mkdir(parents=True, exist_ok=True)
    return root
