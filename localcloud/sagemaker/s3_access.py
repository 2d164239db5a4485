"""Reading and writing the local cloud's S3 from inside the server process (moto's S3 backend).

Training jobs and endpoints run next to moto, so they use its S3 backend directly instead of going
through HTTP with credentials.
"""

from __future__ import annotations

from pathlib import Path

from moto.s3.exceptions import MissingBucket
from moto.s3.models import S3Backend, s3_backends
from moto.utilities.utils import get_partition

from localcloud.s3_uri import split_s3_uri


class S3AccessError(Exception):
    """A bucket or object a job needs is missing; the message names it."""


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


def download_prefix(account_id: str, region: str, uri: str, destination: Path) -> list[Path]:
    """Copy every object whose key starts with the URI's key prefix, keeping the path after the prefix."""
    backend, bucket_name, prefix = _backend_with_bucket(account_id, region, uri)
    keys, _, _, _ = backend.list_objects(backend.get_bucket(bucket_name), prefix or None, None, None, None)
    written: list[Path] = []
    for key in keys:
        relative = key.name[len(prefix) :].lstrip("/")
        if not relative or key.name.endswith("/"):
            continue  # "folder" placeholder objects hold no data
        target = destination / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(key.value)
        written.append(target)
    return written


def read_object(account_id: str, region: str, uri: str) -> bytes:
    backend, bucket_name, key_name = _backend_with_bucket(account_id, region, uri)
    key = backend.get_object(bucket_name, key_name)
    if key is None:
        raise S3AccessError(f"object {uri} does not exist")
    return key.value


def write_object(account_id: str, region: str, uri: str, body: bytes) -> None:
    backend, bucket_name, key_name = _backend_with_bucket(account_id, region, uri)
    backend.put_object(bucket_name, key_name, body)
