"""The loopback TCP proxy that the fault tests put in front of PostgreSQL and the mail servers."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator

import pytest

from tests.faults.tcp_proxy import TcpProxy


@pytest.fixture
def echo_port() -> Iterator[int]:
    """A TCP echo server on loopback."""
    server = socket.create_server(("127.0.0.1", 0))

    def serve(connection: socket.socket) -> None:
        with connection:
            try:
                while data := connection.recv(4096):
                    connection.sendall(data)
            except OSError:
                pass

    def accept() -> None:
        while True:
            try:
                connection, _ = server.accept()
            except OSError:
                return
            threading.Thread(target=serve, args=(connection,), daemon=True).start()

    threading.Thread(target=accept, daemon=True).start()
    yield server.getsockname()[1]
    server.close()


@pytest.fixture
def proxy(echo_port: int) -> Iterator[TcpProxy]:
    """A proxy in front of the echo server."""
    with TcpProxy(target_port=echo_port) as running:
        yield running


def _connect(proxy: TcpProxy) -> socket.socket:
    return socket.create_connection(("127.0.0.1", proxy.port), timeout=5)


def _echo(sock: socket.socket, data: bytes) -> bytes:
    sock.sendall(data)
    received = b""
    while len(received) < len(data):
        chunk = sock.recv(4096)
        if not chunk:
            break
        received += chunk
    return received


def _is_dead(sock: socket.socket) -> bool:
    """Whether the other side has closed or reset the connection."""
    try:
        sock.sendall(b"x")
        return sock.recv(1) == b""
    except OSError:
        return True


def _refused(proxy: TcpProxy) -> bool:
    """Whether a new connection fails at once or is reset before it relays anything."""
    try:
        sock = _connect(proxy)
    except OSError:
        return True
    with sock:
        return _is_dead(sock)


def test_the_proxy_relays_bytes_both_ways_on_several_connections(proxy: TcpProxy) -> None:
    with _connect(proxy) as first, _connect(proxy) as second:
        assert _echo(first, b"hello") == b"hello"
        assert _echo(second, b"x" * 200_000) == b"x" * 200_000
    assert proxy.accepted == 2


def test_a_cut_closes_every_live_connection(proxy: TcpProxy) -> None:
    with _connect(proxy) as first, _connect(proxy) as second:
        assert _echo(first, b"a") == b"a" and _echo(second, b"b") == b"b"
        proxy.cut()
        assert _is_dead(first) and _is_dead(second)


def test_while_cut_new_connections_are_reset_and_after_restore_they_work(
    proxy: TcpProxy,
) -> None:
    with proxy.down():
        assert proxy.is_cut
        assert _refused(proxy)
        assert _refused(proxy)
    assert not proxy.is_cut
    with _connect(proxy) as restored:
        assert _echo(restored, b"back") == b"back"


def test_a_dead_target_resets_the_client() -> None:
    with socket.create_server(("127.0.0.1", 0)) as unused:
        port = unused.getsockname()[1]
    with TcpProxy(target_port=port) as proxy:
        assert _refused(proxy)
