"""The event envelope: moto's internal form of an event and the form EventBridge delivers.

moto's PutEvents (and its S3 notifications) builds the envelope with `time` and `ingestion-time` as
epoch seconds; EventBridge delivers `time` as ISO 8601 (`YYYY-MM-DDTHH:MM:SSZ`) and has no
`ingestion-time` field (its value is the predefined variable `<aws.events.event.ingestion-time>`). Service
events the local cloud emits are built in moto's form, so that moto's own delivery (CloudWatch Logs,
archives, other buses) reads them as it reads a PutEvents entry.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

INGESTION_TIME = "ingestion-time"


def iso_time(value: Any) -> str:
    """`YYYY-MM-DDTHH:MM:SSZ` for epoch seconds; text is kept as given."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return datetime.fromtimestamp(value, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return str(value)


def service_event(
    account_id: str,
    region: str,
    source: str,
    detail_type: str,
    resources: Sequence[str],
    detail: Mapping[str, Any],
) -> dict[str, Any]:
    """A service's event in moto's form, with the fields (and their order) of EventBridge's envelope."""
    now = time.time()
    return {
        "version": "0",
        "id": str(uuid.uuid4()),
        "detail-type": detail_type,
        "source": source,
        "account": account_id,
        "time": now,
        "region": region,
        "resources": list(resources),
        "detail": dict(detail),
        INGESTION_TIME: now,
    }


def as_delivered(moto_event: Mapping[str, Any]) -> tuple[dict[str, Any], str]:
    """The event as EventBridge delivers it, and when EventBridge received it (ISO 8601)."""
    event = {key: value for key, value in moto_event.items() if key != INGESTION_TIME}
    if "time" in event:
        event["time"] = iso_time(event["time"])
    received = moto_event.get(INGESTION_TIME)
    return event, iso_time(received if received is not None else time.time())
