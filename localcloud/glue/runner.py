"""Run one Glue job run for real: the job's script from the local S3, on local Spark.

The script runs as on Glue, `python <script> --JOB_NAME <job> --JOB_RUN_ID <id> --<arg> <value>...`,
with the job's default arguments merged under the run's arguments (moto already merged them). Spark
here reads and writes the local file system, so every `s3://` argument is given to the script as a
local path and mirrored back to S3 afterwards, also when the script fails (see `s3_arguments`).

Everything the run reads and writes in S3 (the script, the inputs, the outputs) is read and written as
the job's role: the runner assumes it as `glue.amazonaws.com`, as Glue does, and a call the role may
not make fails the run with S3's AccessDenied message as its ErrorMessage.

The script runs on a warm Glue worker (`worker_pool.py`: Spark already started, a clean session per
run), or, with the run argument `--localcloud-cold-process true` or LOCALCLOUD_GLUE_WARM_WORKERS=0, in a
Python and JVM of its own. Either way it gets the same arguments, environment, log and error message.
"""

from __future__ import annotations

import logging
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from botocore.exceptions import ClientError

from localcloud import config
from localcloud.glue import worker_pool
from localcloud.glue.s3_arguments import S3Arguments
from localcloud.iam import authorization, role_sessions
from localcloud.iam.role_sessions import RoleSession
from localcloud.s3_uri import split_s3_uri
from localcloud.shared_state import work_root

LOG = logging.getLogger(__name__)

# Per-run JVM: enough for the demo data with room for other processes on a 2-core, shared machine.
SPARK_DRIVER_MEMORY = os.environ.get("LOCALCLOUD_SPARK_DRIVER_MEMORY", "1g")
# Local job runs are short (seconds on the demo's data): there the JVM's optimising JIT compiler and
# parallel GC threads cost more CPU than they save. C1 only and the serial collector halve the CPU of a
# demo-sized run (17 -> 9 CPU seconds measured on 2 cores, wall 10.5 -> 7.5 s). For big local inputs set
# LOCALCLOUD_SPARK_JAVA_OPTIONS to "" (the JVM's defaults).
SPARK_JAVA_OPTIONS = os.environ.get(
    "LOCALCLOUD_SPARK_JAVA_OPTIONS", "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC"
)
TRACEBACK_HEADER = "Traceback (most recent call last):"
# A job run argument only the local cloud reads (and removes before the script sees it): "true" runs the
# script in a Python and JVM of its own, as every run did before warm workers (worker_pool.py).
COLD_PROCESS_ARGUMENT = "--localcloud-cold-process"


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


def _script_command(script: Path, job_name: str, run_id: str, arguments: dict[str, str]) -> list[str]:
    command = [sys.executable, str(script), "--JOB_NAME", job_name, "--JOB_RUN_ID", run_id]
    for name, value in arguments.items():
        command += [name, value]
    return command


def spark_environment(work_dir: Path) -> dict[str, str]:
    """The local cloud's environment with the settings Spark reads when its JVM starts."""
    env = dict(os.environ)
    env.update(
        {
            "PYSPARK_PYTHON": sys.executable,
            "PYSPARK_DRIVER_PYTHON": sys.executable,
            "PYSPARK_SUBMIT_ARGS": shlex.join(
                ["--driver-memory", SPARK_DRIVER_MEMORY]
                + (["--driver-java-options", SPARK_JAVA_OPTIONS] if SPARK_JAVA_OPTIONS.strip() else [])
                + ["pyspark-shell"]
            ),
            "SPARK_LOCAL_DIRS": str(work_dir / "spark-tmp"),
            "SPARK_LOCAL_IP": config.HOST,
        }
    )
    return env


def _script_environment(work_dir: Path, session: RoleSession) -> dict[str, str]:
    return {**spark_environment(work_dir), **session.environment()}


def prewarm() -> None:
    """Start a warm Glue worker in the background (none when LOCALCLOUD_GLUE_WARM_WORKERS=0)."""
    worker_pool.POOL.prewarm(spark_environment(work_root("glue")))


def execute_job_run(job: Any, job_run: Any) -> None:
    """Run `job_run` (a LocalJobRun of `job`) to a terminal state; never raises."""
    try:
        state, message = _execute(job, job_run)
    except Exception as error:  # anything unexpected must still end the run, with the reason
        LOG.exception("Glue job %s run %s could not be executed", job.name, job_run.job_run_id)
        state, message = "FAILED", f"Local Glue emulation error: {type(error).__name__}: {error}"
    job_run.finish(state, message)
    LOG.info("Glue job %s run %s %s %s", job.name, job_run.job_run_id, state, message or "")


def _job_session(job: Any) -> RoleSession:
    # CreateJob takes the role by name or ARN.
    role = job.role
    role_arn = role if role.startswith("arn:") else f"arn:aws:iam::{config.ACCOUNT_ID}:role/{role}"
    return role_sessions.assume_role_as_service(
        role_arn,
        "glue.amazonaws.com",
        session_name="GlueJobRunnerSession",
        source_account=config.ACCOUNT_ID,
        source_arn=f"arn:aws:glue:{config.REGION}:{config.ACCOUNT_ID}:job/{job.name}",
    )


# Glue's account-wide default groups, which it creates on first use (the module creates a job's own groups).
_SHARED_LOG_GROUPS = frozenset({"/aws-glue/jobs/output", "/aws-glue/jobs/error", "/aws-glue/jobs/logs-v2"})


def log_streams(arguments: dict[str, str], run_id: str) -> list[tuple[str, str]]:
    """(log group, log stream) pairs Glue writes a run's logs to, by the job's logging arguments."""
    prefix = arguments.get("--custom-logGroup-prefix")
    if prefix:  # Glue 5.0 with a custom prefix
        return [(f"{prefix}/output", run_id), (f"{prefix}/error", f"{run_id}-driver")]
    streams = [("/aws-glue/jobs/output", run_id), ("/aws-glue/jobs/error", f"{run_id}-driver")]
    if arguments.get("--enable-continuous-cloudwatch-log") == "true":  # Glue 4.0 continuous logging
        streams.append(
            (arguments.get("--continuous-log-logGroup", "/aws-glue/jobs/logs-v2"), f"{run_id}-driver")
        )
    return streams


def _record_log_writes(session: RoleSession, arguments: dict[str, str], run_id: str) -> None:
    """Glue writes a run's logs with the job's role and drops them, without failing the run, when the role
    may not: recorded for the access report, never raised. Groups the module does not create (the shared
    defaults) Glue creates on first use."""
    for group, stream in log_streams(arguments, run_id):
        group_arn = f"arn:aws:logs:{config.REGION}:{config.ACCOUNT_ID}:log-group:{group}"
        if group in _SHARED_LOG_GROUPS:
            authorization.authorize(session, "logs:CreateLogGroup", [group_arn], deny_raises=False)
        for action in ("logs:CreateLogStream", "logs:PutLogEvents"):
            authorization.authorize(session, action, [f"{group_arn}:log-stream:{stream}"], deny_raises=False)


def _execute(job: Any, job_run: Any) -> tuple[str, str | None]:
    try:
        session = _job_session(job)
    except role_sessions.RoleAssumptionDenied as error:
        return "FAILED", str(error)
    s3 = session.client("s3")
    run_id = job_run.job_run_id
    run_arguments = dict(job_run.arguments or {})
    cold_process = run_arguments.pop(COLD_PROCESS_ARGUMENT, "false").strip().lower() == "true"
    _record_log_writes(session, run_arguments, run_id)
    log_dir = config.logs_dir() / "glue" / job.name
    log_dir.mkdir(parents=True, exist_ok=True)
    job_run.log_file = str(log_dir / f"{run_id}.log")

    work_dir = Path(tempfile.mkdtemp(prefix="run-", dir=work_root("glue"))).resolve()
    try:
        script_location = (job.command or {}).get("ScriptLocation")
        if not script_location:
            return "FAILED", f"Job {job.name} has no Command.ScriptLocation"
        # Named by the runner, like every local path of the run (see s3_arguments).
        script = work_dir / "script" / "script.py"
        script.parent.mkdir()
        try:
            s3.download_file(*split_s3_uri(script_location), str(script))
        except (ClientError, ValueError) as error:
            return "FAILED", f"Cannot read the job's script {script_location}: {error}"

        s3_arguments = S3Arguments(s3, work_dir / "s3")
        try:
            arguments = s3_arguments.local_arguments(run_arguments)
        except ClientError as error:
            return "FAILED", str(error)
        timeout_seconds = (job_run.timeout or job.timeout or 2880) * 60
        command = _script_command(script, job.name, run_id, arguments)
        # A failed script's output is written too (rejected rows); its failure is the message that matters.
        completed = _run_script(
            command, work_dir, job_run.log_file, timeout_seconds, session, cold_process=cold_process
        )
        mirror_error = _mirror_back(s3_arguments)
        if completed is None:
            return "TIMEOUT", f"Job run timed out after {timeout_seconds // 60} minutes"
        if completed.returncode != 0:
            message = error_message_from_stderr(completed.stderr, completed.returncode)
            # The script saw local paths; its message should name the S3 locations the user knows.
            return "FAILED", s3_arguments.to_s3(message)
        if mirror_error is not None:
            return "FAILED", mirror_error
        return "SUCCEEDED", None
    finally:
        shutil.rmtree(work_dir, ignore_errors=True)


def _mirror_back(s3_arguments: S3Arguments) -> str | None:
    """Write the run's output to S3; the S3 error, when one stops it, is the run's ErrorMessage."""
    try:
        s3_arguments.mirror_back()
    except ClientError as error:
        return str(error)
    return None


def _run_script(
    command: list[str],
    work_dir: Path,
    log_file: str,
    timeout_seconds: int,
    session: RoleSession,
    *,
    cold_process: bool,
) -> subprocess.CompletedProcess[str] | None:
    """Run the script on a warm worker (or in a process of its own), logging its output; None when it
    timed out."""
    with open(log_file, "w") as log:
        log.write(f"$ {' '.join(command)}\n")
    if not cold_process and worker_pool.warm_workers_from_environment() > 0:
        stderr_path = work_dir / "stderr.txt"
        request = worker_pool.ScriptRequest(
            script=Path(command[1]),
            argv=command[2:],
            cwd=work_dir,
            environment=_script_environment(work_dir, session),
            stdout_path=Path(log_file),
            stderr_path=stderr_path,
        )
        try:
            returncode = worker_pool.POOL.run(request, timeout_seconds)
        except worker_pool.WorkerUnavailable as error:
            LOG.warning("running %s in a process of its own: %s", command[1], error)
        else:
            stderr = stderr_path.read_text(errors="replace") if stderr_path.exists() else ""
            with open(log_file, "a") as log:
                log.write(stderr)
            return (
                None if returncode is None else subprocess.CompletedProcess(command, returncode, "", stderr)
            )
    return _run_script_in_own_process(command, work_dir, log_file, timeout_seconds, session)


def _run_script_in_own_process(
    command: list[str], work_dir: Path, log_file: str, timeout_seconds: int, session: RoleSession
) -> subprocess.CompletedProcess[str] | None:
    with open(log_file, "a") as log:
        try:
            completed = subprocess.run(
                command,
                cwd=work_dir,
                env=_script_environment(work_dir, session),
                stdout=log,
                stderr=subprocess.PIPE,
                text=True,
                timeout=timeout_seconds,
                check=False,
            )
        except subprocess.TimeoutExpired as expired:
            log.write(expired.stderr or "")
            return None
        log.write(completed.stderr)
    return completed
