"""The `s3://` arguments of a Glue job run, given to the script as local paths and mirrored back.

On Glue a script reads and writes the S3 locations its arguments name; locally Spark reads and
writes the local file system. So for every argument whose value is an `s3://bucket/key` URI,
whatever its name, the script gets a local path in the run's work folder instead, and afterwards
that path is mirrored back to S3, so that the script sees S3's semantics:

- Local names are allocated (`<work>/s3/<n>`), never derived from S3 keys: a key may be 1,024 bytes
  long and hold any character, a local file name at most 255 bytes. A name keeps only what Spark
  and Hadoop read from it: a leading `_` or `.` (they skip such files as hidden) and a short
  extension (they choose the decompression codec by it: `.gz`, `.bz2`, ...).
- Before the run, what exists is downloaded: the object at the key, or else every object under
  `key/` (a key ending in `/` is a prefix; a key with children is a folder, as Hadoop's S3A sees
  it). A key with no object and no children is an output location that does not exist yet.
- After the run, also when the script failed or timed out: files that are new or changed under a
  mapped location are uploaded to the key they stand for, downloaded objects whose file the script
  deleted are deleted; Hadoop's `.crc` checksum files are skipped (S3 output has none).
- Local paths are mapped back to S3 URIs in text: the run's error message, and every uploaded object
  of at most 1 MiB that is UTF-8 (JSON-escaped when the object is JSON).

Not emulated: two arguments whose locations overlap get separate local copies, so a write through
one is not seen through the other during the run; `s3://` URIs inside a longer argument value (a
JSON argument, a comma-separated list) are passed unchanged.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

from botocore.exceptions import ClientError

from localcloud.s3_uri import split_s3_uri

MAX_MAPPED_OBJECT_BYTES = 1024 * 1024
_EXTENSION = re.compile(r"\.[A-Za-z0-9]{1,10}")
# What may continue a path component; a mapped path followed by one of these is a longer name.
_NAME_CONTINUES = r"(?![\w-]|\.\w)"


def is_s3_uri(value: str) -> bool:
    try:
        split_s3_uri(value)
    except ValueError:
        return False
    return True


def _child_key(key: str, relative: str) -> str:
    return key + relative if key == "" or key.endswith("/") else f"{key}/{relative}"


def _is_checksum_file(path: Path) -> bool:
    # Hadoop's local file system writes .<name>.crc beside every file it writes.
    return path.name.startswith(".") and path.name.endswith(".crc")


@dataclass
class S3Arguments:
    """Maps the run's `s3://` arguments to local paths under `root`, and the results back."""

    s3: Any
    root: Path
    # Every local path that stands for an S3 key: locations, downloaded objects and their folders.
    _keys: dict[Path, tuple[str, str]] = field(default_factory=dict)
    _locations: dict[str, Path] = field(default_factory=dict)
    # Downloaded object -> (size, mtime) right after the download, to tell what the script changed.
    _downloaded: dict[Path, tuple[int, int]] = field(default_factory=dict)
    _allocated: int = 0
    _translation: tuple[re.Pattern[str], dict[str, str]] | None = None

    def local_arguments(self, arguments: dict[str, str]) -> dict[str, str]:
        """`arguments` with each `s3://` value replaced by its local path (downloading what exists)."""
        return {
            name: self._local_value(value) if is_s3_uri(value) else value for name, value in arguments.items()
        }

    def _allocate(self, folder: Path, s3_name: str, *, keep_extension: bool) -> Path:
        hidden = s3_name[:1] if s3_name[:1] in ("_", ".") else ""
        extension = os.path.splitext(s3_name)[1] if keep_extension else ""
        extension = extension if _EXTENSION.fullmatch(extension) else ""
        self._allocated += 1
        self._translation = None
        return folder / f"{hidden}{self._allocated}{extension}"

    def _local_value(self, uri: str) -> str:
        local = self._locations.get(uri)
        if local is None:
            bucket, key = split_s3_uri(uri)
            local = self._allocate(self.root, key.rsplit("/", 1)[-1], keep_extension=True)
            self._keys[local] = (bucket, key)
            self._locations[uri] = local
            self.root.mkdir(parents=True, exist_ok=True)
            self._download(bucket, key, local)
        return str(local) + ("/" if uri.endswith("/") else "")

    def _download(self, bucket: str, key: str, local: Path) -> None:
        if key and not key.endswith("/") and self._object_exists(bucket, key):
            self._download_object(bucket, key, local)
            return
        prefix = _child_key(key, "")
        folders: dict[str, Path] = {prefix: local}
        for item in self._list(bucket, prefix):
            *parents, name = item["Key"][len(prefix) :].split("/")
            if not name:
                continue  # a "folder" marker object holds no data
            folder = local
            for depth, parent in enumerate(parents):
                folder_key = prefix + "/".join(parents[: depth + 1]) + "/"
                if folder_key not in folders:
                    folders[folder_key] = self._allocate(folder, parent, keep_extension=False)
                    self._keys[folders[folder_key]] = (bucket, folder_key)
                folder = folders[folder_key]
            target = self._allocate(folder, name, keep_extension=True)
            self._keys[target] = (bucket, item["Key"])
            self._download_object(bucket, item["Key"], target)

    def _object_exists(self, bucket: str, key: str) -> bool:
        try:
            self.s3.head_object(Bucket=bucket, Key=key)
        except ClientError as error:
            status = error.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
            if status == 404:
                return False
            if status == 403:
                # S3 answers HEAD without a body, so the denial's reason (principal, action, resource)
                # comes from a GET of the same object, which fails the same way with S3's message.
                self.s3.get_object(Bucket=bucket, Key=key, Range="bytes=0-0")
            raise
        return True

    def _list(self, bucket: str, prefix: str) -> list[dict[str, Any]]:
        try:
            pages = list(self.s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix))
        except ClientError as error:
            if error.response["Error"].get("Code") == "NoSuchBucket":
                return []
            raise
        return [item for page in pages for item in page.get("Contents", [])]

    def _download_object(self, bucket: str, key: str, target: Path) -> None:
        target.parent.mkdir(parents=True, exist_ok=True)
        self.s3.download_file(bucket, key, str(target))
        stat = target.stat()
        self._downloaded[target] = (stat.st_size, stat.st_mtime_ns)

    # -- after the run ----------------------------------------------------------------------------

    def mirror_back(self) -> None:
        """Upload what the script wrote under the mapped locations, delete what it deleted."""
        uploads: dict[tuple[str, str], Path] = {}
        for location in self._locations.values():
            files = [location] if location.is_file() else sorted(location.rglob("*"))
            for path in files:
                if not path.is_file() or _is_checksum_file(path):
                    continue
                stat = path.stat()
                if self._downloaded.get(path) != (stat.st_size, stat.st_mtime_ns):
                    uploads[self._key_of(path)] = path
        deletions = {self._keys[path] for path in self._downloaded if not path.is_file()} - uploads.keys()
        for bucket, key in sorted(deletions):
            self.s3.delete_object(Bucket=bucket, Key=key)
        for (bucket, key), path in uploads.items():
            self._upload(bucket, key, path)

    def _key_of(self, path: Path) -> tuple[str, str]:
        """The S3 key a local path stands for: its own, or its nearest mapped folder's plus the rest."""
        for ancestor in (path, *path.parents):
            if ancestor in self._keys:
                bucket, key = self._keys[ancestor]
                relative = path.relative_to(ancestor).as_posix()
                return bucket, key if relative == "." else _child_key(key, relative)
        raise ValueError(f"{path} is not under a mapped location")

    def _upload(self, bucket: str, key: str, path: Path) -> None:
        if path.stat().st_size <= MAX_MAPPED_OBJECT_BYTES:
            try:
                text = path.read_bytes().decode("utf-8")
            except UnicodeDecodeError:
                pass
            else:
                self.s3.put_object(
                    Bucket=bucket, Key=key, Body=self.to_s3(text, json_text=_is_json(text)).encode()
                )
                return
        self.s3.upload_file(str(path), bucket, key)

    def to_s3(self, text: str, *, json_text: bool = False) -> str:
        """`text` with every mapped local path (plain or as a file: URI) replaced by its S3 URI."""
        if self._translation is None:
            uris = {variant: self._uri(path) for path in self._keys for variant in _path_variants(str(path))}
            # Longest first, so that a path wins over the folder that holds it.
            alternatives = "|".join(map(re.escape, sorted(uris, key=len, reverse=True)))
            self._translation = re.compile(f"({alternatives}){_NAME_CONTINUES}" if uris else "(?!)"), uris
        pattern, uris = self._translation

        def replacement(match: re.Match[str]) -> str:
            uri = uris[match[1]]
            return json.dumps(uri, ensure_ascii=False)[1:-1] if json_text else uri

        return pattern.sub(replacement, text)

    def _uri(self, path: Path) -> str:
        bucket, key = self._keys[path]
        # A folder's path is written without its final slash; what follows it starts with one.
        return f"s3://{bucket}/{key.removesuffix('/')}" if key else f"s3://{bucket}"


def _path_variants(path: str) -> list[str]:
    quoted = quote(path)
    return [f"file://{quoted}", f"file:{quoted}", f"file://{path}", f"file:{path}", path]


def _is_json(text: str) -> bool:
    try:
        json.loads(text)
    except ValueError:
        return False
    return True
