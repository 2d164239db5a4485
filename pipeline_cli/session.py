"""Which cloud the CLI talks to: AWS through boto3's usual credential and region chain, or, with
`--endpoint-url` as in the AWS CLI, another endpoint such as the offline cloud.

Against the offline cloud nobody has credentials configured, so its test credentials and region stand in;
they stand in only with `--endpoint-url`, because against AWS a missing credential must fail, not sign
requests with a fake key.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any

import boto3
from botocore.config import Config

# Constants only: localcloud.config imports nothing of moto (tests/pipeline_cli checks the CLI never does).
from localcloud import config as localcloud_config
from pipeline_cli.errors import CliError

# A person waits at the terminal: fail a dead endpoint in seconds, retry throttling a little.
_CLIENT_CONFIG = Config(
    connect_timeout=5,
    read_timeout=60,
    retries={"mode": "standard", "max_attempts": 3},
    user_agent_extra="mlops-pipeline-cli",
)


@dataclass(frozen=True)
class Target:
    region: str | None = None
    profile: str | None = None
    endpoint_url: str | None = None

    def options(self) -> list[str]:
        """The same target as command line options, so a printed follow-up command reaches the same cloud."""
        options: list[str] = []
        for flag, value in (
            ("--region", self.region),
            ("--profile", self.profile),
            ("--endpoint-url", self.endpoint_url),
        ):
            if value:
                options += [flag, value]
        return options


@dataclass
class Aws:
    """Clients for one target, made on first use."""

    session: boto3.Session
    region: str
    target: Target
    _clients: dict[str, Any] = field(default_factory=dict)

    @property
    def endpoint_url(self) -> str | None:
        return self.target.endpoint_url

    def client(self, service: str) -> Any:
        if service not in self._clients:
            self._clients[service] = self.session.client(
                service, region_name=self.region, endpoint_url=self.endpoint_url, config=_CLIENT_CONFIG
            )
        return self._clients[service]

    @property
    def where(self) -> str:
        """Where a name was looked up, for messages: the region, and the endpoint when it is not AWS's."""
        return f"{self.region} at {self.endpoint_url}" if self.endpoint_url else self.region


def connect(target: Target) -> Aws:
    # boto3 reads AWS_DEFAULT_REGION and the profile's region; the AWS CLI v2 and the other AWS SDKs read
    # AWS_REGION first, and people (and Lambda) set that one.
    region_name = target.region or os.environ.get("AWS_REGION") or None
    session = boto3.Session(profile_name=target.profile, region_name=region_name)
    if target.endpoint_url and session.get_credentials() is None:
        session = boto3.Session(
            profile_name=target.profile,
            region_name=region_name,
            aws_access_key_id=localcloud_config.ACCESS_KEY_ID,
            aws_secret_access_key=localcloud_config.SECRET_ACCESS_KEY,
        )
    region = session.region_name or (localcloud_config.REGION if target.endpoint_url else None)
    if not region:
        raise CliError("no AWS region: pass --region, set AWS_REGION, or set a region in your AWS profile")
    return Aws(session=session, region=region, target=target)
