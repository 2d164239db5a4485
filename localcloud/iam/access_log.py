"""The access log: every call the local cloud authorized for a role, allowed or denied, one JSON line each.

Lines go to `<state dir>/iam/access-log.jsonl` (`LOCALCLOUD_IAM_ACCESS_LOG` overrides the path). Next to
the decisions, the log keeps each role's policies as they were evaluated (a `policies` line whenever they
change), so `python -m localcloud.iam.report` can tell, after the cloud is gone, which statements were
used and which never were.
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from localcloud import config

ACCESS_LOG_ENV_VAR = "LOCALCLOUD_IAM_ACCESS_LOG"

_lock = threading.Lock()
_recorded_policies: dict[str, str] = {}


def path() -> Path:
    return Path(os.environ.get(ACCESS_LOG_ENV_VAR) or config.state_dir() / "iam" / "access-log.jsonl")


def _append(entry: dict[str, Any]) -> None:
    target = path()
    line = json.dumps(entry, sort_keys=True, default=str) + "\n"
    with _lock:
        target.parent.mkdir(parents=True, exist_ok=True)
        # One write per line on a file opened for appending: concurrent local clouds (test workers) that
        # share a log interleave whole lines.
        with target.open("a", encoding="utf-8") as log:
            log.write(line)


def record_policies(role_arn: str, policies: Sequence[Any]) -> None:
    """Keep the role's policies (NamedPolicy objects) in the log, once per distinct content."""
    documents = [{"name": policy.name, "document": policy.document} for policy in policies]
    digest = hashlib.sha256(json.dumps(documents, sort_keys=True).encode()).hexdigest()
    with _lock:
        if _recorded_policies.get(role_arn) == digest:
            return
        _recorded_policies[role_arn] = digest
    _append({"kind": "policies", "time": time.time(), "role_arn": role_arn, "policies": documents})


def record_decision(
    *, role_arn: str, caller: str, request: Any, decision: Any | None, error: str | None = None
) -> None:
    """One authorization: `decision` is the evaluator's Decision, None when evaluation itself failed."""
    _append(
        {
            "kind": "decision",
            "time": time.time(),
            "role_arn": role_arn,
            "caller": caller,
            "action": request.action,
            "resource": request.resource,
            "allowed": bool(decision and decision.allowed),
            "reason": decision.reason if decision else "evaluation_error",
            "statements": [[ref.policy_name, ref.statement_id] for ref in decision.matched]
            if decision
            else [],
            "error": error,
        }
    )


def read(log_path: Path | None = None) -> list[dict[str, Any]]:
    source = log_path or path()
    if not source.exists():
        return []
    with source.open(encoding="utf-8") as log:
        return [json.loads(line) for line in log if line.strip()]
