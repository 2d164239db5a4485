"""Every message published to a topic, one JSON line in `.localcloud/logs/sns/<topic name>.log`.

No mail, SMS or push leaves the local cloud, and a delivery SNS drops (a queue policy that does not let
SNS in) leaves no trace in the target. The topic's log is where a user of `make demo` reads what was
published and what became of it at each subscription:

    {"time": "...Z", "topic": "<arn>", "message_id": "...", "subject": "...", "message": "...",
     "deliveries": [{"subscription": "<arn>", "protocol": "sqs", "endpoint": "<arn>",
                     "outcome": "delivered"}, {..., "outcome": "dropped", "reason": "..."}]}

`Topic.publish` is wrapped: while moto hands the message to each subscription, `delivery.py` records
what it did (`record`), and the line is written once every subscription has had it.
"""

from __future__ import annotations

import json
import threading
from contextvars import ContextVar
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from moto.sns.models import Topic

from localcloud import config, patching

# Outcomes of one subscription: delivered (to a queue or an HTTP endpoint), invoked (a function,
# asynchronously), filtered_out, dropped (SNS would not deliver: no permission, no such target),
# pending_confirmation (email), failed (the delivery raised), not_emulated (SMS, mobile push, Firehose).
Outcome = str


@dataclass(frozen=True)
class Delivery:
    subscription: str
    protocol: str
    endpoint: str
    outcome: Outcome
    reason: str | None = None

    def as_json(self) -> dict[str, Any]:
        return {key: value for key, value in asdict(self).items() if value is not None}


_deliveries: ContextVar[list[Delivery] | None] = ContextVar("localcloud_sns_deliveries", default=None)
_write_lock = threading.Lock()


def path(topic_name: str) -> Path:
    return config.logs_dir() / "sns" / f"{topic_name}.log"


def record(delivery: Delivery) -> None:
    """What one subscription did with the message being published (outside a publish: ignored)."""
    collected = _deliveries.get()
    if collected is not None:
        collected.append(delivery)


def _write(topic: Topic, entry: dict[str, Any]) -> None:
    target = path(topic.name)
    line = json.dumps(entry, default=str) + "\n"
    with _write_lock:
        target.parent.mkdir(parents=True, exist_ok=True)
        with target.open("a", encoding="utf-8") as log:
            log.write(line)


def read(topic_name: str) -> list[dict[str, Any]]:
    """The topic's log lines, oldest first; empty when nothing was published to it."""
    source = path(topic_name)
    if not source.exists():
        return []
    with source.open(encoding="utf-8") as log:
        return [json.loads(line) for line in log if line.strip()]


def _build_publish(original: Any) -> Any:
    def publish(
        self: Topic,
        message: str,
        subject: str | None = None,
        message_attributes: dict[str, Any] | None = None,
        group_id: str | None = None,
        deduplication_id: str | None = None,
        message_structure: str | None = None,
    ) -> str:
        collected: list[Delivery] = []
        token = _deliveries.set(collected)
        try:
            message_id = original(
                self,
                message,
                subject=subject,
                message_attributes=message_attributes,
                group_id=group_id,
                deduplication_id=deduplication_id,
                message_structure=message_structure,
            )
        finally:
            _deliveries.reset(token)
        entry: dict[str, Any] = {
            "time": datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "topic": self.arn,
            "message_id": message_id,
            "subject": subject,
            "message": message,
            "deliveries": [delivery.as_json() for delivery in collected],
        }
        if message_attributes:
            entry["message_attributes"] = message_attributes
        if message_structure:
            entry["message_structure"] = message_structure
        _write(self, entry)
        return message_id

    return publish


PATCHES = (patching.wrap(__name__, Topic, "publish", fingerprint="8a3b92494536599f", build=_build_publish),)
