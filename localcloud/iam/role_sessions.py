"""Role sessions: how a service in the local cloud gets its role's temporary credentials, as on AWS.

A service (Lambda, Glue, SageMaker, Step Functions) assumes the role it was given through STS, as
its service principal; the role's trust policy decides, with the confused-deputy keys the service
sends (`aws:SourceAccount`, `aws:SourceArn`). The session's credentials are real moto STS
credentials, so a process that uses them is recognised on every later request (`session_for_access_key`)
and authorized as the role.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from typing import Any

from moto.iam.models import iam_backends
from moto.sts.models import sts_backends

from localcloud import config
from localcloud.iam import access_log
from localcloud.iam.policy_evaluation import (
    AuthorizationRequest,
    NamedPolicy,
    PolicyEvaluationError,
    access_denied_message,
    evaluate_trust,
)

PARTITION = "aws"
# Sessions last as long as AWS allows by default; moto does not expire them, the local cloud never needs to.
_SESSION_SECONDS = 3600


class RoleAssumptionDenied(Exception):
    """The service may not assume the role (no such role, or its trust policy does not allow it)."""


@dataclass(frozen=True)
class RoleSession:
    role_arn: str
    session_name: str
    service: str  # the service principal that assumed the role, e.g. "glue.amazonaws.com"
    access_key_id: str
    secret_access_key: str
    session_token: str

    @property
    def account_id(self) -> str:
        return self.role_arn.split(":")[4]

    @property
    def role_name(self) -> str:
        return self.role_arn.rsplit("/", 1)[-1]

    @property
    def arn(self) -> str:
        """The caller ARN AWS reports for this session (what AccessDenied messages name)."""
        return f"arn:{PARTITION}:sts::{self.account_id}:assumed-role/{self.role_name}/{self.session_name}"

    def environment(self) -> dict[str, str]:
        """Variables that make an SDK in a child process call the local cloud as this session."""
        return config.client_environment() | {
            "AWS_ACCESS_KEY_ID": self.access_key_id,
            "AWS_SECRET_ACCESS_KEY": self.secret_access_key,
            "AWS_SESSION_TOKEN": self.session_token,
        }

    def client(self, service_name: str) -> Any:
        import boto3

        return boto3.client(
            service_name,
            endpoint_url=config.endpoint_url(),
            region_name=config.REGION,
            aws_access_key_id=self.access_key_id,
            aws_secret_access_key=self.secret_access_key,
            aws_session_token=self.session_token,
        )


_sessions_by_key: dict[str, RoleSession] = {}
_lock = threading.Lock()


def role(role_arn: str) -> Any:
    """moto's IAM role for `role_arn`; RoleAssumptionDenied when there is none."""
    account_id = role_arn.split(":")[4] if role_arn.count(":") >= 5 else config.ACCOUNT_ID
    try:
        return iam_backends[account_id][PARTITION].get_role_by_arn(role_arn)
    except Exception as error:  # moto raises its NotFound for a missing or malformed ARN
        raise RoleAssumptionDenied(f"Role {role_arn} does not exist") from error


def assume_role_as_service(
    role_arn: str,
    service: str,
    session_name: str,
    *,
    source_account: str | None = None,
    source_arn: str | None = None,
) -> RoleSession:
    """Credentials of `role_arn` for `service`, after its trust policy allowed the service to assume it."""
    trust = NamedPolicy(
        f"role/{role(role_arn).name}/trust-policy", _document(role(role_arn).assume_role_policy_document)
    )
    context: dict[str, str | bool] = {"aws:SecureTransport": True}
    if source_account:
        context["aws:SourceAccount"] = source_account
    if source_arn:
        context["aws:SourceArn"] = source_arn
    request = AuthorizationRequest(
        principal_arn=service, action="sts:AssumeRole", resource=role_arn, context=context
    )
    try:
        decision = evaluate_trust(request, trust)
        reason = None if decision.allowed else access_denied_message(request, decision)
    except PolicyEvaluationError as error:
        decision, reason = None, str(error)
    access_log.record_decision(
        role_arn=role_arn, caller=service, request=request, decision=decision, error=reason
    )
    if reason is not None:
        raise RoleAssumptionDenied(f"{service} cannot assume role {role_arn}: {reason}")
    assumed = sts_backends[role_arn.split(":")[4]][PARTITION].assume_role(
        region_name=config.REGION,
        role_session_name=session_name[:64],
        role_arn=role_arn,
        policy="",
        duration=_SESSION_SECONDS,
        external_id="",
    )
    session = RoleSession(
        role_arn=role_arn,
        session_name=session_name[:64],
        service=service,
        access_key_id=assumed.access_key_id,
        secret_access_key=assumed.secret_access_key,
        session_token=assumed.session_token,
    )
    with _lock:
        _sessions_by_key[session.access_key_id] = session
    return session


def session_for_access_key(access_key_id: str) -> RoleSession | None:
    """The role session an access key belongs to; None for every other key (the admin test keys)."""
    with _lock:
        return _sessions_by_key.get(access_key_id)


def _document(policy: str | dict[str, Any]) -> dict[str, Any]:
    return policy if isinstance(policy, dict) else json.loads(policy)
