"""The local cloud's HTTP server keeps connections alive without ever reading one request's bytes as
another's: bodies end at their Content-Length whether or not the application read them, chunked bodies
and clients that ask to close get werkzeug's `Connection: close`, and stopping the server ends kept-alive
connections. The last test checks S3 user metadata with underscores over a kept-alive connection through
the real local cloud."""

from __future__ import annotations

import http.client
import socket
from collections.abc import Callable, Iterable, Iterator
from typing import Any

import pytest

from localcloud.http_server import RunningServer, declared_body_length, serve_in_thread


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
