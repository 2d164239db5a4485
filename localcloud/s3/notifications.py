"""S3 event notifications shaped as AWS sends them.

moto 5.2.5 leaves out `versionId` and `sequencer` and URL-encodes the `/` of object keys. The
trigger Lambda relies on all three as AWS documents them (notification-content-structure): the
version (or sequencer) makes a re-upload of the same key a new run, and the key is decoded once.
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable
from typing import Any
from urllib.parse import quote_plus

from moto.s3 import notifications

from localcloud import patching

_sequence = itertools.count(1)
_sequence_lock = threading.Lock()


def _next_sequencer() -> str:
    # AWS sequencers are hexadecimal strings that grow for successive events on one key.
    with _sequence_lock:
        return f"{next(_sequence):016X}"


def _shaped_as_aws(original: Callable[..., dict[str, Any]]) -> Callable[..., dict[str, Any]]:
    def get_s3_event(event_name: str, bucket: Any, key: Any, notification_id: str) -> dict[str, Any]:
        event = original(event_name, bucket, key, notification_id)
        s3_object = event["Records"][0]["s3"]["object"]
        s3_object["key"] = quote_plus(key.name, safe="/")
        if key.version_id != "null":
            s3_object["versionId"] = key.version_id
        s3_object["sequencer"] = _next_sequencer()
        return event

    return get_s3_event


PATCHES = (
    patching.wrap(
        __name__, notifications, "_get_s3_event", fingerprint="e3f2ed740c7b2971", build=_shaped_as_aws
    ),
)
