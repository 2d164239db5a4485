"""Serve every moto service, with the local cloud's patches, on one loopback port.

`patches()` is the one list of what the local cloud changes in moto, from every service package;
`start_in_thread` applies it (checking each patch against the installed moto) before serving.

In-process use (tests, scripts):

    handle = start_in_thread(port=0)      # 0 = any free port
    ... boto3.client("s3", endpoint_url=handle.endpoint_url, ...) ...
    handle.stop()

moto keeps its state in process-wide backends, so run at most one local cloud per process at a time.
The patches stay applied after `stop()` (they only add what moto lacks or fix it towards AWS);
moto's settings and the port variables are restored.
"""

from __future__ import annotations

import logging
import os
import socket
import time
from dataclasses import dataclass, field
from typing import Any

from moto.core.config import default_user_config

from localcloud import config, patching, rollout_clock
from localcloud.http_server import RunningServer, moto_application, serve_in_thread

LOG = logging.getLogger(__name__)


def patches() -> tuple[patching.Patch, ...]:
    """Every change the local cloud makes to moto, service by service, in the order applied."""
    # Imported here, not at the top: the service packages import moto's models (about 1.4 s), which
    # `python -m localcloud status|stop` and the parent of a background start do not need.
    from localcloud import (
        awslambda,
        cloudwatch,
        events,
        glue,
        request_dispatch,
        s3,
        sagemaker,
        scheduler,
        sns,
        stepfunctions,
    )
    from localcloud.iam import request_authorization

    return (
        *request_dispatch.PATCHES,
        *request_authorization.PATCHES,
        *s3.PATCHES,
        *stepfunctions.PATCHES,
        *glue.PATCHES,
        *awslambda.PATCHES,
        *sagemaker.PATCHES,
        *cloudwatch.PATCHES,
        *events.PATCHES,
        *sns.PATCHES,
        *scheduler.PATCHES,
    )


_PORT_VARIABLES = ("MOTO_PORT", config.PORT_ENV_VAR)


def configure_moto() -> dict[str, Any]:
    """Set what moto reads at request time (in-process, not via `/moto-api/config`); returns the old value."""
    previous = dict(default_user_config.get("stepfunctions", {}))
    # Run state machines with moto's ASL interpreter instead of only recording executions.
    default_user_config["stepfunctions"] = {"execute_state_machine": True}
    return previous


@dataclass
class LocalCloud:
    """A running local cloud; `stop()` shuts the HTTP server down (moto's state stays in the process)."""

    server: RunningServer
    host: str
    port: int
    previous_stepfunctions_config: dict[str, Any] = field(default_factory=dict)
    previous_environment: dict[str, str | None] = field(default_factory=dict)

    @property
    def endpoint_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def stop(self) -> None:
        """Stop serving and give moto back its settings, so later in-process moto users see plain moto."""
        from localcloud.awslambda import environments
        from localcloud.cloudwatch import alarm_evaluator
        from localcloud.glue import worker_pool
        from localcloud.scheduler import firing

        alarm_evaluator.stop()
        firing.stop()
        self.server.stop()
        worker_pool.POOL.stop_all()
        environments.POOL.stop_all()
        default_user_config["stepfunctions"] = self.previous_stepfunctions_config
        for name, value in self.previous_environment.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def start_in_thread(port: int = config.DEFAULT_PORT, host: str = config.HOST) -> LocalCloud:
    """Apply the patches and serve on `host:port` from a daemon thread; returns once listening."""
    patching.apply(patches())
    previous_config = configure_moto()
    previous_environment = {name: os.environ.get(name) for name in _PORT_VARIABLES}
    # One line per request drowns the runners' messages; errors still show.
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    from localcloud.sagemaker.invocation_shortcut import with_invocation_shortcut

    server = serve_in_thread(with_invocation_shortcut(moto_application()), host, port)
    bound_port = server.host_and_port[1]
    # The Step Functions interpreter calls services through http://localhost:$MOTO_PORT, and the
    # runners and their subprocesses find the endpoint through LOCALCLOUD_PORT.
    for name in _PORT_VARIABLES:
        os.environ[name] = str(bound_port)
    # Rollouts and the alarms they watch run LOCALCLOUD_ROLLOUT_TIME_SCALE times faster than real time.
    clock = rollout_clock.restart()
    LOG.info("rollouts and CloudWatch alarms run %sx faster than real time", clock.scale)
    # CloudWatch alarms are evaluated in the background, every LOCALCLOUD_ALARM_EVALUATION_SECONDS.
    from localcloud.cloudwatch import alarm_evaluator

    alarm_evaluator.start()
    # EventBridge Scheduler fires due schedules every LOCALCLOUD_SCHEDULER_TICK_SECONDS.
    from localcloud.scheduler import firing

    firing.start()
    # A Glue worker with Spark started, so that the first job run is warm too (LOCALCLOUD_GLUE_WARM_WORKERS).
    from localcloud.glue import runner

    runner.prewarm()
    LOG.info("local cloud listening on http://%s:%d", host, bound_port)
    return LocalCloud(server, host, bound_port, previous_config, previous_environment)


def port_answers(port: int, host: str = config.HOST, timeout: float = 0.5) -> bool:
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def wait_until_listening(port: int, timeout_seconds: float, host: str = config.HOST) -> bool:
    deadline = time.monotonic() + timeout_seconds
    while time.monotonic() < deadline:
        if port_answers(port, host):
            return True
        time.sleep(0.1)
    return False
