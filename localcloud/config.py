"""Where the offline cloud lives and how to reach it.

Every part of the local cloud (server, patches, runners, the SageMaker emulation) reads these values
from here, so there is one answer to "which port, which region, where are the logs".
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parent.parent

HOST = "127.0.0.1"
DEFAULT_PORT = 4566
REGION = "us-east-1"
ACCOUNT_ID = "123456789012"
# moto maps any access key it does not know to its default account, 123456789012.
ACCESS_KEY_ID = "test"
SECRET_ACCESS_KEY = "test"

# The server publishes the port it really listens on here, so code running in the server process
# (runners, patches) and the subprocesses it starts find it without being told.
PORT_ENV_VAR = "LOCALCLOUD_PORT"
STATE_DIR_ENV_VAR = "LOCALCLOUD_STATE_DIR"


def state_dir() -> Path:
    """Directory for the pid file, logs, unpacked Lambda code and job work directories."""
    return Path(os.environ.get(STATE_DIR_ENV_VAR) or PROJECT_ROOT / ".localcloud")


def logs_dir() -> Path:
    return state_dir() / "logs"


def pid_file() -> Path:
    return state_dir() / "localcloud.pid"


def instance_file() -> Path:
    """Where `python -m localcloud start` records the id of the background local cloud it started."""
    return state_dir() / "localcloud.instance"


def background_instance_id() -> str | None:
    """The id of the local cloud started in the background (a new one at each start: its resources live in
    its memory and go with it); None when none was started, or it stopped."""
    try:
        return instance_file().read_text(encoding="utf-8").strip() or None
    except FileNotFoundError:
        return None


def server_log_file() -> Path:
    return logs_dir() / "server.log"


def current_port() -> int:
    return int(os.environ.get(PORT_ENV_VAR) or DEFAULT_PORT)


def endpoint_url(port: int | None = None) -> str:
    return f"http://{HOST}:{port or current_port()}"


def client_environment(port: int | None = None) -> dict[str, str]:
    """Environment variables that point an AWS SDK or the AWS CLI at the local cloud."""
    return {
        "AWS_ENDPOINT_URL": endpoint_url(port),
        "AWS_ACCESS_KEY_ID": ACCESS_KEY_ID,
        "AWS_SECRET_ACCESS_KEY": SECRET_ACCESS_KEY,
        "AWS_REGION": REGION,
        "AWS_DEFAULT_REGION": REGION,
    }


def boto3_client(service: str, port: int | None = None) -> Any:
    """A boto3 client for `service` against the local cloud, with test credentials."""
    import boto3

    return boto3.client(
        service,
        endpoint_url=endpoint_url(port),
        region_name=REGION,
        aws_access_key_id=ACCESS_KEY_ID,
        aws_secret_access_key=SECRET_ACCESS_KEY,
    )


# Not an AWS header: which endpoint configuration's fleet answered an InvokeEndpoint, so a local caller
# can see a rollout's traffic split (both fleets share the variant name, as on AWS).
FLEET_HEADER = "x-localcloud-endpoint-config"
