"""Bucket-policy statements that deny requests without TLS do not match on the loopback endpoint.

moto ignores a statement's `Condition`, so the module's standard "deny unless TLS" statement
(`Deny s3:*` when `aws:SecureTransport` is `false`) denied every object request. The local endpoint
stands in for AWS's TLS endpoint, so those statements are left out and moto evaluates the rest.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from moto.s3.models import FakeBucket

from localcloud import patching

SECURE_TRANSPORT_KEY = "aws:securetransport"


def _requires_insecure_transport(statement: dict[str, Any]) -> bool:
    for operator, conditions in (statement.get("Condition") or {}).items():
        if operator.lower() != "bool":
            continue
        for key, values in conditions.items():
            values = values if isinstance(values, list) else [values]
            if key.lower() == SECURE_TRANSPORT_KEY and [str(v).lower() for v in values] == ["false"]:
                return True
    return False


def without_tls_denies(policy_document: bytes) -> bytes | None:
    """The policy without its deny-unless-TLS statements; None when no statement is left."""
    policy = json.loads(policy_document)
    statements = policy.get("Statement", [])
    statements = [statements] if isinstance(statements, dict) else statements
    applicable = [statement for statement in statements if not _requires_insecure_transport(statement)]
    if not applicable:
        return None
    return json.dumps({**policy, "Statement": applicable}).encode()


class _PolicyView:
    """The bucket as moto's permission check sees it, with another policy document."""

    def __init__(self, bucket: FakeBucket, policy: bytes | None) -> None:
        self._bucket = bucket
        self.policy = policy

    def __getattr__(self, name: str) -> Any:
        return getattr(self._bucket, name)


def _evaluate_without_tls_denies(original: Callable[..., Any]) -> Callable[..., Any]:
    def get_permission(self: FakeBucket, action: str, resource: str) -> Any:
        if self.policy is None:
            return original(self, action, resource)
        return original(_PolicyView(self, without_tls_denies(self.policy)), action, resource)

    return get_permission


PATCHES = (
    patching.wrap(
        __name__,
        FakeBucket,
        "get_permission",
        fingerprint="7571412a3495a0e3",
        build=_evaluate_without_tls_denies,
    ),
)
