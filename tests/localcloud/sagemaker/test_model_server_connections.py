"""The kept-alive connections InvokeEndpoint uses to reach the model servers."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from localcloud.sagemaker.model_server_connections import ModelServerConnections


class _EchoServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _EchoHandler)
        self.connections = 0
        self.requests = 0
        self.lock = threading.Lock()


class _EchoHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body are two writes; Nagle would delay the second 40 ms
    server: _EchoServer

    def setup(self) -> None:
        super().setup()
        with self.server.lock:
            self.server.connections += 1

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        with self.server.lock:
            self.server.requests += 1
        self.send_response(200)
        self.send_header("Content-Type", "text/csv")
        self.send_header("Content-Length", str(len(body)))
        if self.headers.get("X-Close") == "yes":
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def echo_server() -> Iterator[_EchoServer]:
    server = _EchoServer()
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def _post(pool: ModelServerConnections, server: _EchoServer, body: bytes, **headers: str) -> bytes:
    status, content_type, answer = pool.post(
        "127.0.0.1", server.server_address[1], "/invocations", body, {"Content-Type": "text/csv", **headers}
    )
    assert (status, content_type) == (200, "text/csv")
    return answer


def test_sequential_requests_share_one_connection(echo_server: _EchoServer) -> None:
    pool = ModelServerConnections()
    answers = [_post(pool, echo_server, f"{index}\n".encode()) for index in range(20)]
    assert answers == [f"{index}\n".encode() for index in range(20)]
    assert echo_server.connections == 1
    pool.close_all()


def test_requests_from_many_threads_reuse_connections(echo_server: _EchoServer) -> None:
    pool = ModelServerConnections(max_idle_per_server=4)
    errors: list[BaseException] = []

    def call_many() -> None:
        try:
            for index in range(25):
                assert _post(pool, echo_server, f"{index}".encode()) == f"{index}".encode()
        except BaseException as error:  # reported below, with the thread's assertion
            errors.append(error)

    threads = [threading.Thread(target=call_many) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert echo_server.requests == 100
    # Each request on its own connection would open 100; four threads need at most a few.
    assert echo_server.connections <= 8
    pool.close_all()


def test_a_connection_the_server_closes_is_not_reused(echo_server: _EchoServer) -> None:
    pool = ModelServerConnections()
    _post(pool, echo_server, b"1", **{"X-Close": "yes"})
    _post(pool, echo_server, b"2")
    assert echo_server.connections == 2
    assert echo_server.requests == 2
    pool.close_all()


def test_an_idle_connection_closed_meanwhile_is_replaced_once(echo_server: _EchoServer) -> None:
    pool = ModelServerConnections()
    _post(pool, echo_server, b"1")
    # The server side of the idle connection goes away (a model server restarted on the same port, or
    # its keep-alive ended): the next request is sent again on a new connection, not lost.
    for connections in pool._idle.values():  # the test reaches in to break the connection it holds
        for connection in connections:
            assert connection.sock is not None
            connection.sock.close()
    assert _post(pool, echo_server, b"2") == b"2"
    assert echo_server.requests == 2


def test_a_server_that_is_gone_raises(echo_server: _EchoServer) -> None:
    port = echo_server.server_address[1]
    echo_server.shutdown()
    echo_server.server_close()
    with pytest.raises(OSError):
        ModelServerConnections().post("127.0.0.1", port, "/invocations", b"1", {})
