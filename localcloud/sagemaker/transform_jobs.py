"""Runs a SageMaker batch transform job locally: the model's container served by the endpoints' local model
server (one per job, stopped when the job ends), every input object sent through it (`transform_objects`),
and the job's statuses as DescribeTransformJob reports them.

The job object is moto's FakeTransformJob; its attributes become DescribeTransformJob's fields (every one
of them: moto describes the whole object), so the runner only sets the attributes SageMaker reports, under
`shared_state.SAGEMAKER_STATE_LOCK`, and keeps its own state in `TransformRun`.

As SageMaker runs a container for batch transform ("Use Your Own Inference Code with Batch Transform"):
the container gets the model's `Environment`, the job's `Environment` over it, `SAGEMAKER_BATCH=true` and,
when the job sets them, `SAGEMAKER_MAX_PAYLOAD_IN_MB`, `SAGEMAKER_BATCH_STRATEGY` and
`SAGEMAKER_MAX_CONCURRENT_TRANSFORMS`. `MaxConcurrentTransforms`, `BatchStrategy` and `MaxPayloadInMB` are
the job's, else what the container answers to `GET /execution-parameters`, else the defaults (1, 6 MB).
"""

from __future__ import annotations

import http.client
import json
import threading
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from moto.core.utils import utcnow
from moto.sagemaker.utils import arn_formatter

from localcloud import config
from localcloud.iam.role_sessions import RoleAssumptionDenied, RoleSession
from localcloud.sagemaker import endpoints, execution_role, model_registry
from localcloud.sagemaker.images import ImageNotEmulable, XGBoostImage, parse_xgboost_image
from localcloud.sagemaker.s3_access import S3AccessError, read_object
from localcloud.sagemaker.transform_objects import (
    Answer,
    InputObject,
    ObjectFailed,
    ObjectResult,
    Stopped,
    TransformSettings,
    list_input_objects,
    output_uri,
    transform_object,
)
from localcloud.sagemaker.transform_records import RecordError, parse_csv_filter
from localcloud.shared_state import SAGEMAKER_STATE_LOCK

# "Your model containers must respond to requests within 600 seconds" unless ModelClientConfig says otherwise.
DEFAULT_INVOCATION_TIMEOUT_SECONDS = 600
DEFAULT_INVOCATION_RETRIES = 3
DEFAULT_MAX_PAYLOAD_IN_MB = 6
DEFAULT_MAX_CONCURRENT_TRANSFORMS = 1
# What the XGBoost 3.0-5 container (algorithm_mode/serve.py) answers to GET /execution-parameters. The local
# model server does not serve that route, so the runner uses the container's answer when it gets a 404.
XGBOOST_EXECUTION_PARAMETERS = {"BatchStrategy": "MULTI_RECORD", "MaxPayloadInMB": 6}
_STRATEGY_NAMES = {"MULTI_RECORD": "MultiRecord", "SINGLE_RECORD": "SingleRecord"}
_ENVIRONMENT_NAMES = {name: env for env, name in _STRATEGY_NAMES.items()}
# DescribeTransformJob's FailureReason holds at most 1024 characters.
_FAILURE_REASON_LENGTH = 1024
_FINAL_STATUSES = frozenset({"Completed", "Failed", "Stopped"})


class JobFailed(Exception):
    """Ends the job as Failed; the message is the FailureReason."""


@dataclass(frozen=True)
class ExecutionParameters:
    max_concurrent_transforms: int
    batch_strategy: str  # MultiRecord | SingleRecord, as the API names them
    max_payload_in_mb: int

    def log_line(self) -> str:
        """The data log's first line, as SageMaker writes it."""
        strategy = _ENVIRONMENT_NAMES[self.batch_strategy]
        return (
            f"MaxConcurrentTransforms={self.max_concurrent_transforms}, "
            f"MaxPayloadInMB={self.max_payload_in_mb}, BatchStrategy={strategy}"
        )


@dataclass
class TransformRun:
    """The runner's own record of a job: whether a stop was asked for, what each input object became."""

    job_arn: str
    job_name: str
    stop_requested: threading.Event = field(default_factory=threading.Event)
    parameters: ExecutionParameters | None = None
    results: list[ObjectResult] = field(default_factory=list)


_RUNS: dict[str, TransformRun] = {}
_RUNS_LOCK = threading.Lock()


def object_results(job_arn: str) -> list[ObjectResult]:
    """What each input object of the job became so far, in processing order (records, requests, output)."""
    with _RUNS_LOCK:
        run = _RUNS.get(job_arn)
    return [replace(result) for result in run.results] if run is not None else []


def execution_parameters(job_arn: str) -> ExecutionParameters | None:
    """The MaxConcurrentTransforms / BatchStrategy / MaxPayloadInMB the job runs with, once resolved."""
    with _RUNS_LOCK:
        run = _RUNS.get(job_arn)
    return run.parameters if run is not None else None


def data_log_path(job_name: str) -> Path:
    """The job's data log (on AWS the `<job>/<instance>/data-log` stream of /aws/sagemaker/TransformJobs)."""
    return config.logs_dir() / "sagemaker" / "transform-jobs" / f"{job_name}.data-log"


def _log(run: TransformRun, line: str, source: str = "sagemaker logs") -> None:
    path = data_log_path(run.job_name)
    path.parent.mkdir(parents=True, exist_ok=True)
    stamp = utcnow().isoformat(timespec="milliseconds")
    with path.open("a") as log:
        log.write(f"{stamp}:[{source}]: {line}\n")


def prepare_new_job(job: Any) -> None:
    """Turn moto's instantly completed job into an InProgress one (moto sets Completed and every time)."""
    with SAGEMAKER_STATE_LOCK:
        job.transform_job_status = "InProgress"
        job.failure_reason = None
        job.transform_start_time = None
        job.transform_end_time = None
        # AWS leaves out the ARNs of jobs that did not create this one; moto sets them to "".
        job.labeling_job_arn = None
        job.auto_ml_job_arn = None
        job.last_modified_time = utcnow()


def _finish(job: Any, status: str, failure_reason: str | None = None) -> None:
    with SAGEMAKER_STATE_LOCK:
        job.transform_job_status = status
        job.failure_reason = failure_reason[:_FAILURE_REASON_LENGTH] if failure_reason else None
        job.transform_end_time = job.last_modified_time = utcnow()


def request_stop(job: Any) -> None:
    """StopTransformJob: `Stopping` until the runner has stopped the container, then `Stopped`."""
    with SAGEMAKER_STATE_LOCK:
        if job.transform_job_status in _FINAL_STATUSES:
            return
        job.transform_job_status = "Stopping"
        job.last_modified_time = utcnow()
    with _RUNS_LOCK:
        run = _RUNS.get(job.arn)
    if run is not None:
        run.stop_requested.set()


def _model_container(backend: Any, model_name: str) -> tuple[Any, dict[str, Any]]:
    with SAGEMAKER_STATE_LOCK:
        model = backend._models.get(model_name)
    if model is None:  # deleted after CreateTransformJob checked it
        arn = arn_formatter("model", model_name, backend.account_id, backend.region_name)
        raise JobFailed(f'ClientError: Could not find model "{arn}".')
    containers = [model.primary_container] if model.primary_container else list(model.containers or [])
    if len(containers) == 1 and containers[0].get("ModelPackageName"):
        # A model created from a model package runs the package's container (image, model data).
        containers = model_registry.package_containers(model, containers[0])
    if len(containers) != 1:
        raise JobFailed(
            f"ClientError: model {model_name}: the local cloud emulates single-container models only"
        )
    return model, containers[0]


def _role_session(job: Any, model: Any, image: XGBoostImage) -> RoleSession:
    try:
        session = execution_role.session_for(model.execution_role_arn, job.arn)
    except RoleAssumptionDenied as error:
        raise JobFailed(f"ClientError: Could not assume role {model.execution_role_arn}: {error}") from error
    try:
        execution_role.authorize_image_pull(session, image)
    except execution_role.ImagePullDenied as error:
        raise JobFailed(
            "ClientError: Cannot pull the inference image. Either the image does not exist or its "
            f"permissions are incorrect: {error}"
        ) from error
    for stream in ("local", "local/data-log"):
        execution_role.record_log_writes(
            session, "/aws/sagemaker/TransformJobs", f"{job.transform_job_name}/{stream}"
        )
    return session


def _settings(job: Any, parameters: ExecutionParameters) -> TransformSettings:
    """What the job asks for, refusing what SageMaker or the local cloud cannot do with it (checked before the
    container starts with the job's own parameters, and again once the container's are known)."""
    transform_input = job.transform_input or {}
    transform_output = job.transform_output or {}
    processing = job.data_processing or {}
    split_type = transform_input.get("SplitType") or "None"
    assemble_with = transform_output.get("AssembleWith") or "None"
    if split_type not in ("None", "Line"):
        raise JobFailed(
            f"ClientError: SplitType {split_type} is not emulated by the local cloud (None and Line are)"
        )
    if parameters.max_payload_in_mb == 0:
        raise JobFailed(
            "ClientError: MaxPayloadInMB 0 (HTTP chunked encoding) is not supported by the SageMaker "
            "built-in algorithms"
        )
    if job.data_capture_config:
        raise JobFailed("ClientError: DataCaptureConfig is not emulated by the local cloud")
    try:
        input_filter = parse_csv_filter(processing.get("InputFilter"))
        output_filter = parse_csv_filter(processing.get("OutputFilter"))
    except RecordError as error:
        raise JobFailed(f"ClientError: {error}") from error
    join_input = (processing.get("JoinSource") or "None") == "Input"
    reshaped = join_input or not input_filter.selects_all or not output_filter.selects_all
    content_type = transform_input.get("ContentType")
    if reshaped and (content_type or "text/csv").split(";")[0].strip().lower() != "text/csv":
        raise JobFailed(
            "ClientError: InputFilter, JoinSource and OutputFilter are emulated by the local cloud for "
            f"text/csv input only, not {content_type}"
        )
    # "If you set input and output formats to text/csv, you must also set the SplitType and AssemblyType
    # parameters to line" (Developer Guide, "Associate Prediction Results with Input Records").
    if reshaped and split_type != "Line":
        raise JobFailed(
            "ClientError: InputFilter, JoinSource and OutputFilter on CSV data need SplitType Line"
        )
    if join_input and assemble_with != "Line":
        raise JobFailed("ClientError: JoinSource Input on CSV data needs AssembleWith Line")
    return TransformSettings(
        split_type=split_type,
        batch_strategy=parameters.batch_strategy,
        max_payload_in_mb=parameters.max_payload_in_mb,
        compression=transform_input.get("CompressionType") or "None",
        input_filter=input_filter,
        output_filter=output_filter,
        join_input=join_input,
        assemble_with=assemble_with,
        kms_key_id=transform_output.get("KmsKeyId"),
    )


def _container_environment(job: Any, container: dict[str, Any]) -> dict[str, str]:
    environment = {
        **(container.get("Environment") or {}),
        **(job.environment or {}),
        "SAGEMAKER_BATCH": "true",
    }
    if job.max_payload_in_mb is not None:
        environment["SAGEMAKER_MAX_PAYLOAD_IN_MB"] = str(job.max_payload_in_mb)
    if job.batch_strategy:
        environment["SAGEMAKER_BATCH_STRATEGY"] = _ENVIRONMENT_NAMES[job.batch_strategy]
    if job.max_concurrent_transforms:
        environment["SAGEMAKER_MAX_CONCURRENT_TRANSFORMS"] = str(job.max_concurrent_transforms)
    return environment


class ContainerClient:
    """HTTP to the job's model server over one kept-alive connection, as SageMaker's agent talks to the
    container; a request that gets no answer is retried `retries` times on a new connection."""

    def __init__(self, port: int, timeout: float, retries: int, headers: dict[str, str]) -> None:
        self._port, self._timeout, self._retries, self._headers = port, timeout, retries, headers
        self._connection: http.client.HTTPConnection | None = None

    def _request(self, method: str, path: str, body: bytes | None, headers: dict[str, str]) -> Answer:
        last_error: Exception | None = None
        for _ in range(self._retries + 1):
            if self._connection is None:
                self._connection = http.client.HTTPConnection("127.0.0.1", self._port, timeout=self._timeout)
            try:
                self._connection.request(method, path, body=body, headers=headers)
                response = self._connection.getresponse()
                return Answer(response.status, response.getheader("Content-Type", ""), response.read())
            except (OSError, http.client.HTTPException) as error:
                last_error = error
                self.close()
        raise OSError(f"{last_error!r}")

    def execution_parameters(self) -> dict[str, Any] | None:
        """The container's answer to GET /execution-parameters, or None when it has none."""
        try:
            answer = self._request("GET", "/execution-parameters", None, {})
            parameters = json.loads(answer.body) if answer.status == 200 else None
        except (OSError, ValueError):
            return None
        return parameters if isinstance(parameters, dict) else None

    def invoke(self, body: bytes) -> Answer:
        return self._request("POST", "/invocations", body, self._headers)

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None


def _execution_parameters(job: Any, answer: dict[str, Any] | None) -> ExecutionParameters:
    offered = answer if answer is not None else XGBOOST_EXECUTION_PARAMETERS
    strategy = job.batch_strategy or _STRATEGY_NAMES.get(str(offered.get("BatchStrategy")), "MultiRecord")
    payload = job.max_payload_in_mb
    if payload is None:
        payload = offered.get("MaxPayloadInMB", DEFAULT_MAX_PAYLOAD_IN_MB)
    concurrent = job.max_concurrent_transforms or offered.get(
        "MaxConcurrentTransforms", DEFAULT_MAX_CONCURRENT_TRANSFORMS
    )
    return ExecutionParameters(int(concurrent), strategy, int(payload))


def _input_objects(job: Any, account_id: str, region: str, session: RoleSession) -> list[InputObject]:
    data_source = (job.transform_input or {}).get("DataSource") or {}
    uri = (data_source.get("S3DataSource") or {}).get("S3Uri", "")
    try:
        sources = list_input_objects(account_id, region, data_source, session=session)
    except (S3AccessError, RecordError) as error:
        raise JobFailed(f"ClientError: Failed to list the input data: {error}") from error
    if not sources:
        raise JobFailed(
            f'ClientError: No S3 objects found under S3 URL "{uri}" given in input data source. Please '
            f"ensure that the bucket exists in the selected region ({region}), that objects exist under that "
            "S3 prefix, and that the role has s3:ListBucket permissions on the bucket."
        )
    return sources


def _object_failure(run: TransformRun, source: InputObject, failed: ObjectFailed) -> str:
    """Log the failure as SageMaker's data log does and return its FailureReason."""
    _log(run, f"{source.display}: {failed.summary}")
    reason = f"{failed.kind}: See job logs for more information. {source.display}: {failed.summary}"
    if failed.message is not None:
        _log(run, f"{source.display}: ")
        _log(run, f"{source.display}: Message:")
        for line in failed.message.splitlines() or [""]:
            _log(run, f"{source.display}: {line}")
        reason += f" Message: {failed.message.strip()}"
    return reason


def _transform_all(
    job: Any,
    run: TransformRun,
    sources: list[InputObject],
    settings: TransformSettings,
    client: ContainerClient,
    session: RoleSession,
    account_id: str,
    region: str,
) -> list[str]:
    """Every object in turn; a failed object is skipped, as SageMaker goes on with the others. The
    failure reasons, in order."""
    failures = []
    for source in sources:
        if run.stop_requested.is_set():
            raise Stopped()
        result = ObjectResult(source.uri, output_uri(job.transform_output["S3OutputPath"], source))
        run.results.append(result)
        try:
            transform_object(
                source,
                result,
                settings,
                client.invoke,
                run.stop_requested.is_set,
                account_id=account_id,
                region=region,
                session=session,
            )
        except ObjectFailed as failed:
            result.failure = _object_failure(run, source, failed)
            failures.append(result.failure)
            continue
        summary = f"{result.records} records in {result.requests} requests -> {result.output_uri}"
        _log(run, f"{source.display}: {summary}", source="localcloud")
    return failures


def run_transform_job(backend: Any, job: Any, run: TransformRun) -> None:
    """The job's whole life after CreateTransformJob; every failure ends as a Failed job, never a crash."""
    account_id, region = backend.account_id, backend.region_name
    server: endpoints.ModelServer | None = None
    client: ContainerClient | None = None
    try:
        with SAGEMAKER_STATE_LOCK:
            job.transform_start_time = job.last_modified_time = utcnow()
        model, container = _model_container(backend, job.model_name)
        image = parse_xgboost_image(container.get("Image") or "")
        session = _role_session(job, model, image)
        model_url = container.get("ModelDataUrl")
        if not model_url:
            raise JobFailed(f"ClientError: model {job.model_name} has no ModelDataUrl")
        try:
            tarball = read_object(account_id, region, model_url, session=session)
        except S3AccessError as error:
            raise JobFailed(
                f"ClientError: Failed to download model data from {model_url}: {error}. Please ensure that "
                "there is an object located at the URL and that the role passed to CreateModel has "
                "permissions to download the model."
            ) from error
        _settings(job, _execution_parameters(job, None))
        sources = _input_objects(job, account_id, region, session)
        if run.stop_requested.is_set():
            raise Stopped()
        try:
            server = endpoints.start_model_server(
                tarball, _container_environment(job, container), job.transform_job_name
            )
        except endpoints.DeploymentFailed as error:
            raise JobFailed(f"AlgorithmError: {error}") from error
        client_config = job.model_client_config or {}
        headers = {
            name: value
            for name, value in (
                ("Content-Type", (job.transform_input or {}).get("ContentType")),
                ("Accept", (job.transform_output or {}).get("Accept")),
            )
            if value
        }
        client = ContainerClient(
            server.port,
            client_config.get("InvocationsTimeoutInSeconds", DEFAULT_INVOCATION_TIMEOUT_SECONDS),
            client_config.get("InvocationsMaxRetries", DEFAULT_INVOCATION_RETRIES),
            headers,
        )
        run.parameters = _execution_parameters(job, client.execution_parameters())
        _log(run, run.parameters.log_line())
        settings = _settings(job, run.parameters)
        failures = _transform_all(job, run, sources, settings, client, session, account_id, region)
        execution_role.record_metric_writes(session, "/aws/sagemaker/TransformJobs")
        if failures:
            more = f" ({len(failures)} of {len(sources)} input objects failed.)" if len(failures) > 1 else ""
            _finish(job, "Failed", failures[0] + more)
        else:
            _finish(job, "Completed")
    except Stopped:
        _finish(job, "Stopped")
    except ImageNotEmulable as error:
        _finish(job, "Failed", f"ClientError: {error}")
    except JobFailed as error:
        _finish(job, "Failed", str(error))
    except Exception as error:  # the server must survive any bug here: report it on the job instead
        _finish(job, "Failed", f"InternalServerError: local transform runner failed: {error!r}")
    finally:
        if client is not None:
            client.close()
        if server is not None:
            endpoints.untrack_and_stop(server)


def start_transform_job(backend: Any, job: Any) -> threading.Thread:
    prepare_new_job(job)
    run = TransformRun(job_arn=job.arn, job_name=job.transform_job_name)
    with _RUNS_LOCK:
        _RUNS[job.arn] = run
    data_log_path(job.transform_job_name).unlink(missing_ok=True)
    thread = threading.Thread(
        target=run_transform_job,
        args=(backend, job, run),
        name=f"transform-{job.transform_job_name}",
        daemon=True,
    )
    thread.start()
    return thread
