"""The capacity of a serverless endpoint's fleet: concurrent invocations up to `MaxConcurrency`, warm
and cold execution environments, provisioned concurrency.

As the Developer Guide describes Serverless Inference ("Concurrent invocations", "Cold starts", "Minimize
cold starts with Provisioned Concurrency"):

- at most `MaxConcurrency` invocations run at once; one more is throttled at once, never queued;
- an execution environment serves one invocation at a time; `ProvisionedConcurrency` environments are
  always warm; an invocation that finds no warm environment free (the first after the endpoint started,
  one beyond the environments warmed so far, or one after they have been idle too long and were scaled to
  zero) starts a new one: a cold start, whose length SageMaker publishes as `ModelSetupTime`.

Offline, every environment is the fleet's one model server; a cold start is a configurable wait
(`LOCALCLOUD_SERVERLESS_COLD_START_SECONDS`, default 0: off) and an environment is scaled to zero after
`LOCALCLOUD_SERVERLESS_IDLE_SECONDS` (default 300; AWS does not document its idle time). Both are read when
the fleet starts (CreateEndpoint, UpdateEndpoint). No moto here; the clock and the wait are injectable.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

COLD_START_ENV_VAR = "LOCALCLOUD_SERVERLESS_COLD_START_SECONDS"
IDLE_ENV_VAR = "LOCALCLOUD_SERVERLESS_IDLE_SECONDS"
DEFAULT_IDLE_SECONDS = 300.0


class Throttled(Exception):
    """MaxConcurrency invocations are already running."""


@dataclass(frozen=True)
class ServerlessSettings:
    max_concurrency: int
    provisioned_concurrency: int = 0
    cold_start_seconds: float = 0.0
    idle_seconds: float = DEFAULT_IDLE_SECONDS


def _seconds(environ: Mapping[str, str], name: str, default: float) -> float:
    raw = environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError as error:
        raise ValueError(f"{name} must be a number of seconds; got {raw!r}") from error
    if value < 0:
        raise ValueError(f"{name} must not be negative; got {raw!r}")
    return value


def settings_for(
    serverless_config: Mapping[str, Any], environ: Mapping[str, str] | None = None
) -> ServerlessSettings:
    """The settings of a fleet of a variant with this ServerlessConfig, with the emulator's timings."""
    environ = os.environ if environ is None else environ
    return ServerlessSettings(
        max_concurrency=int(serverless_config["MaxConcurrency"]),
        provisioned_concurrency=int(serverless_config.get("ProvisionedConcurrency") or 0),
        cold_start_seconds=_seconds(environ, COLD_START_ENV_VAR, 0.0),
        idle_seconds=_seconds(environ, IDLE_ENV_VAR, DEFAULT_IDLE_SECONDS),
    )


@dataclass(frozen=True)
class Slot:
    """One admitted invocation: where it runs and what the fleet looked like when it was admitted."""

    provisioned: bool  # on a provisioned-concurrency environment (else on-demand, "spillover")
    concurrent: int  # invocations running, this one included
    provisioned_busy: int  # provisioned environments serving, this one included if provisioned
    # The cold start this invocation waited for (the configured length, which ModelSetupTime reports);
    # None when a warm environment took it.
    setup_seconds: float | None


@dataclass
class ServerlessCapacity:
    settings: ServerlessSettings
    clock: Callable[[], float] = time.monotonic
    wait: Callable[[float], None] = time.sleep
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _running: int = 0
    _provisioned_busy: int = 0
    # On-demand environments not serving, by the time each went idle (the last one is the most recent).
    _idle_since: list[float] = field(default_factory=list, repr=False)

    def acquire(self) -> Slot:
        """Admit one invocation, after its cold start if it needs one; Throttled when the fleet is full."""
        settings = self.settings
        with self._lock:
            if self._running >= settings.max_concurrency:
                raise Throttled
            self._running += 1
            concurrent = self._running
            if self._provisioned_busy < settings.provisioned_concurrency:
                self._provisioned_busy += 1
                return Slot(True, concurrent, self._provisioned_busy, None)
            now = self.clock()
            self._idle_since = [since for since in self._idle_since if now - since <= settings.idle_seconds]
            warm = bool(self._idle_since)
            if warm:
                self._idle_since.pop()  # the most recently used: the others may idle out
            provisioned_busy = self._provisioned_busy
        if warm or settings.cold_start_seconds <= 0:
            return Slot(False, concurrent, provisioned_busy, None)
        self.wait(settings.cold_start_seconds)
        return Slot(False, concurrent, provisioned_busy, settings.cold_start_seconds)

    def release(self, slot: Slot) -> None:
        with self._lock:
            self._running -= 1
            if slot.provisioned:
                self._provisioned_busy -= 1
            else:
                self._idle_since.append(self.clock())
