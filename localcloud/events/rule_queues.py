"""One ordered background queue per rule: PutEvents returns at once, a rule's deliveries keep their order.

A queue's worker is a daemon thread started by the first job and ended when the queue runs empty, so idle
rules hold no thread. Jobs of one key run one after another in submission order; different keys run in
parallel. A job's exception is logged and the next job runs.
"""

from __future__ import annotations

import logging
import threading
from collections import deque
from collections.abc import Callable

LOG = logging.getLogger(__name__)

Job = Callable[[], None]


class RuleQueues:
    def __init__(self, thread_name_prefix: str = "events") -> None:
        self._lock = threading.Lock()
        self._pending: dict[str, deque[Job]] = {}
        self._prefix = thread_name_prefix

    def submit(self, key: str, job: Job) -> None:
        """Run `job` after every job submitted earlier under `key`."""
        with self._lock:
            queue = self._pending.get(key)
            if queue is not None:  # a worker is draining this key; it will reach the job
                queue.append(job)
                return
            self._pending[key] = deque([job])
        threading.Thread(target=self._drain, args=(key,), name=f"{self._prefix}-{key}", daemon=True).start()

    def busy(self) -> bool:
        """Whether any job is queued or running."""
        with self._lock:
            return bool(self._pending)

    def _drain(self, key: str) -> None:
        while True:
            with self._lock:
                queue = self._pending[key]
                if not queue:
                    # Removed under the lock: a later submit starts a new worker instead of appending here.
                    del self._pending[key]
                    return
                job = queue[0]
            try:
                job()
            except Exception:
                LOG.exception("an EventBridge delivery job for %s failed", key)
            with self._lock:
                queue.popleft()
