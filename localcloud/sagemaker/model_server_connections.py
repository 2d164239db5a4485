"""Kept-alive connections from the local cloud to the endpoints' model servers.

Each client connection to the local cloud is served by a thread of its own (`localcloud/http_server.py`),
so a connection kept per thread would serve only that client: the pool is shared, each connection lent
to one request at a time and returned after its answer is read. The model servers speak
HTTP/1.1 with keep-alive (`model_server.py`).
"""

from __future__ import annotations

import http.client
import threading
from collections import defaultdict

# Idle connections kept per model server; more concurrent requests open more, and the extra ones are closed
# when returned. A model server handles a few requests at a time, so a few idle connections are enough.
MAX_IDLE_PER_SERVER = 8
TIMEOUT_SECONDS = 60


class ModelServerConnections:
    def __init__(self, max_idle_per_server: int = MAX_IDLE_PER_SERVER) -> None:
        self._idle: dict[tuple[str, int], list[http.client.HTTPConnection]] = defaultdict(list)
        self._lock = threading.Lock()
        self._max_idle = max_idle_per_server

    def post(
        self, host: str, port: int, path: str, body: bytes, headers: dict[str, str]
    ) -> tuple[int, str, bytes]:
        """POST and read the whole answer: (status, content type, body). A kept-alive connection the server
        closed meanwhile fails before any byte of the answer; the request is then sent once more on a new
        connection."""
        for attempt in range(2):
            reused, connection = self._borrow(host, port)
            try:
                connection.request("POST", path, body=body, headers=headers)
                response = connection.getresponse()
                answer = response.status, response.getheader("Content-Type", "text/csv"), response.read()
            except (OSError, http.client.HTTPException):
                connection.close()
                if not reused or attempt == 1:
                    raise
                continue
            if response.will_close:
                connection.close()
            else:
                self._give_back(host, port, connection)
            return answer
        raise AssertionError("unreachable")

    def close_all(self) -> None:
        with self._lock:
            idle, self._idle = self._idle, defaultdict(list)
        for connections in idle.values():
            for connection in connections:
                connection.close()

    def _borrow(self, host: str, port: int) -> tuple[bool, http.client.HTTPConnection]:
        with self._lock:
            idle = self._idle.get((host, port))
            if idle:
                return True, idle.pop()
        return False, http.client.HTTPConnection(host, port, timeout=TIMEOUT_SECONDS)

    def _give_back(self, host: str, port: int, connection: http.client.HTTPConnection) -> None:
        with self._lock:
            idle = self._idle[(host, port)]
            if len(idle) < self._max_idle:
                idle.append(connection)
                return
        connection.close()
