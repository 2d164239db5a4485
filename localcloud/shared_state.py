"""State that several parts of the local cloud share inside the server process.

- `SAGEMAKER_STATE_LOCK`: moto's SageMaker backend objects (training jobs, endpoints) are changed by
  request handlers and by the background threads that run jobs and deploy endpoints; every such
  change, and every read that must see a consistent object, holds this lock.
- `under_sagemaker_state_lock(method)`: a moto backend method wrapped to run holding that lock.
- `work_root(service)`: where a service keeps the folders of its job runs, invocations and servers.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from localcloud import config

SAGEMAKER_STATE_LOCK = threading.RLock()


def under_sagemaker_state_lock(original: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(original)
    def locked(*args: Any, **kwargs: Any) -> Any:
        with SAGEMAKER_STATE_LOCK:
            return original(*args, **kwargs)

    return locked


def work_root(service: str) -> Path:
    """`<state dir>/work/<service>/`, created on first use."""
    root = config.state_dir() / "work" / service
    root.mkdir(parents=True, exist_ok=True)
    return root
