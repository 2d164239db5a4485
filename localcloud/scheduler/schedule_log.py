"""Each schedule's log: `.localcloud/logs/scheduler/<group>/<name>.log`, one JSON line per event.

An event is a fired invocation (`invoked`), a failed attempt (`attempt_failed`), the invocation's end
after retries (`dead_lettered`, `failed`), a schedule the local cloud cannot fire (`refused`,
`not_emulated`), occurrences skipped because too many were due at once (`skipped`) and the automatic
deletion after the last invocation (`deleted`). Lines carry the real time (`time`) and, when the
scheduler clock runs faster than real time, the clock's (`clock_time`).
"""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from localcloud import config

_lock = threading.Lock()


def path(group: str, name: str) -> Path:
    return config.logs_dir() / "scheduler" / group / f"{name}.log"


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def write(group: str, name: str, event: str, **fields: Any) -> None:
    entry = {"time": iso(datetime.now(UTC)), "event": event}
    entry.update({key: value for key, value in fields.items() if value is not None})
    line = json.dumps(entry, default=str) + "\n"
    target = path(group, name)
    with _lock:
        target.parent.mkdir(parents=True, exist_ok=True)
        with target.open("a", encoding="utf-8") as log:
            log.write(line)


def read(group: str, name: str) -> list[dict[str, Any]]:
    """The schedule's log lines, oldest first."""
    source = path(group, name)
    if not source.exists():
        return []
    with source.open(encoding="utf-8") as log:
        return [json.loads(line) for line in log if line.strip()]
