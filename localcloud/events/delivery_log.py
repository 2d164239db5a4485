"""The delivery log: one line per target invocation of a rule, delivered or failed with the reason.

Lines go to `<state dir>/logs/events/<rule name>.log`, the place to look when a rule "did nothing": a
refused permission, a missing target or a template that did not render shows here with EventBridge's error
code, while PutEvents itself always succeeded.
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from pathlib import Path

from localcloud import config

_lock = threading.Lock()


def path(rule_name: str) -> Path:
    return config.logs_dir() / "events" / f"{rule_name}.log"


def write(rule_name: str, message: str) -> None:
    """Append one timestamped line (newlines in `message` are kept on the line as `\\n`)."""
    stamp = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    line = f"{stamp} {message.replace(chr(10), chr(92) + 'n')}\n"
    target = path(rule_name)
    with _lock:
        target.parent.mkdir(parents=True, exist_ok=True)
        with target.open("a", encoding="utf-8") as log:
            log.write(line)
