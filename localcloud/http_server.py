"""The local cloud's HTTP server: moto's request handler with HTTP/1.1 keep-alive.

Werkzeug's development server answers every request with `Connection: close`, because after the
application it drains whatever is left on the socket, which on a kept-alive connection would be the next
request. So every boto3 call, every Terraform API call and every call of the Step Functions interpreter
opened a TCP connection and a server thread of its own.

Here a request's body is read through a stream that ends at its declared Content-Length, so the drain
finds nothing past the body, and what the application left unread of the body is discarded before the
next request is read. A request with a chunked body, or one whose client asked to close, is answered as
werkzeug always did: `Connection: close`.

A response's head is sent together with the first bytes of its body, in one write. werkzeug writes them
separately, so a client often read the head alone and the body a moment later; the Go SDK behind
Terraform's aws provider then, now and again, dropped the connection and retried the call. For a call that
is not idempotent the retry fails even though the first attempt succeeded (CreateRole answered
EntityAlreadyExists for the role Terraform had just created). Informational answers (100 Continue) still go
out at once: the client waits for them before it sends the body.

Everything else (the environ, moto's preserved underscore headers, 100-continue, error pages) is
werkzeug's and moto's own handler, unchanged.
"""

from __future__ import annotations

import contextlib
import io
import socket
import threading
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from moto.moto_server.werkzeug_app import (
    DomainDispatcherApplication,
    MotoRequestHandler,
    create_backend_app,
)
from werkzeug.serving import ThreadedWSGIServer

if TYPE_CHECKING:
    from _typeshed.wsgi import WSGIApplication

# A kept-alive connection nobody uses for this long is closed, so a client that vanished without
# closing does not hold a server thread forever. Longer than the idle timeouts of the SDKs that keep
# connections (Go's and the AWS SDKs': 90 s), so the server is never the side that closes first.
IDLE_CONNECTION_SECONDS = 300.0

_DISCARD_CHUNK_BYTES = 1 << 20


class DeclaredLengthBody(io.RawIOBase):
    """A request body: reads from the connection stop at its declared length."""

    def __init__(self, connection_input: io.BufferedIOBase, length: int) -> None:
        super().__init__()
        self._input = connection_input
        self._remaining = length

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        wanted = min(len(buffer), self._remaining)
        if wanted == 0:
            return 0
        read = self._input.readinto(memoryview(buffer)[:wanted])
        if not read:
            raise ConnectionError("client closed the connection before sending the whole request body")
        self._remaining -= read
        return read

    def discard_rest(self) -> None:
        while self._remaining:
            data = self._input.read(min(self._remaining, _DISCARD_CHUNK_BYTES))
            if not data:
                raise ConnectionError("client closed the connection before sending the whole request body")
            self._remaining -= len(data)


def declared_body_length(content_length: str | None, transfer_encoding: str | None) -> int | None:
    """The body's length when the connection can be kept alive after it, else None.

    A chunked body's end is known only to the dechunking reader werkzeug wraps around the connection, so
    such requests keep werkzeug's own handling (close after answering), as does a malformed length."""
    if transfer_encoding and transfer_encoding.strip():
        return None
    if content_length is None:
        return 0  # RFC 9112 6.3: no Content-Length and no Transfer-Encoding means no body
    text = content_length.strip()
    if not text.isdigit():
        return None
    return int(text)


class HeadWithBodyWriter:
    """The connection's output: a response head handed to `hold` is written with the next bytes written
    after it (or at the next flush, when there is no body), so head and body leave in one write. Only the
    body's first `HEAD_COMPANION_BYTES` are copied to join the head: an object of hundreds of megabytes is
    not copied whole."""

    HEAD_COMPANION_BYTES = 1 << 16

    def __init__(self, connection_output: Any) -> None:
        self._output = connection_output
        self._held = b""

    def hold(self, head: bytes) -> None:
        self._held += head

    def write(self, data: bytes) -> int:
        if not self._held:
            return self._output.write(data)
        body = memoryview(data)
        head, self._held = self._held, b""
        written = self._output.write(head + bytes(body[: self.HEAD_COMPANION_BYTES]))
        rest = body[self.HEAD_COMPANION_BYTES :]
        if rest:
            written += self._output.write(rest)
        return written

    def flush(self) -> None:
        if self._held:
            held, self._held = self._held, b""
            self._output.write(held)
        self._output.flush()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._output, name)


class KeepAliveRequestHandler(MotoRequestHandler):
    timeout = IDLE_CONNECTION_SECONDS
    # A response can still take several writes (a chunked body, one write per chunk). On a reused
    # connection the client delays its ACK of the first (it has nothing to send), and Nagle would hold the
    # next until that ACK: 40 ms per answer.
    disable_nagle_algorithm = True
    server: KeepAliveServer
    _keeping_alive = False
    _informational = False

    def setup(self) -> None:
        super().setup()
        self.wfile = HeadWithBodyWriter(self.wfile)  # type: ignore[assignment]
        self.server.connection_opened(self.connection)

    def finish(self) -> None:
        self.server.connection_closed(self.connection)
        super().finish()

    def handle_one_request(self) -> None:
        # A request rejected before run_wsgi (too many headers, say) must not inherit the previous request's
        # keep-alive: its `Connection: close` has to reach the client.
        self._keeping_alive = False
        super().handle_one_request()

    def send_response_only(self, code: int, message: str | None = None) -> None:
        self._informational = 100 <= code < 200
        super().send_response_only(code, message)

    def flush_headers(self) -> None:
        head = b"".join(getattr(self, "_headers_buffer", []))
        self._headers_buffer: list[bytes] = []
        if not head:
            return
        if self._informational:
            self.wfile.write(head)
        else:
            self.wfile.hold(head)  # type: ignore[attr-defined]

    def run_wsgi(self) -> None:
        length = declared_body_length(
            self.headers.get("Content-Length"), self.headers.get("Transfer-Encoding")
        )
        self._keeping_alive = length is not None and not self.close_connection
        if not self._keeping_alive:
            super().run_wsgi()
            return
        connection_input = self.rfile
        body = DeclaredLengthBody(connection_input, length)
        # werkzeug builds the environ's wsgi.input from self.rfile and drains self.rfile afterwards: both
        # now see only this request's body.
        self.rfile = body  # type: ignore[assignment]
        try:
            super().run_wsgi()
        finally:
            self.rfile = connection_input
        if not self.close_connection:
            try:
                body.discard_rest()
            except (ConnectionError, OSError):
                self.close_connection = True

    def send_header(self, keyword: str, value: str) -> None:
        # werkzeug's unconditional close; everything else (and a close werkzeug decides on after an error
        # mid-response, via close_connection) passes through.
        if self._keeping_alive and keyword.lower() == "connection" and value == "close":
            return
        super().send_header(keyword, value)


class KeepAliveServer(ThreadedWSGIServer):
    """Knows its open connections, so that stopping it also ends the kept-alive ones: a client must not
    be answered by a local cloud that was stopped."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self._open_connections: set[socket.socket] = set()
        self._connections_lock = threading.Lock()
        super().__init__(*args, **kwargs)

    def connection_opened(self, connection: socket.socket) -> None:
        with self._connections_lock:
            self._open_connections.add(connection)

    def connection_closed(self, connection: socket.socket) -> None:
        with self._connections_lock:
            self._open_connections.discard(connection)

    def close_open_connections(self) -> None:
        with self._connections_lock:
            connections = list(self._open_connections)
        for connection in connections:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)


@dataclass
class RunningServer:
    """moto's WSGI application served from a daemon thread."""

    server: KeepAliveServer
    thread: threading.Thread = field(repr=False)

    @property
    def host_and_port(self) -> tuple[str, int]:
        host, port = self.server.server_address[:2]
        return str(host), int(port)

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.server.close_open_connections()
        self.thread.join()


def moto_application() -> WSGIApplication:
    """Every moto service, dispatched by host and signing name, as moto's own server does."""
    return DomainDispatcherApplication(create_backend_app)


def serve_in_thread(application: WSGIApplication, host: str, port: int) -> RunningServer:
    """Serve `application` on host:port (0: any free port) from a daemon thread; returns once listening."""
    server = KeepAliveServer(host, port, application, handler=KeepAliveRequestHandler)
    thread = threading.Thread(target=server.serve_forever, name="localcloud-http", daemon=True)
    thread.start()
    return RunningServer(server, thread)
