"""Lifecycle configurations keep the `x-amz-transition-default-minimum-object-size` header.

Terraform compatibility: moto ignores that request header of PutBucketLifecycleConfiguration and
always answers `all_storage_classes_128K`. The aws provider re-reads the configuration until it equals
what it wrote, header included, so `transition_default_minimum_object_size = "varies_by_storage_class"`
never converged (3-minute timeout, then an error). The value is kept per bucket, echoed by the PUT
response as AWS does and returned by GetBucketLifecycleConfiguration; an unknown value is rejected
with `InvalidArgument` before moto stores the rules.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from moto.s3.exceptions import InvalidArgumentError
from moto.s3.models import TransitionDefaultMinimumObjectSize
from moto.s3.responses import S3Response

from localcloud import patching

TRANSITION_MINIMUM_SIZE_HEADER = "x-amz-transition-default-minimum-object-size"
# AWS's value when the request does not name one (lifecycle configurations written since September 2024).
DEFAULT_TRANSITION_MINIMUM_SIZE = TransitionDefaultMinimumObjectSize.ALL_STORAGE_CLASSES_128K.value
_TRANSITION_MINIMUM_SIZES = {member.value for member in TransitionDefaultMinimumObjectSize}
# Set on the bucket by PutBucketLifecycleConfiguration; moto's FakeBucket has no such field.
_TRANSITION_MINIMUM_SIZE_ATTRIBUTE = "localcloud_transition_default_minimum_object_size"


def _requested_transition_minimum_size(request: Any) -> str:
    value = request.headers.get(TRANSITION_MINIMUM_SIZE_HEADER) or DEFAULT_TRANSITION_MINIMUM_SIZE
    if value not in _TRANSITION_MINIMUM_SIZES:
        raise InvalidArgumentError(
            f"{TRANSITION_MINIMUM_SIZE_HEADER} must be one of {sorted(_TRANSITION_MINIMUM_SIZES)}",
            TRANSITION_MINIMUM_SIZE_HEADER,
            value,
        )
    return value


def _keep_minimum_size_on_put(original: Callable[..., Any]) -> Callable[..., Any]:
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

    return bucket_put


def _return_minimum_size_on_get(original: Callable[..., Any]) -> Callable[..., Any]:
    def get_bucket_lifecycle(self: S3Response) -> Any:
        status, headers, body = original(self)
        bucket = self.backend.get_bucket(self.bucket_name)
        headers[TRANSITION_MINIMUM_SIZE_HEADER] = getattr(
            bucket, _TRANSITION_MINIMUM_SIZE_ATTRIBUTE, DEFAULT_TRANSITION_MINIMUM_SIZE
        )
        return status, headers, body

    return get_bucket_lifecycle


PATCHES = (
    patching.wrap(
        __name__,
        S3Response,
        "_bucket_response_put",
        fingerprint="5fa2acfbf26846f0",
        build=_keep_minimum_size_on_put,
    ),
    patching.wrap(
        __name__,
        S3Response,
        "get_bucket_lifecycle",
        fingerprint="c5ba3f15a57018b7",
        build=_return_minimum_size_on_get,
    ),
)
