"""S3 URIs split at the first slash only, whatever characters the key holds."""

from __future__ import annotations

import pytest

from localcloud.s3_uri import split_s3_uri


@pytest.mark.parametrize(
    ("uri", "expected"),
    [
        ("s3://bucket/input/data.csv", ("bucket", "input/data.csv")),
        ("s3://bucket/input/a#b?c;d.csv", ("bucket", "input/a#b?c;d.csv")),
        ("s3://bucket/input/with space/ünï.csv", ("bucket", "input/with space/ünï.csv")),
        ("s3://bucket/runs/x/etl/", ("bucket", "runs/x/etl/")),
        ("s3://bucket", ("bucket", "")),
    ],
)
def test_split_keeps_the_key_verbatim(uri: str, expected: tuple[str, str]) -> None:
    assert split_s3_uri(uri) == expected


@pytest.mark.parametrize("uri", ["/tmp/data.csv", "s3:///key", "https://bucket/key", ""])
def test_non_s3_uris_are_refused_with_the_uri_in_the_message(uri: str) -> None:
    with pytest.raises(ValueError, match="is not an s3://bucket/key URI"):
        split_s3_uri(uri)
