"""The local cloud's HTTP server keeps connections alive without ever reading one request's bytes as
another's: bodies end at their Content-Length whether or not the application read them, chunked bodies and
clients that ask to close get werkzeug's `Connection: close`, a response's head leaves in one write with
its body (100 Continue at once), and stopping the server ends kept-alive connections. The last test checks
S3 user metadata with underscores over a kept-alive connection through the real local cloud."""

from __future__ import annotations

import http.client
import socket
import socketserver
from collections.abc import Callable, Iterable, Iterator
from typing import Any

import pytest

from localcloud.http_server import (
    HeadWithBodyWriter,
    RunningServer,
    declared_body_length,
    serve_in_thread,
)


def _application(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    """POST /echo answers the body it read; POST /ignore answers without reading the body; any request
    answers which connection (client port) it came on."""
    body = b""
    if environ["PATH_INFO"] == "/echo":
        # As werkzeug's Request reads: up to CONTENT_LENGTH, or to the end of a dechunked body.
        terminated = environ.get("wsgi.input_terminated")
        body = environ["wsgi.input"].read(-1 if terminated else int(environ.get("CONTENT_LENGTH") or 0))
    answer = f"{environ['REMOTE_PORT']} {environ['PATH_INFO']} ".encode() + body
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", str(len(answer)))])
    return [answer]


@pytest.fixture
def server() -> Iterator[RunningServer]:
    running = serve_in_thread(_application, "127.0.0.1", 0)
    try:
        yield running
    finally:
        running.stop()


def _connection(server: RunningServer) -> http.client.HTTPConnection:
    host, port = server.host_and_port
    return http.client.HTTPConnection(host, port, timeout=10)


def _send(
    connection: http.client.HTTPConnection, path: str, body: bytes | None = None, **headers: str
) -> tuple[http.client.HTTPResponse, bytes]:
    connection.request("POST", path, body=body, headers=headers)
    response = connection.getresponse()
    return response, response.read()


def test_requests_on_one_connection_are_answered_on_it(server: RunningServer) -> None:
    connection = _connection(server)
    answers = []
    for body in (b"first", b"second", b"third"):
        response, answer = _send(connection, "/echo", body)
        assert response.status == 200
        assert response.getheader("Connection") is None
        assert not response.will_close
        answers.append(answer)
    ports = {answer.split()[0] for answer in answers}
    assert len(ports) == 1, answers  # one TCP connection served all three
    assert [answer.split(b" ", 2)[2] for answer in answers] == [b"first", b"second", b"third"]


def test_a_body_the_application_did_not_read_is_not_taken_for_the_next_request(
    server: RunningServer,
) -> None:
    connection = _connection(server)
    # The unread body looks like a request line: reading it as one would answer /smuggled.
    unread = b"POST /smuggled HTTP/1.1\r\nContent-Length: 0\r\n\r\n" * 1000
    _, first = _send(connection, "/ignore", unread)
    _, second = _send(connection, "/echo", b"after")
    assert first.split()[1] == b"/ignore"
    assert second.split(b" ", 1)[1] == b"/echo after"
    assert first.split()[0] == second.split()[0]


def test_a_chunked_body_is_answered_and_the_connection_closed(server: RunningServer) -> None:
    connection = _connection(server)
    connection.putrequest("POST", "/echo")
    connection.putheader("Transfer-Encoding", "chunked")
    connection.endheaders()
    connection.send(b"5\r\nchunk\r\n0\r\n\r\n")
    response = connection.getresponse()
    assert response.read().split(b" ", 1)[1] == b"/echo chunk"
    assert response.getheader("Connection") == "close"
    assert response.will_close


def test_a_client_that_asks_to_close_gets_a_closed_connection(server: RunningServer) -> None:
    response, answer = _send(_connection(server), "/echo", b"bye", Connection="close")
    assert answer.split(b" ", 1)[1] == b"/echo bye"
    assert response.will_close


@pytest.fixture
def socket_writes(monkeypatch: pytest.MonkeyPatch) -> list[bytes]:
    """Every write the server makes to a connection, in order."""
    writes: list[bytes] = []
    original = socketserver._SocketWriter.write

    def recording_write(self: socketserver._SocketWriter, data: Any) -> int:
        writes.append(bytes(data))
        return original(self, data)

    monkeypatch.setattr(socketserver._SocketWriter, "write", recording_write)
    return writes


def test_a_response_head_leaves_with_its_body_in_one_write(
    server: RunningServer, socket_writes: list[bytes]
) -> None:
    connection = _connection(server)
    for body in (b"first", b"second"):
        _, answer = _send(connection, "/echo", body)
        (write,) = [data for data in socket_writes if data.endswith(answer)]
        assert write.startswith(b"HTTP/1.1 200 OK\r\n"), write
    # Nothing else was written: one write per response.
    assert len(socket_writes) == 2, socket_writes


def test_a_large_body_is_not_copied_whole_to_join_its_head(
    server: RunningServer, socket_writes: list[bytes]
) -> None:
    body = bytes(range(256)) * 1024  # 256 KiB
    _, answer = _send(_connection(server), "/echo", body)
    assert answer.endswith(body)
    first, *rest = socket_writes
    head_length = first.index(b"\r\n\r\n") + 4
    assert first.startswith(b"HTTP/1.1 200 OK\r\n")
    assert len(first) - head_length == HeadWithBodyWriter.HEAD_COMPANION_BYTES
    assert first[head_length:] + b"".join(rest) == answer


def test_100_continue_is_sent_before_the_body_arrives(server: RunningServer) -> None:
    host, port = server.host_and_port
    with socket.create_connection((host, port), timeout=10) as client:
        client.sendall(b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nExpect: 100-continue\r\n\r\n")
        # The server must answer 100 Continue while the body has not been sent: a client waits for it.
        assert client.recv(4096).startswith(b"HTTP/1.1 100 Continue\r\n")
        client.sendall(b"body")
        answer = b""
        while not answer.endswith(b"/echo body"):
            chunk = client.recv(4096)
            assert chunk, answer
            answer += chunk
        assert b"HTTP/1.1 200 OK" in answer


def test_a_request_rejected_after_a_kept_alive_one_closes_the_connection(server: RunningServer) -> None:
    host, port = server.host_and_port
    # http.server rejects a request with more than 100 headers (431) before the application sees it.
    too_many_headers = b"".join(b"X-H%d: v\r\n" % number for number in range(101))
    with socket.create_connection((host, port), timeout=10) as client:
        client.sendall(b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\nok")
        client.sendall(b"GET /echo HTTP/1.1\r\n" + too_many_headers + b"\r\n")
        answer = b""
        while chunk := client.recv(4096):  # ends when the server closes the connection
            answer += chunk
    assert b"/echo ok" in answer
    assert b"HTTP/1.1 431" in answer
    assert answer.rsplit(b"HTTP/1.1 431", 1)[1].count(b"Connection: close") == 1


def test_stopping_the_server_ends_kept_alive_connections() -> None:
    running = serve_in_thread(_application, "127.0.0.1", 0)
    connection = _connection(running)
    _send(connection, "/echo", b"before")
    running.stop()
    with pytest.raises((http.client.HTTPException, ConnectionError, socket.timeout)):
        _send(connection, "/echo", b"after")


@pytest.mark.parametrize(
    ("content_length", "transfer_encoding", "expected"),
    [
        (None, None, 0),
        ("12", None, 12),
        (" 7 ", None, 7),
        ("-1", None, None),
        ("1e3", None, None),
        ("5", "chunked", None),
        (None, "chunked", None),
        (None, "gzip, chunked", None),
    ],
)
def test_declared_body_length(
    content_length: str | None, transfer_encoding: str | None, expected: int | None
) -> None:
    assert declared_body_length(content_length, transfer_encoding) == expected


def test_s3_metadata_with_underscores_survives_kept_alive_connections(
    aws: Callable[[str], Any], bucket: str
) -> None:
    s3 = aws("s3")
    for index in range(3):  # the same client (and connection) each time
        s3.put_object(Bucket=bucket, Key=f"k{index}", Body=b"x", Metadata={"my_key": str(index)})
        assert s3.head_object(Bucket=bucket, Key=f"k{index}")["Metadata"] == {"my_key": str(index)}
