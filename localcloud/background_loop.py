"""A pass repeated in a daemon thread, for the local cloud's clocks (alarm evaluation, schedules).

AWS runs these on its own time; the local cloud runs each as one daemon thread that `localcloud.server`
starts with the cloud and stops with it. One pass failing never ends the thread: the next may succeed.
The local cloud's settings (seconds, time scales, pool sizes) are read from the environment here too.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

LOG = logging.getLogger(__name__)
Number = TypeVar("Number", int, float)


def seconds_from_environment(name: str, default: float) -> float:
    """A non-negative number of seconds from the environment; `default` when unset or not a number."""
    return _non_negative_from_environment(name, default, float, "a number of seconds")


def count_from_environment(name: str, default: int) -> int:
    """A non-negative whole number from the environment (how many of something to keep); `default` when
    unset or not a number (a warning says so)."""
    return _non_negative_from_environment(name, default, int, "a number")


def _non_negative_from_environment(
    name: str, default: Number, parse: Callable[[str], Number], what: str
) -> Number:
    text = os.environ.get(name, "").strip()
    if not text:
        return default
    try:
        return max(parse(text), parse("0"))
    except ValueError:
        LOG.warning("%s=%r is not %s; using %s", name, text, what, default)
        return default


def time_scale_from_environment(name: str, default: float) -> float:
    """How many times faster than real time a clock runs: a positive, finite number from the environment;
    `default` when unset or anything else (a warning says so)."""
    text = os.environ.get(name, "").strip()
    if not text:
        return default
    try:
        scale = float(text)
    except ValueError:
        scale = 0.0
    if not 0 < scale < float("inf"):
        LOG.warning("%s=%r is not a positive number; using %s", name, text, default)
        return default
    return scale


@dataclass
class _Running:
    thread: threading.Thread
    stopping: threading.Event


class BackgroundLoop:
    """Runs `one_pass(stopping)` every interval in a daemon thread named `thread_name`.

    `stopping` is set by `stop()`: a pass that starts work of its own (threads, retries) waits on it so
    that work ends with the loop."""

    def __init__(self, thread_name: str, one_pass: Callable[[threading.Event], None]) -> None:
        self._thread_name = thread_name
        self._one_pass = one_pass
        self._running: _Running | None = None
        self._lock = threading.Lock()

    def start(self, interval_seconds: float, *, before_start: Callable[[], None] | None = None) -> bool:
        """Start the thread; returns whether it runs. A second start while running keeps the running
        thread (and skips `before_start`); an interval of 0 starts none, after `before_start`."""
        with self._lock:
            if self._running is not None and self._running.thread.is_alive():
                return True
            if before_start is not None:
                before_start()
            if interval_seconds <= 0:
                return False
            stopping = threading.Event()
            thread = threading.Thread(
                target=self._loop, args=(stopping, interval_seconds), name=self._thread_name, daemon=True
            )
            self._running = _Running(thread, stopping)
            thread.start()
            return True

    def stop(self, timeout_seconds: float = 10.0) -> None:
        """Stop the thread (no-op when it does not run); waits up to `timeout_seconds` for a pass to end."""
        with self._lock:
            running, self._running = self._running, None
        if running is None:
            return
        running.stopping.set()
        if running.thread is not threading.current_thread():
            running.thread.join(timeout_seconds)

    def is_running(self) -> bool:
        with self._lock:
            return self._running is not None and self._running.thread.is_alive()

    def _loop(self, stopping: threading.Event, interval_seconds: float) -> None:
        while not stopping.is_set():
            try:
                self._one_pass(stopping)
            except Exception:  # never let the thread die: the next pass may succeed
                LOG.exception("%s: pass failed", self._thread_name)
            stopping.wait(interval_seconds)
