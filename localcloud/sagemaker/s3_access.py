"""Reading and writing the local cloud's S3 from inside the server process (moto's S3 backend).

Training jobs and endpoints run next to moto, so they use its S3 backend directly instead of going
through HTTP with credentials. Each read and write is authorized first as the role passed to SageMaker
(`session`), as S3 would authorize SageMaker's requests made with that role: a listing needs
`s3:ListBucket` with the listed prefix as `s3:prefix`, each object `s3:GetObject` or `s3:PutObject`, and
an SSE-KMS object also `kms:Decrypt` or `kms:GenerateDataKey` on its key (`iam/s3_kms.py`).
"""

from __future__ import annotations

from pathlib import Path

from moto.s3.exceptions import MissingBucket
from moto.s3.models import S3Backend, s3_backends
from moto.utilities.utils import get_partition

from localcloud.iam import authorization, s3_kms
from localcloud.iam.role_sessions import RoleSession
from localcloud.s3_uri import split_s3_uri


class S3AccessError(Exception):
    """A bucket or object a job needs is missing, or the role may not use it; the message names it."""


def _authorize(
    session: RoleSession,
    operation: str,
    action: str,
    resource: str,
    context: dict | None = None,
    kms_calls: list[s3_kms.KmsCall] | None = None,
) -> None:
    try:
        authorization.authorize(session, action, [resource], context)
        s3_kms.authorize(session, kms_calls or [])
    except authorization.AccessDenied as denied:
        raise S3AccessError(
            f"An error occurred (AccessDenied) when calling the {operation} operation: {denied.message}"
        ) from denied


def parse_s3_uri(uri: str) -> tuple[str, str]:
    try:
        return split_s3_uri(uri)
    except ValueError as error:
        raise S3AccessError(str(error)) from error


def s3_backend(account_id: str, region: str) -> S3Backend:
    return s3_backends[account_id][get_partition(region)]


def _backend_with_bucket(account_id: str, region: str, uri: str) -> tuple[S3Backend, str, str]:
    """moto's S3 backend and the URI's bucket and key, after checking that the bucket exists."""
    bucket_name, key_name = parse_s3_uri(uri)
    backend = s3_backend(account_id, region)
    try:
        backend.get_bucket(bucket_name)
    except MissingBucket as error:
        raise S3AccessError(f"bucket {bucket_name!r} of {uri} does not exist") from error
    return backend, bucket_name, key_name


def download_prefix(
    account_id: str, region: str, uri: str, destination: Path, *, session: RoleSession
) -> list[Path]:
    """Copy every object whose key starts with the URI's key prefix, keeping the path after the prefix."""
    backend, bucket_name, prefix = _backend_with_bucket(account_id, region, uri)
    _authorize(
        session, "ListObjectsV2", "s3:ListBucket", f"arn:aws:s3:::{bucket_name}", {"s3:prefix": prefix}
    )
    keys, _, _, _ = backend.list_objects(backend.get_bucket(bucket_name), prefix or None, None, None, None)
    written: list[Path] = []
    for key in keys:
        relative = key.name[len(prefix) :].lstrip("/")
        if not relative or key.name.endswith("/"):
            continue  # "folder" placeholder objects hold no data
        _authorize(
            session,
            "GetObject",
            "s3:GetObject",
            f"arn:aws:s3:::{bucket_name}/{key.name}",
            kms_calls=s3_kms.object_calls("GetObject", "GET", bucket_name, key.name, {}, {}),
        )
        target = destination / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(key.value)
        written.append(target)
    return written


def list_object_keys(account_id: str, region: str, uri: str, *, session: RoleSession) -> list[str]:
    """The keys of the objects whose key starts with the URI's key prefix, in S3's (lexicographic) order,
    without "folder" placeholders; listing needs `s3:ListBucket` with the prefix as `s3:prefix`."""
    backend, bucket_name, prefix = _backend_with_bucket(account_id, region, uri)
    _authorize(
        session, "ListObjectsV2", "s3:ListBucket", f"arn:aws:s3:::{bucket_name}", {"s3:prefix": prefix}
    )
    keys, _, _, _ = backend.list_objects(backend.get_bucket(bucket_name), prefix or None, None, None, None)
    return [key.name for key in keys if not key.name.endswith("/")]


def read_object(account_id: str, region: str, uri: str, *, session: RoleSession) -> bytes:
    backend, bucket_name, key_name = _backend_with_bucket(account_id, region, uri)
    _authorize(
        session,
        "GetObject",
        "s3:GetObject",
        f"arn:aws:s3:::{bucket_name}/{key_name}",
        kms_calls=s3_kms.object_calls("GetObject", "GET", bucket_name, key_name, {}, {}),
    )
    key = backend.get_object(bucket_name, key_name)
    if key is None:
        raise S3AccessError(f"object {uri} does not exist")
    return key.value


def write_object(
    account_id: str,
    region: str,
    uri: str,
    body: bytes,
    *,
    session: RoleSession,
    kms_key_id: str | None = None,
) -> None:
    """Write an object; with `kms_key_id` (a job's OutputDataConfig.KmsKeyId) SSE-KMS with that key, as
    SageMaker asks S3 to, else the bucket's default encryption."""
    backend, bucket_name, key_name = _backend_with_bucket(account_id, region, uri)
    headers: dict[str, str] = (
        {"x-amz-server-side-encryption": "aws:kms", "x-amz-server-side-encryption-aws-kms-key-id": kms_key_id}
        if kms_key_id
        else {}
    )
    _authorize(
        session,
        "PutObject",
        "s3:PutObject",
        f"arn:aws:s3:::{bucket_name}/{key_name}",
        {f"s3:{name}": value for name, value in headers.items()},
        kms_calls=s3_kms.object_calls("PutObject", "PUT", bucket_name, key_name, {}, headers),
    )
    if kms_key_id:
        backend.put_object(bucket_name, key_name, body, encryption="aws:kms", kms_key_id=kms_key_id)
    else:
        backend.put_object(bucket_name, key_name, body)
