"""Request bodies are bounded before they are read: a real uvicorn server on loopback."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine

from agencies.app import create_app
from models.settings import Settings
from tests.agencies.live import served

LIMIT = 64 * 1024


@pytest.fixture
def server(engine: Engine) -> Iterator[int]:
    """The portal (with the API mounted) on a loopback port, bodies limited to 64 KiB."""
    with served(create_app(Settings(max_body_bytes=LIMIT), engine=engine)) as port:
        yield port


def status_of(answer: bytes) -> int:
    return int(answer.split(b" ", 2)[1])


def send_headers(port: int, method: str, path: str, headers: dict[str, str]) -> socket.socket:
    connection = socket.create_connection(("127.0.0.1", port), timeout=5)
    lines = [
        f"{method} {path} HTTP/1.1",
        "Host: 127.0.0.1",
        *(f"{k}: {v}" for k, v in headers.items()),
    ]
    connection.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
    return connection


def answer_of(connection: socket.socket) -> bytes:
    try:
        return connection.recv(65536)
    except ConnectionResetError:
        pytest.fail("the server reset the connection without an answer")
    except TimeoutError:
        pytest.fail("the server waited for the rest of the body instead of answering")
    finally:
        connection.close()


@pytest.mark.parametrize(
    ("path", "kind"),
    [
        ("/api/v1/assignments/1/answers", "application/json"),
        ("/sign-in/request", "application/x-www-form-urlencoded"),
    ],
)
def test_a_declared_body_over_the_limit_is_refused_before_a_byte_is_read(
    server: int, path: str, kind: str
) -> None:
    method = "PUT" if path.startswith("/api/") else "POST"
    connection = send_headers(
        server, method, path, {"Content-Type": kind, "Content-Length": "200000000"}
    )
    answer = answer_of(connection)
    assert status_of(answer) == 413, answer[:200]


@pytest.mark.parametrize(
    ("path", "kind"),
    [
        ("/api/v1/assignments/1/answers", "application/json"),
        ("/sign-in/request", "application/x-www-form-urlencoded"),
    ],
)
def test_a_chunked_body_is_refused_as_soon_as_it_passes_the_limit(
    server: int, path: str, kind: str
) -> None:
    method = "PUT" if path.startswith("/api/") else "POST"
    connection = send_headers(
        server, method, path, {"Content-Type": kind, "Transfer-Encoding": "chunked"}
    )
    chunk = b"a" * 8192
    try:
        for _ in range(2 * LIMIT // len(chunk)):
            connection.sendall(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
    except (BrokenPipeError, ConnectionResetError):
        pass  # the server answered and closed while the client was still sending: as hoped
    # The body never ends: only a server that stops reading at the limit answers.
    answer = answer_of(connection)
    assert status_of(answer) == 413, answer[:200]


def test_a_body_within_the_limit_is_read_as_before(server: int) -> None:
    body = b"email=someone%40example.org&csrf_token=x"
    connection = send_headers(
        server,
        "POST",
        "/sign-in/request",
        {"Content-Type": "application/x-www-form-urlencoded", "Content-Length": str(len(body))},
    )
    connection.sendall(body)
    assert status_of(answer_of(connection)) == 403  # read, then refused for its CSRF token


@pytest.fixture
def register_server(engine: Engine) -> Iterator[int]:
    """As `server`, with register uploads allowed up to 1 MB (JOINTAUDIT_REGISTER_MAX_MB)."""
    settings = Settings(max_body_bytes=LIMIT, register_max_mb=1)
    with served(create_app(settings, engine=engine)) as port:
        yield port


@pytest.mark.parametrize("path", ["/coordinator/register", "/api/v1/register"])
def test_a_register_upload_has_its_own_larger_limit(register_server: int, path: str) -> None:
    body = b"a" * (8 * LIMIT)  # over the general limit, within the register's
    connection = send_headers(
        register_server,
        "POST",
        path,
        {"Content-Type": "application/x-www-form-urlencoded", "Content-Length": str(len(body))},
    )
    connection.sendall(body)
    assert status_of(answer_of(connection)) in (303, 401, 403)  # read, then refused: no key


@pytest.mark.parametrize("path", ["/coordinator/register", "/api/v1/register"])
def test_a_register_upload_over_the_register_limit_is_refused(
    register_server: int, path: str
) -> None:
    connection = send_headers(
        register_server, "POST", path, {"Content-Type": "text/csv", "Content-Length": "2000000"}
    )
    assert status_of(answer_of(connection)) == 413


def test_other_paths_keep_the_general_limit_beside_the_register(register_server: int) -> None:
    connection = send_headers(
        register_server,
        "POST",
        "/coordinator/programme",
        {"Content-Type": "text/csv", "Content-Length": str(8 * LIMIT)},
    )
    assert status_of(answer_of(connection)) == 413
