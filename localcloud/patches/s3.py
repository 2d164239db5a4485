"""S3 gaps of moto 5.2.5 that the module meets.

- Bucket policies: moto ignores `Condition`, so the module's standard "deny unless TLS" statement
  (`Deny s3:*` when `aws:SecureTransport` is `false`) denies every object request. The loopback
  endpoint stands in for AWS's TLS endpoint, so such statements are treated as not matching; every
  other statement is evaluated by moto as before.
- Deleting the last versions of a key whose newest version is a delete marker fails with HTTP 500
  (`FakeDeleteMarker` has no `dispose`), so `terraform destroy` of a versioned bucket with
  `force_destroy` could not empty it. A delete marker holds no data: disposing of it is a no-op.

The shape of S3 event records is fixed in `localcloud.patches.s3_notifications`.
"""

from __future__ import annotations

import json
from typing import Any

from moto.iam.access_control import IAMPolicy, PermissionResult
from moto.s3.models import FakeBucket, FakeDeleteMarker

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


def bucket_permission(policy_document: str, action: str, resource: str) -> PermissionResult:
    policy = json.loads(policy_document)
    statements = policy.get("Statement", [])
    statements = [statements] if isinstance(statements, dict) else statements
    applicable = [statement for statement in statements if not _requires_insecure_transport(statement)]
    if not applicable:
        return PermissionResult.NEUTRAL
    return IAMPolicy(json.dumps({**policy, "Statement": applicable})).is_action_permitted(action, resource)


def _get_permission(self: FakeBucket, action: str, resource: str) -> Any:
    if self.policy is None:
        return PermissionResult.NEUTRAL
    return bucket_permission(self.policy.decode(), action, resource)


def _dispose_delete_marker(self: FakeDeleteMarker, garbage: bool = False) -> None:
    return None


def apply() -> None:
    FakeBucket.get_permission = _get_permission
    if not hasattr(FakeDeleteMarker, "dispose"):
        FakeDeleteMarker.dispose = _dispose_delete_marker
