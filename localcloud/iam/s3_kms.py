"""The KMS calls S3 makes for a role session when an object is encrypted with a KMS key (SSE-KMS).

On AWS, S3 encrypts and decrypts an SSE-KMS object with the requester's permissions: writing one needs
`kms:GenerateDataKey` on the key, reading one `kms:Decrypt` (a multipart upload both), each through S3
(`kms:ViaService = s3.<region>.amazonaws.com`), and the key policy must allow it too. An S3 Bucket Key
only makes S3 call KMS less often; the permissions are the same for each request, so every request is
checked here. The key is the one S3 would use: for a write the request's
`x-amz-server-side-encryption-aws-kms-key-id`, else the multipart upload's, else the bucket's default
encryption key; for a read the key stored with the object. HeadObject decrypts nothing and needs no KMS
permission. AWS managed keys (`aws:kms` without a key id, `alias/aws/s3`) are not checked: their key
policy allows every principal of the account through S3.

A denial is AWS's ("User: ... is not authorized to perform: kms:Decrypt on resource: <key arn> because no
identity-based policy allows the kms:Decrypt action"); callers answer S3's AccessDenied with it.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote

from moto.kms.models import kms_backends
from moto.s3.models import FakeBucket, s3_backends

from localcloud import config
from localcloud.iam import authorization, role_sessions
from localcloud.iam.authorization import AccessDenied
from localcloud.iam.policy_document import NamedPolicy
from localcloud.iam.role_sessions import RoleSession

_KMS_ALGORITHMS = ("aws:kms", "aws:kms:dsse")
_ENCRYPTION = "x-amz-server-side-encryption"
_KEY_ID = "x-amz-server-side-encryption-aws-kms-key-id"
_BUCKET_KEY = "x-amz-server-side-encryption-bucket-key-enabled"
# S3 operations (as moto names them) that write an object's data, and those that read it.
_WRITES = {"PutObject"}
_READS = {"GetObject", "GetObjectVersion"}


@dataclass(frozen=True)
class KmsCall:
    """One KMS action S3 makes as the requester, on the key `key_id` (any form S3 accepts)."""

    action: str
    key_id: str
    object_arn: str
    bucket_key: bool


def _bucket(bucket_name: str) -> FakeBucket | None:
    return s3_backends[config.ACCOUNT_ID][role_sessions.PARTITION].buckets.get(bucket_name)


def _default_encryption(bucket: FakeBucket) -> tuple[str | None, str | None, bool]:
    """The bucket's default (algorithm, KMS key id, bucket key enabled)."""
    rule = (bucket.encryption or {}).get("Rule") or {}
    default = rule.get("ApplyServerSideEncryptionByDefault") or {}
    return default.get("SSEAlgorithm"), default.get("KMSMasterKeyID"), _truthy(rule.get("BucketKeyEnabled"))


def _truthy(value: Any) -> bool:
    return str(value).lower() == "true"


def write_key(
    bucket_name: str, headers: Mapping[str, str], upload_id: str | None = None
) -> tuple[str, bool] | None:
    """The customer managed key S3 encrypts a write with, and whether a bucket key is on; None for no KMS key.

    As moto stores it (`S3Backend.put_object`): the request's algorithm and key, else the bucket default's.
    """
    bucket = _bucket(bucket_name)
    if bucket is None:
        return None
    lowered = {name.lower(): value for name, value in headers.items()}
    default_algorithm, default_key, default_bucket_key = _default_encryption(bucket)
    multipart = bucket.multiparts.get(upload_id) if upload_id else None
    started_with = (multipart.sse_encryption, multipart.kms_key_id) if multipart else (None, None)
    algorithm = lowered.get(_ENCRYPTION) or started_with[0] or default_algorithm
    key_id = lowered.get(_KEY_ID) or started_with[1] or default_key
    bucket_key = _truthy(lowered[_BUCKET_KEY]) if _BUCKET_KEY in lowered else default_bucket_key
    if algorithm not in _KMS_ALGORITHMS or not key_id:
        return None
    return key_id, bucket_key


def read_key(bucket_name: str, key_name: str, version_id: str | None = None) -> tuple[str, bool] | None:
    """The customer managed key an existing object is encrypted with; None when it has none or is missing."""
    bucket = _bucket(bucket_name)
    if bucket is None:
        return None
    backend = s3_backends[config.ACCOUNT_ID][role_sessions.PARTITION]
    try:
        stored = backend.get_object(bucket_name, key_name, version_id=version_id)
    except Exception:  # a missing key or version: S3 answers that, before any KMS call
        return None
    if stored is None or getattr(stored, "encryption", None) not in _KMS_ALGORITHMS or not stored.kms_key_id:
        return None
    return stored.kms_key_id, _truthy(stored.bucket_key_enabled)


def object_calls(
    operation: str,
    method: str,
    bucket_name: str | None,
    key_name: str | None,
    query: Mapping[str, Any],
    headers: Mapping[str, str],
) -> list[KmsCall]:
    """The KMS calls S3 makes as the requester for one S3 request (moto's operation name and HTTP method)."""
    if not bucket_name or key_name is None or method.upper() == "HEAD":
        return []
    object_arn = f"arn:aws:s3:::{bucket_name}/{key_name}"
    calls: list[KmsCall] = []
    if operation in _WRITES:
        upload_id = _first(query.get("uploadId"))
        multipart = upload_id is not None or "uploads" in query
        target = write_key(bucket_name, headers, upload_id)
        if target:
            actions = ("kms:GenerateDataKey", "kms:Decrypt") if multipart else ("kms:GenerateDataKey",)
            calls.extend(KmsCall(action, target[0], object_arn, target[1]) for action in actions)
        copy_source = {name.lower(): value for name, value in headers.items()}.get("x-amz-copy-source")
        if copy_source:
            calls.extend(_copy_source_calls(copy_source))
    elif operation in _READS:
        source = read_key(bucket_name, key_name, _first(query.get("versionId")))
        if source:
            calls.append(KmsCall("kms:Decrypt", source[0], object_arn, source[1]))
    return calls


def _copy_source_calls(copy_source: str) -> list[KmsCall]:
    source, _, version = unquote(copy_source).lstrip("/").partition("?versionId=")
    source_bucket, _, source_key = source.partition("/")
    found = read_key(source_bucket, source_key, version or None)
    if not found:
        return []
    return [KmsCall("kms:Decrypt", found[0], f"arn:aws:s3:::{source_bucket}/{source_key}", found[1])]


def _first(value: Any) -> str | None:
    if isinstance(value, list):
        return value[0] if value else None
    return value


def _key(key_id: str) -> Any | None:
    """moto's KMS key for an id, ARN, alias name or alias ARN; None when there is none."""
    try:
        if key_id.startswith("arn:"):
            fields = key_id.split(":", 5)
            backend = kms_backends[fields[4]][fields[3]]
        else:
            backend = kms_backends[config.ACCOUNT_ID][config.REGION]
        return backend.keys[backend.any_id_to_key_id(key_id)]
    except (KeyError, IndexError, TypeError, AttributeError):
        return None


def _names_aws_managed_key(key_id: str) -> bool:
    return ":alias/aws/" in key_id or key_id.startswith("alias/aws/")


def _is_aws_managed(key: Any) -> bool:
    # moto creates the AWS managed keys (alias/aws/s3, ...) as customer keys with the reserved alias.
    return key.key_manager == "AWS" or any(name.startswith("alias/aws/") for name in key.aliases)


def authorize(session: RoleSession, calls: list[KmsCall]) -> None:
    """Authorize each KMS call as `session`, through S3, against the key's policy; raise AccessDenied."""
    for call in calls:
        if _names_aws_managed_key(call.key_id):
            continue
        key = _key(call.key_id)
        if key is None:
            # On AWS, S3 fails the request with KMS.NotFoundException; here the request is refused.
            raise AccessDenied(
                f"User: {session.arn} is not authorized to perform: {call.action} on resource: "
                f"{call.key_id} because the KMS key does not exist in the local cloud",
                action=call.action,
                resource=call.key_id,
                principal_arn=session.arn,
            )
        if _is_aws_managed(key):
            continue
        key_policy = NamedPolicy(f"key-policy/{key.id}", json.loads(key.policy))
        bucket_arn = call.object_arn.split("/", 1)[0]
        context = {
            "kms:ViaService": f"s3.{config.REGION}.amazonaws.com",
            "kms:CallerAccount": session.account_id,
            # S3's encryption context: the bucket with a bucket key, else the object.
            "kms:EncryptionContext:aws:s3:arn": bucket_arn if call.bucket_key else call.object_arn,
        }
        authorization.authorize(session, call.action, [key.arn], context, key_policy=key_policy)
