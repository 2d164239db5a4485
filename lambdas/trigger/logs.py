"""One JSON object per log line, with `run_id` on every line (null when no run applies).

Lines go to stdout, which Lambda sends to CloudWatch Logs; Logs Insights parses JSON lines into
fields, so `filter run_id = "..."` finds everything about one run.
"""

from __future__ import annotations

import json
import sys
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

# Set once per invocation by the handler, so every line can name the Lambda request.
request_id: ContextVar[str | None] = ContextVar("request_id", default=None)


def log(level: str, event: str, message: str, *, run_id: str | None, **fields: Any) -> None:
    """Write one line. `run_id` is keyword-only and required so no call site can forget it."""
    line = {
        "time": datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        "level": level,
        "event": event,
        "message": message,
        "run_id": run_id,
        "request_id": request_id.get(),
        **fields,
    }
    # Looked up per call (not bound at import) so test capture and runtime redirection both work.
    sys.stdout.write(json.dumps(line, ensure_ascii=False, default=str) + "\n")
    sys.stdout.flush()
