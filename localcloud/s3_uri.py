"""Split `s3://bucket/key` URIs, for every part of the local cloud that maps them.

A regular expression rather than `urllib.parse`: object keys may hold `#`, `?` and `;`, which a URL
parser would take for a fragment, a query or parameters.
"""

from __future__ import annotations

import re

_S3_URI = re.compile(r"^s3://(?P<bucket>[^/]+)/?(?P<key>.*)$", re.DOTALL)


def split_s3_uri(uri: str) -> tuple[str, str]:
    """(bucket, key) of an s3:// URI; the key may be empty (a bucket) or a prefix."""
    match = _S3_URI.match(uri)
    if match is None:
        raise ValueError(f"{uri!r} is not an s3://bucket/key URI")
    return match["bucket"], match["key"]
