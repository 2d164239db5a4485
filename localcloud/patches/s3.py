"""S3 gaps of moto 5.2.5 that the module meets.

- Bucket policies: moto ignores `Condition`, so the module's standard "deny unless TLS" statement
  (`Deny s3:*` when `aws:SecureTransport` is `false`) denies every object request. The loopback
  endpoint stands in for AWS's TLS endpoint, so such statements are treated as not matching; every
  other statement is evaluated by moto as before.
- Deleting the last versions of a key whose newest version is a delete marker fails with HTTP 500
  (`FakeDeleteMarker` has no `dispose`), so `terraform destroy` of a versioned bucket with
  `force_destroy` could not empty it. A delete marker holds no data: disposing of it is a no-op.
- Lifecycle configurations: moto ignores the `x-amz-transition-default-minimum-object-size` request
  header of PutBucketLifecycleConfiguration and always answers `all_storage_classes_128K`. The aws
  provider re-reads the configuration until it equals what it wrote, header included, so
  `transition_default_minimum_object_size = "varies_by_storage_class"` never converged (3-minute
  timeout, then an error). The value is kept per bucket, echoed by the PUT response as AWS does and
  returned by GetBucketLifecycleConfiguration.

The shape of S3 event records is fixed in `localcloud.patches.s3_notifications`.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from moto.iam.access_control import IAMPolicy, PermissionResult
from moto.s3.exceptions import InvalidArgumentError
from moto.s3.models import FakeBucket, FakeDeleteMarker, TransitionDefaultMinimumObjectSize
from moto.s3.responses import S3Response

SECURE_TRANSPORT_KEY = "aws:securetransport"
TRANSITION_MINIMUM_SIZE_HEADER = "x-amz-transition-default-minimum-object-size"
# AWS's value when the request does not name one (lifecycle configurations written since September 2024).
DEFAULT_TRANSITION_MINIMUM_SIZE = TransitionDefaultMinimumObjectSize.ALL_STORAGE_CLASSES_128K.value
_TRANSITION_MINIMUM_SIZES = {member.value for member in TransitionDefaultMinimumObjectSize}
# Set on the bucket by PutBucketLifecycleConfiguration; moto's FakeBucket has no such field.
_TRANSITION_MINIMUM_SIZE_ATTRIBUTE = "localcloud_transition_default_minimum_object_size"


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


def _requested_transition_minimum_size(request: Any) -> str:
    value = request.headers.get(TRANSITION_MINIMUM_SIZE_HEADER) or DEFAULT_TRANSITION_MINIMUM_SIZE
    if value not in _TRANSITION_MINIMUM_SIZES:
        raise InvalidArgumentError(
            f"{TRANSITION_MINIMUM_SIZE_HEADER} must be one of {sorted(_TRANSITION_MINIMUM_SIZES)}",
            TRANSITION_MINIMUM_SIZE_HEADER,
            value,
        )
    return value


def _wrap_bucket_put(original: Callable[..., Any]) -> Callable[..., Any]:
    def bucket_put(self: S3Response, request: Any, bucket_name: str, querystring: dict[str, Any]) -> Any:
        if "lifecycle" not in querystring:
            return original(self, request, bucket_name, querystring)
        # Checked before moto stores the rules, so a rejected request changes nothing, as on AWS.
        minimum_size = _requested_transition_minimum_size(request)
        result = original(self, request, bucket_name, querystring)
        if isinstance(result, tuple):  # an error answer (e.g. 411): nothing was stored
            return result
        setattr(self.backend.get_bucket(bucket_name), _TRANSITION_MINIMUM_SIZE_ATTRIBUTE, minimum_size)
        return 200, {TRANSITION_MINIMUM_SIZE_HEADER: minimum_size}, ""

    bucket_put.localcloud_patched = True  # type: ignore[attr-defined]
    return bucket_put


def _wrap_get_lifecycle(original: Callable[..., Any]) -> Callable[..., Any]:
    def get_bucket_lifecycle(self: S3Response) -> Any:
        status, headers, body = original(self)
        bucket = self.backend.get_bucket(self.bucket_name)
        headers[TRANSITION_MINIMUM_SIZE_HEADER] = getattr(
            bucket, _TRANSITION_MINIMUM_SIZE_ATTRIBUTE, DEFAULT_TRANSITION_MINIMUM_SIZE
        )
        return status, headers, body

    get_bucket_lifecycle.localcloud_patched = True  # type: ignore[attr-defined]
    return get_bucket_lifecycle


def apply() -> None:
    FakeBucket.get_permission = _get_permission
    if not hasattr(FakeDeleteMarker, "dispose"):
        FakeDeleteMarker.dispose = _dispose_delete_marker
    if not getattr(S3Response._bucket_response_put, "localcloud_patched", False):
        S3Response._bucket_response_put = _wrap_bucket_put(S3Response._bucket_response_put)
    if not getattr(S3Response.get_bucket_lifecycle, "localcloud_patched", False):
        S3Response.get_bucket_lifecycle = _wrap_get_lifecycle(S3Response.get_bucket_lifecycle)
