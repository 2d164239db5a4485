"""Reading and writing the local cloud's S3 from inside the server process (moto's S3 backend).

Training jobs and endpoints run next to moto, so they use its S3 backend directly instead of going
through HTTP with credentials.
"""

from __future__ import annotations

import re
from pathlib import Path

from moto.s3.exceptions import MissingBucket
from moto.s3.models import S3Backend, s3_backends
from moto.utilities.utils import get_partition

_S3_URI = re.compile(r"^s3://(?P<bucket>[^/]+)/?(?P<key>.*)$")


class S3AccessError(Exception):
    """A bucket or object a job needs is missing; the message names it."""


def parse_s3_uri(uri: str) -> tuple[str, str]:
    match = _S3_URI.match(uri)
    if match is None:
        raise S3AccessError(f"{uri!r} is not an s3://bucket/key URI")
    return match["bucket"], match["key"]


def s3_backend(account_id: str, region: str) -> S3Backend:
    return s3_backends[account_id][get_partition(region)]


def download_prefix(account_id: str, region: str, uri: str, destination: Path) -> list[Path]:
    """Copy every object whose key starts with the URI's key prefix, keeping the path after the prefix."""
    bucket_name, prefix = parse_s3_uri(uri)
    backend = s3_backend(account_id, region)
    try:
        bucket = backend.get_bucket(bucket_name)
    except MissingBucket as error:
        raise S3AccessError(f"bucket {bucket_name!r} of {uri} does not exist") from error
    keys, _, _, _ = backend.list_objects(bucket, prefix or None, None, None, None)
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
    bucket_name, key_name = parse_s3_uri(uri)
    backend = s3_backend(account_id, region)
    try:
        backend.get_bucket(bucket_name)
    except MissingBucket as error:
        raise S3AccessError(f"bucket {bucket_name!r} of {uri} does not exist") from error
    key = backend.get_object(bucket_name, key_name)
    if key is None:
        raise S3AccessError(f"object {uri} does not exist")
    return key.value


def write_object(account_id: str, region: str, uri: str, body: bytes) -> None:
    bucket_name, key_name = parse_s3_uri(uri)
    backend = s3_backend(account_id, region)
    try:
        backend.get_bucket(bucket_name)
    except MissingBucket as error:
        raise S3AccessError(f"bucket {bucket_name!r} of {uri} does not exist") from error
    backend.put_object(bucket_name, key_name, body)
