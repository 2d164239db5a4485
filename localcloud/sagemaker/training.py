"""Runs a SageMaker training job locally: channels from local S3, the container entry point in a
subprocess, model.tar.gz back to local S3, and the job's statuses as DescribeTrainingJob reports them.

The job object is moto's FakeTrainingJob; its attributes become DescribeTrainingJob's fields, so the
runner only sets attributes (under shared_state.SAGEMAKER_STATE_LOCK, which the describe patch also
takes).
"""

from __future__ import annotations

import io
import json
import shutil
import subprocess
import sys
import tarfile
import tempfile
import threading
from pathlib import Path
from typing import Any

from moto.core.utils import utcnow

from localcloud import config
from localcloud.iam.role_sessions import RoleAssumptionDenied, RoleSession
from localcloud.sagemaker import execution_role, processes
from localcloud.sagemaker.images import ImageNotEmulable, parse_xgboost_image
from localcloud.sagemaker.metrics import as_logged, final_metrics, metric_definitions
from localcloud.sagemaker.s3_access import S3AccessError, download_prefix, write_object
from localcloud.shared_state import SAGEMAKER_STATE_LOCK, work_root

# The running jobs' output lines; saved to training_log_path() when a job ends.
JOB_LOGS: dict[str, list[str]] = {}
# Stopping a job (StopHyperParameterTuningJob stops its running candidates) kills its container, if it
# has one yet; a job asked to stop before its container starts never starts it.
_STOP_LOCK = threading.Lock()
_STOP_REQUESTED: set[str] = set()
_CONTAINERS: dict[str, subprocess.Popen[str]] = {}

_STATUS_MESSAGES = {
    "Starting": "Preparing the instances for training",
    "Downloading": "Downloading input data",
    "Training": "Training image download completed. Training in progress.",
    "Uploading": "Uploading generated training model",
    "Stopping": "Stopping the training job",
    "Completed": "Training job completed",
    "Failed": "Training job failed",
    "Stopped": "Training job stopped",
    "MaxRuntimeExceeded": "Job stopped because it exceeded MaxRuntimeInSeconds",
}


class JobFailed(Exception):
    """Ends the job as Failed; the message is the FailureReason."""


class _StopRequested(Exception):
    """Ends the job as Stopped."""


def request_stop(job: Any) -> None:
    """Stop an InProgress job, as StopTrainingJob does: `Stopping` at once, `Stopped` when its container is
    gone. A job that has already ended is left as it is."""
    with SAGEMAKER_STATE_LOCK:
        if job.training_job_status != "InProgress":
            return
        job.training_job_status = "Stopping"
    _transition(job, "Stopping")
    with _STOP_LOCK:
        _STOP_REQUESTED.add(job.training_job_name)
        container = _CONTAINERS.get(job.training_job_name)
    if container is not None:
        container.kill()


def _raise_if_stop_requested(job: Any) -> None:
    with _STOP_LOCK:
        if job.training_job_name in _STOP_REQUESTED:
            raise _StopRequested()


def prepare_new_job(job: Any) -> None:
    """Turn moto's instantly completed fake job into an InProgress one with the algorithm's metrics."""
    now = utcnow()
    with SAGEMAKER_STATE_LOCK:
        job.training_job_status = "InProgress"
        job.secondary_status = "Starting"
        job.secondary_status_transitions = [
            {"Status": "Starting", "StartTime": now, "StatusMessage": _STATUS_MESSAGES["Starting"]}
        ]
        job.final_metric_data_list = None
        job.training_start_time = None
        job.training_end_time = None
        job.failure_reason = None
        job.last_modified_time = now
        job.algorithm_specification["MetricDefinitions"] = metric_definitions()
        job.algorithm_specification.setdefault("EnableSageMakerMetricsTimeSeries", False)


def _transition(job: Any, status: str) -> None:
    now = utcnow()
    with SAGEMAKER_STATE_LOCK:
        transitions = list(job.secondary_status_transitions or [])
        if transitions and "EndTime" not in transitions[-1]:
            transitions[-1] = {**transitions[-1], "EndTime": now}
        entry = {"Status": status, "StartTime": now, "StatusMessage": _STATUS_MESSAGES[status]}
        if status in ("Completed", "Failed", "Stopped", "MaxRuntimeExceeded"):
            entry["EndTime"] = now
        transitions.append(entry)
        job.secondary_status_transitions = transitions
        job.secondary_status = status
        job.last_modified_time = now


def _finish(job: Any, status: str, secondary: str, failure_reason: str | None = None) -> None:
    _transition(job, secondary)
    now = utcnow()
    with SAGEMAKER_STATE_LOCK:
        job.training_job_status = status
        job.failure_reason = failure_reason
        job.training_end_time = now
        if job.training_start_time is not None:
            seconds = max(1, int((now - job.training_start_time).total_seconds()))
            job.training_time_in_seconds = seconds
            job.billable_time_in_seconds = seconds


def _input_data_config(job: Any) -> dict[str, dict[str, Any]]:
    default_mode = job.algorithm_specification.get("TrainingInputMode", "File")
    config: dict[str, dict[str, Any]] = {}
    for channel in job.input_data_config or []:
        source = channel.get("DataSource", {}).get("S3DataSource", {})
        entry = {
            "TrainingInputMode": channel.get("InputMode", default_mode),
            "S3DistributionType": source.get("S3DataDistributionType", "FullyReplicated"),
            "RecordWrapperType": channel.get("RecordWrapperType", "None"),
        }
        if channel.get("ContentType"):
            entry["ContentType"] = channel["ContentType"]
        config[channel["ChannelName"]] = entry
    return config


def _download_channels(job: Any, account_id: str, region: str, data_root: Path, session: RoleSession) -> None:
    for channel in job.input_data_config or []:
        name = channel["ChannelName"]
        data_source = channel.get("DataSource", {})
        source = data_source.get("S3DataSource")
        if source is None:
            raise JobFailed(
                f"ClientError: channel '{name}': only S3DataSource is emulated by the local cloud"
            )
        if source.get("S3DataType", "S3Prefix") != "S3Prefix":
            raise JobFailed(
                f"ClientError: channel '{name}': S3DataType {source['S3DataType']} is not emulated by the "
                "local cloud (only S3Prefix)"
            )
        if channel.get("CompressionType", "None") != "None":
            raise JobFailed(
                f"ClientError: channel '{name}': CompressionType is not emulated by the local cloud"
            )
        uri = source["S3Uri"]
        try:
            files = download_prefix(account_id, region, uri, data_root / name, session=session)
        except S3AccessError as error:
            raise JobFailed(f"ClientError: Data download failed: {error}") from error
        if not files:
            raise JobFailed(
                f'ClientError: No S3 objects found under S3 URL "{uri}" given in input data source. Please '
                f"ensure that the bucket exists in the selected region ({region}), that objects exist under "
                "that S3 prefix, and that the role has s3:ListBucket permissions on the bucket."
            )


def _run_container(job: Any, ml_root: Path, xgboost_version: str) -> list[str]:
    """Run the entry point, keep its output as logged lines, and raise JobFailed when it fails."""
    max_runtime = (job.stopping_condition or {}).get("MaxRuntimeInSeconds")
    command = [
        sys.executable,
        "-m",
        "localcloud.sagemaker.xgboost_container",
        "--ml-root",
        str(ml_root),
        "--xgboost-version",
        xgboost_version,
    ]
    log: list[str] = JOB_LOGS.setdefault(job.training_job_name, [])
    with _STOP_LOCK:
        if job.training_job_name in _STOP_REQUESTED:
            raise _StopRequested()
        process = subprocess.Popen(
            command,
            cwd=config.PROJECT_ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env={**processes.subprocess_env(), "PYTHONUNBUFFERED": "1"},
        )
        _CONTAINERS[job.training_job_name] = process
    timed_out = threading.Event()

    def stop_at_max_runtime() -> None:
        timed_out.set()
        process.kill()

    timer = threading.Timer(max_runtime, stop_at_max_runtime) if max_runtime else None
    if timer is not None:
        timer.start()
    try:
        for line in process.stdout or ():
            log.append(as_logged(line))
        return_code = process.wait()
    finally:
        if timer is not None:
            timer.cancel()
        with _STOP_LOCK:
            _CONTAINERS.pop(job.training_job_name, None)
    _raise_if_stop_requested(job)
    if return_code == 0:
        return log
    if timed_out.is_set():
        raise _MaxRuntimeExceeded()
    failure_file = ml_root / "output" / "failure"
    if failure_file.is_file() and failure_file.read_text().strip():
        raise JobFailed(failure_file.read_text().strip())
    tail = " | ".join(log[-5:])
    raise JobFailed(f"AlgorithmError: training exited with code {return_code}: {tail}")


class _MaxRuntimeExceeded(Exception):
    pass


def _model_tarball(model_dir: Path) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for path in sorted(model_dir.rglob("*")):
            if path.is_file():
                archive.add(path, arcname=str(path.relative_to(model_dir)))
    return buffer.getvalue()


def _role_session(job: Any) -> RoleSession:
    """The job's role session, after the image pull it authorizes; JobFailed with AWS's reason otherwise."""
    try:
        session = execution_role.session_for(job.role_arn, job.arn)
    except RoleAssumptionDenied as error:
        raise JobFailed(f"ClientError: Could not assume role {job.role_arn}: {error}") from error
    try:
        execution_role.authorize_image_pull(
            session, parse_xgboost_image(job.algorithm_specification["TrainingImage"])
        )
    except execution_role.ImagePullDenied as error:
        raise JobFailed(
            "ClientError: Cannot pull algorithm container. Either the image does not exist or its "
            f"permissions are incorrect: {error}"
        ) from error
    execution_role.record_log_writes(
        session, "/aws/sagemaker/TrainingJobs", f"{job.training_job_name}/algo-1"
    )
    return session


def run_training_job(job: Any, account_id: str, region: str) -> None:
    """The job's whole life after CreateTrainingJob; every failure ends as a Failed job, never a crash."""
    ml_root = Path(tempfile.mkdtemp(prefix=f"training-{job.training_job_name}-", dir=work_root("sagemaker")))
    try:
        image = parse_xgboost_image(job.algorithm_specification.get("TrainingImage") or "")
        with SAGEMAKER_STATE_LOCK:
            job.training_start_time = utcnow()
        session = _role_session(job)
        _raise_if_stop_requested(job)
        _transition(job, "Downloading")
        config_dir = ml_root / "input" / "config"
        config_dir.mkdir(parents=True)
        (config_dir / "hyperparameters.json").write_text(json.dumps(job.hyper_parameters or {}))
        (config_dir / "inputdataconfig.json").write_text(json.dumps(_input_data_config(job)))
        (config_dir / "resourceconfig.json").write_text(
            json.dumps({"current_host": "algo-1", "hosts": ["algo-1"], "network_interface_name": "eth0"})
        )
        _download_channels(job, account_id, region, ml_root / "input" / "data", session)
        _transition(job, "Training")
        log = _run_container(job, ml_root, image.xgboost_version)
        _transition(job, "Uploading")
        try:
            write_object(
                account_id,
                region,
                job.model_artifacts["S3ModelArtifacts"],
                _model_tarball(ml_root / "model"),
                session=session,
                kms_key_id=(job.output_data_config or {}).get("KmsKeyId"),
            )
        except S3AccessError as error:
            raise JobFailed(f"ClientError: Uploading the model failed: {error}") from error
        execution_role.record_metric_writes(session, "/aws/sagemaker/TrainingJobs")
        metrics = final_metrics(log, utcnow())
        with SAGEMAKER_STATE_LOCK:
            job.final_metric_data_list = metrics
        _finish(job, "Completed", "Completed")
    except ImageNotEmulable as error:
        _finish(job, "Failed", "Failed", f"ClientError: {error}")
    except JobFailed as error:
        _finish(job, "Failed", "Failed", str(error))
    except _MaxRuntimeExceeded:
        _finish(job, "Stopped", "MaxRuntimeExceeded")
    except _StopRequested:
        _finish(job, "Stopped", "Stopped")
    except Exception as error:  # the server must survive any bug here: report it on the job instead
        _finish(job, "Failed", "Failed", f"InternalServerError: local training runner failed: {error!r}")
    finally:
        with _STOP_LOCK:
            _STOP_REQUESTED.discard(job.training_job_name)
        shutil.rmtree(ml_root, ignore_errors=True)
        _save_log(job.training_job_name)


def training_log_path(job_name: str) -> Path:
    """What the container printed, as the log pipeline records it (CloudWatch is not emulated)."""
    return config.logs_dir() / "sagemaker" / f"{job_name}.log"


def _save_log(job_name: str) -> None:
    path = training_log_path(job_name)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(line + "\n" for line in JOB_LOGS.pop(job_name, [])))


def start_training_job(job: Any, account_id: str, region: str) -> threading.Thread:
    prepare_new_job(job)
    thread = threading.Thread(
        target=run_training_job,
        args=(job, account_id, region),
        name=f"training-{job.training_job_name}",
        daemon=True,
    )
    thread.start()
    return thread
