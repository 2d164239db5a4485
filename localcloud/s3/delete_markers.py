"""Deleting every version of a key whose newest version is a delete marker works.

moto answered HTTP 500 (`FakeDeleteMarker` has no `dispose`), so `terraform destroy` could not empty
a versioned bucket with `force_destroy`. A delete marker holds no data: disposing of it does nothing.
"""

from __future__ import annotations

from moto.s3.models import FakeDeleteMarker

from localcloud import patching


def _dispose(self: FakeDeleteMarker, garbage: bool = False) -> None:
    return None


PATCHES = (patching.add(__name__, FakeDeleteMarker, "dispose", _dispose),)
