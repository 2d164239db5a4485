"""Endpoint lifecycle: CreateEndpoint / UpdateEndpoint start a local model server (a fleet) per endpoint
configuration and route InvokeEndpoint to it once it answers /ping; a failed update leaves the previous
fleet serving.

An update with a `DeploymentConfig` (deployment guardrails) runs blue/green: the new fleet starts beside
the old one, traffic moves to it step by step (localcloud.sagemaker.rollout), and a rollback alarm in
ALARM sends everything back to the old fleet (`RollingBack`, then `InService` on the old configuration
with a FailureReason). Without one, traffic moves all at once as soon as the new fleet is up, which is
SageMaker's default blue/green update.

ROUTES maps (account, region, endpoint name) to the endpoint's fleets. The endpoint object is moto's
FakeEndpoint, whose attributes are DescribeEndpoint's fields.
"""

from __future__ import annotations

import atexit
import http.client
import io
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from moto.core.utils import utcnow

from localcloud import config, rollout_clock
from localcloud.iam.role_sessions import RoleAssumptionDenied
from localcloud.sagemaker import execution_role, model_registry
from localcloud.sagemaker.deployment_config import RolloutPlan
from localcloud.sagemaker.images import ImageNotEmulable, parse_xgboost_image
from localcloud.sagemaker.processes import subprocess_env
from localcloud.sagemaker.rollout import (
    ALARM_CHECK_INTERVAL_SECONDS,
    RolloutControls,
    RolloutEvent,
    run_rollout,
)
from localcloud.sagemaker.s3_access import S3AccessError, read_object
from localcloud.sagemaker.serverless_capacity import ServerlessCapacity, settings_for
from localcloud.shared_state import SAGEMAKER_STATE_LOCK, work_root

SERVER_START_TIMEOUT_SECONDS = 60.0
# SageMaker takes minutes to move traffic back; locally the endpoint stays RollingBack this long so a
# caller polling DescribeEndpoint every second sees the state it would see on AWS.
ROLLBACK_SECONDS = float(os.environ.get("LOCALCLOUD_ENDPOINT_ROLLBACK_SECONDS", "2"))


class DeploymentFailed(Exception):
    """The endpoint's new model could not be started; the message is the FailureReason."""


@dataclass
class ModelServer:
    process: subprocess.Popen[str]
    port: int
    model_dir: Path
    log_path: Path
    variant_name: str
    config_name: str = ""
    stopped: bool = field(default=False)
    # A serverless variant's concurrency and cold starts (None for an instance-based one).
    serverless: ServerlessCapacity | None = None

    @property
    def host(self) -> str:
        return "127.0.0.1"

    def stop(self) -> None:
        if self.stopped:
            return
        self.stopped = True
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self.process.stdout is not None:
            self.process.stdout.close()
        shutil.rmtree(self.model_dir.parent, ignore_errors=True)


@dataclass
class EndpointRoute:
    """The fleet serving an endpoint and, during a guarded update, the new fleet with its share of traffic.

    Requests are spread by share deterministically (request i goes to the new fleet when the running
    count of its share crosses a whole number), so N requests put round(N x share) on the new fleet:
    SageMaker spreads by instance through its load balancer; the local split is exact so a test can
    measure it.
    """

    current: ModelServer
    new_fleet: ModelServer | None = None
    new_fleet_share: float = 0.0
    requests: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def pick(self) -> ModelServer:
        with self._lock:
            new_fleet, share = self.new_fleet, self.new_fleet_share
            index = self.requests
            self.requests += 1
        if new_fleet is None or share <= 0:
            return self.current
        if share >= 1 or int((index + 1) * share) > int(index * share):
            return new_fleet
        return self.current

    def set_new_fleet_share(self, share: float) -> None:
        with self._lock:
            self.new_fleet_share = share
            self.requests = 0


RouteKey = tuple[str, str, str]
ROUTES: dict[RouteKey, EndpointRoute] = {}
_ROUTES_LOCK = threading.Lock()
# Every running server, routed or not (starting, being retired), so stop_all() finds them all.
_SERVERS_BY_PID: dict[int, ModelServer] = {}


def _track(server: ModelServer) -> None:
    with _ROUTES_LOCK:
        _SERVERS_BY_PID[server.process.pid] = server


def untrack_and_stop(server: ModelServer) -> None:
    """Stop a model server this module started (an endpoint's fleet, a transform job's server)."""
    with _ROUTES_LOCK:
        _SERVERS_BY_PID.pop(server.process.pid, None)
    server.stop()


def route(account_id: str, region: str, endpoint_name: str) -> ModelServer | None:
    """The fleet that serves the next request to the endpoint, or None when it has none."""
    with _ROUTES_LOCK:
        endpoint_route = ROUTES.get((account_id, region, endpoint_name))
    return endpoint_route.pick() if endpoint_route is not None else None


def stop_all() -> None:
    """Stop every model server this process started (atexit, test fixtures, cloud shutdown)."""
    with _ROUTES_LOCK:
        servers = list(_SERVERS_BY_PID.values())
        _SERVERS_BY_PID.clear()
        ROUTES.clear()
    for server in servers:
        server.stop()


atexit.register(stop_all)


def _ping(port: int) -> bool:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
    try:
        connection.request("GET", "/ping")
        return connection.getresponse().status == 200
    except OSError:
        return False
    finally:
        connection.close()


def start_model_server(model_tarball: bytes, environment: dict[str, str], variant_name: str) -> ModelServer:
    """Unpack model.tar.gz, start the server process and wait until /ping answers 200."""
    work_dir = Path(tempfile.mkdtemp(prefix=f"endpoint-{variant_name}-", dir=work_root("sagemaker")))
    model_dir = work_dir / "model"
    model_dir.mkdir()
    try:
        with tarfile.open(fileobj=io.BytesIO(model_tarball), mode="r:gz") as archive:
            archive.extractall(model_dir, filter="data")
    except (tarfile.TarError, OSError) as error:
        shutil.rmtree(work_dir, ignore_errors=True)
        raise DeploymentFailed(f"The model data is not a valid model.tar.gz: {error}") from error
    log_path = work_dir / "server.log"
    env = {**subprocess_env(), **environment}
    with log_path.open("w") as log_file:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "localcloud.sagemaker.model_server",
                "--model-dir",
                str(model_dir),
                "--parent-pid",
                str(os.getpid()),
            ],
            cwd=config.PROJECT_ROOT,
            stdout=subprocess.PIPE,
            stderr=log_file,
            text=True,
            env=env,
        )
    server = ModelServer(
        process=process, port=0, model_dir=model_dir, log_path=log_path, variant_name=variant_name
    )
    _track(server)
    first_line = process.stdout.readline() if process.stdout is not None else ""
    if not first_line.startswith("LISTENING "):
        process.wait(timeout=10)
        detail = log_path.read_text().strip().splitlines()
        untrack_and_stop(server)
        raise DeploymentFailed(
            f"The primary container for production variant {variant_name} did not pass the ping health "
            "check: " + (detail[-1] if detail else "the model server exited")
        )
    server.port = int(first_line.split()[1])
    deadline = time.monotonic() + SERVER_START_TIMEOUT_SECONDS
    while not _ping(server.port):
        if time.monotonic() > deadline or process.poll() is not None:
            untrack_and_stop(server)
            raise DeploymentFailed(
                f"The primary container for production variant {variant_name} did not pass the ping health "
                "check."
            )
        time.sleep(0.05)
    return server


def _model_container(backend: Any, model_name: str) -> dict[str, Any]:
    model = backend._models.get(model_name)
    if model is None:
        raise DeploymentFailed(f"Could not find model '{model_name}'.")
    containers = [model.primary_container] if model.primary_container else list(model.containers or [])
    if len(containers) == 1 and containers[0].get("ModelPackageName"):
        # A model created from a model package serves the package's container (image, model data).
        containers = model_registry.package_containers(model, containers[0])
    if len(containers) != 1:
        raise DeploymentFailed(f"model {model_name}: the local cloud emulates single-container models only")
    return containers[0]


def deploy_config(
    backend: Any, config_name: str, endpoint_name: str
) -> tuple[ModelServer, list[dict[str, Any]]]:
    """Start the server for an endpoint configuration; returns it with the config's production variants."""
    endpoint_config = backend.endpoint_configs.get(config_name)
    if endpoint_config is None:
        raise DeploymentFailed(f"Could not find endpoint configuration '{config_name}'.")
    variants = endpoint_config.production_variants
    if len(variants) != 1:
        raise DeploymentFailed(
            f"endpoint configuration {config_name} has {len(variants)} production variants; the local cloud "
            "emulates exactly one"
        )
    variant = variants[0]
    container = _model_container(backend, variant["ModelName"])
    try:
        parse_xgboost_image(container.get("Image", ""))
    except ImageNotEmulable as error:
        raise DeploymentFailed(f"ClientError: {error}") from error
    model_url = container.get("ModelDataUrl")
    if not model_url:
        raise DeploymentFailed(f"model {variant['ModelName']} has no ModelDataUrl")
    model = backend._models[variant["ModelName"]]
    try:
        session = execution_role.session_for(model.execution_role_arn, model.arn)
    except RoleAssumptionDenied as error:
        raise DeploymentFailed(f"Could not assume role {model.execution_role_arn}: {error}") from error
    endpoint_log_group = f"/aws/sagemaker/Endpoints/{endpoint_name}"
    execution_role.record_log_writes(session, endpoint_log_group, f"{variant['VariantName']}/local")
    try:
        execution_role.authorize_image_pull(session, parse_xgboost_image(container.get("Image", "")))
    except execution_role.ImagePullDenied as error:
        raise DeploymentFailed(f"ClientError: Cannot pull the inference image: {error}") from error
    try:
        tarball = read_object(backend.account_id, backend.region_name, model_url, session=session)
    except S3AccessError as error:
        raise DeploymentFailed(
            f"Failed to download model data from {model_url}: {error}. Please ensure that there is an "
            "object located at the URL and that the role passed to CreateModel has permissions to download "
            "the model."
        ) from error
    server = start_model_server(tarball, dict(container.get("Environment") or {}), variant["VariantName"])
    if variant.get("ServerlessConfig"):
        server.serverless = ServerlessCapacity(settings_for(variant["ServerlessConfig"]))
    return server, variants


def _is_current(backend: Any, endpoint: Any) -> bool:
    return backend.endpoints.get(endpoint.endpoint_name) is endpoint


def run_deployment(
    backend: Any, endpoint: Any, config_name: str, is_update: bool, plan: RolloutPlan | None = None
) -> None:
    """Bring the endpoint to InService on config_name, or report the failure as AWS does."""
    key = (backend.account_id, backend.region_name, endpoint.endpoint_name)
    clock = rollout_clock.current()
    started_at = clock.now()
    try:
        server, variants = deploy_config(backend, config_name, endpoint.endpoint_name)
    except DeploymentFailed as error:
        _deployment_failed(backend, endpoint, is_update, str(error))
        return
    except Exception as error:  # never let a bug kill the server thread silently
        _deployment_failed(
            backend, endpoint, is_update, f"InternalServerError: local deployment failed: {error!r}"
        )
        return
    server.config_name = config_name
    with _ROUTES_LOCK:
        endpoint_route = ROUTES.get(key)
    if is_update and plan is not None and endpoint_route is not None:
        _guarded_update(backend, endpoint, endpoint_route, server, variants, plan, clock, started_at)
        return
    with SAGEMAKER_STATE_LOCK:
        if not _is_current(backend, endpoint):
            untrack_and_stop(server)  # deleted while we were starting it
            return
        with _ROUTES_LOCK:
            previous = ROUTES.get(key)
            ROUTES[key] = EndpointRoute(current=server)
        _now_serving(endpoint, config_name, variants, failure_reason=None)
    if previous is not None:
        _stop_route(previous)


def _now_serving(
    endpoint: Any, config_name: str, variants: list[dict[str, Any]], failure_reason: str | None
) -> None:
    """The endpoint is InService on config_name (caller holds SAGEMAKER_STATE_LOCK)."""
    endpoint.endpoint_config_name = config_name
    endpoint.production_variants = endpoint._process_production_variants(variants)
    endpoint.endpoint_status = "InService"
    endpoint.failure_reason = failure_reason
    endpoint.pending_deployment_summary = None
    endpoint.last_modified_time = utcnow()


def _stop_route(endpoint_route: EndpointRoute) -> None:
    for server in (endpoint_route.current, endpoint_route.new_fleet):
        if server is not None:
            untrack_and_stop(server)


def _report_progress(backend: Any, endpoint: Any, event: RolloutEvent) -> None:
    """Show the rollout's step where DescribeEndpoint shows it: PendingDeploymentSummary's VariantStatus."""
    with SAGEMAKER_STATE_LOCK:
        summary = endpoint.pending_deployment_summary
        if not _is_current(backend, endpoint) or not summary:
            return
        for variant in summary["ProductionVariants"]:
            variant["VariantStatus"] = [
                {"Status": event.status, "StatusMessage": event.message, "StartTime": utcnow()}
            ]


def alarms_in_alarm(account_id: str, region: str, alarm_names: tuple[str, ...]) -> list[str]:
    """The rollback alarms now in ALARM, evaluated by the local CloudWatch from the endpoint's metrics."""
    from localcloud.cloudwatch.alarm_evaluator import evaluate_alarms

    states = evaluate_alarms(account_id, region, list(alarm_names))
    return [name for name in alarm_names if states.get(name) == "ALARM"]


def _guarded_update(
    backend: Any,
    endpoint: Any,
    endpoint_route: EndpointRoute,
    server: ModelServer,
    variants: list[dict[str, Any]],
    plan: RolloutPlan,
    clock: rollout_clock.RolloutClock,
    started_at: float,
) -> None:
    """Blue/green (or rolling) update: the new fleet takes traffic step by step while alarms are watched;
    its waits pass on `clock` (started_at is its time)."""
    with SAGEMAKER_STATE_LOCK:
        if not _is_current(backend, endpoint):
            untrack_and_stop(server)
            return
        endpoint_route.set_new_fleet_share(0.0)
        endpoint_route.new_fleet = server
    controls = RolloutControls(
        set_new_fleet_share=endpoint_route.set_new_fleet_share,
        alarms_in_alarm=lambda names: alarms_in_alarm(backend.account_id, backend.region_name, names),
        report=lambda event: _report_progress(backend, endpoint, event),
        clock=clock.now,
        sleep=clock.sleep,
        alarm_check_interval=clock.clock_seconds(ALARM_CHECK_INTERVAL_SECONDS),
    )
    try:
        result = run_rollout(plan, controls, started_at)
    except Exception as error:  # a bug rolls back rather than leaving the endpoint Updating forever
        result = None
        failure = f"InternalServerError: local rollout failed: {error!r}"
    if result is not None and result.completed:
        if plan.termination_wait_seconds:
            _report_progress(
                backend,
                endpoint,
                RolloutEvent(
                    "Deleting",
                    f"All traffic on the new fleet; the old fleet is retired after TerminationWaitInSeconds "
                    f"({plan.termination_wait_seconds} s)",
                ),
            )
            clock.sleep(plan.termination_wait_seconds)
        with SAGEMAKER_STATE_LOCK:
            deleted = not _is_current(backend, endpoint)
            old_fleet = endpoint_route.current
            endpoint_route.current, endpoint_route.new_fleet = server, None
            endpoint_route.set_new_fleet_share(0.0)
            if not deleted:
                _now_serving(endpoint, server.config_name, variants, failure_reason=None)
        untrack_and_stop(old_fleet)
        if deleted:  # DeleteEndpoint during the rollout stopped the fleets it knew; this one too
            untrack_and_stop(server)
        return
    if result is not None:
        failure = result.failure_reason or "Deployment rolled back"
    with SAGEMAKER_STATE_LOCK:
        endpoint_route.set_new_fleet_share(0.0)
        if _is_current(backend, endpoint):
            endpoint.endpoint_status = "RollingBack"
            endpoint.last_modified_time = utcnow()
    time.sleep(ROLLBACK_SECONDS)
    with SAGEMAKER_STATE_LOCK:
        endpoint_route.new_fleet = None
        if _is_current(backend, endpoint):
            endpoint.endpoint_status = "InService"
            endpoint.failure_reason = failure
            endpoint.pending_deployment_summary = None
            endpoint.last_modified_time = utcnow()
    untrack_and_stop(server)


def _deployment_failed(backend: Any, endpoint: Any, is_update: bool, reason: str) -> None:
    with SAGEMAKER_STATE_LOCK:
        if not _is_current(backend, endpoint):
            return
        # AWS rolls a failed update back: the endpoint stays InService on its previous configuration.
        endpoint.endpoint_status = "InService" if is_update else "Failed"
        endpoint.failure_reason = reason
        endpoint.pending_deployment_summary = None
        endpoint.last_modified_time = utcnow()


def _pending_variant(variant: dict[str, Any]) -> dict[str, Any]:
    """PendingDeploymentSummary's view of a variant of the configuration being deployed."""
    pending: dict[str, Any] = {
        "VariantName": variant["VariantName"],
        "VariantStatus": [{"Status": "Creating"}],
    }
    if variant.get("ServerlessConfig"):
        pending["DesiredServerlessConfig"] = variant["ServerlessConfig"]
    return pending


def start_deployment(
    backend: Any, endpoint: Any, config_name: str, is_update: bool, plan: RolloutPlan | None = None
) -> threading.Thread:
    with SAGEMAKER_STATE_LOCK:
        endpoint.endpoint_status = "Updating" if is_update else "Creating"
        endpoint.last_modified_time = utcnow()
        if is_update:
            endpoint_config = backend.endpoint_configs[config_name]
            endpoint.pending_deployment_summary = {
                "EndpointConfigName": config_name,
                "StartTime": utcnow(),
                "ProductionVariants": [_pending_variant(v) for v in endpoint_config.production_variants],
            }
    thread = threading.Thread(
        target=run_deployment,
        args=(backend, endpoint, config_name, is_update, plan),
        name=f"endpoint-{endpoint.endpoint_name}",
        daemon=True,
    )
    thread.start()
    return thread


def retire_endpoint(account_id: str, region: str, endpoint_name: str) -> None:
    """DeleteEndpoint: stop routing and stop the server."""
    with _ROUTES_LOCK:
        endpoint_route = ROUTES.pop((account_id, region, endpoint_name), None)
    if endpoint_route is not None:
        _stop_route(endpoint_route)
