"""A loopback TCP proxy whose connections a test can cut and restore, like a network failure.

`TcpProxy(port=5432).start()` listens on 127.0.0.1 (a free port) and relays every connection
to the target, one thread per direction. `cut()` closes every live connection at once (both
sides, as a dropped link or a dead server looks to each) and, until `restore()`, resets each
new connection as soon as it arrives. The target itself is never touched: the shared
PostgreSQL server keeps running for everyone else.
"""

from __future__ import annotations

import socket
import struct
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from types import TracebackType
from typing import Self

CHUNK = 65536


def _reset(sock: socket.socket) -> None:
    """Close with an RST (SO_LINGER 0), waking any thread blocked on the socket first."""
    with suppress(OSError):
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    with suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)
    sock.close()


class TcpProxy:
    """Relays 127.0.0.1:`port` (chosen free) to `target_host`:`target_port`; cut and restore."""

    def __init__(self, *, target_port: int, target_host: str = "127.0.0.1") -> None:
        self.target = (target_host, target_port)
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port: int = self._listener.getsockname()[1]
        self._lock = threading.Lock()
        self._live: set[socket.socket] = set()
        self._cut = False
        self._closed = False
        self.accepted = 0
        self.dropped = 0
        self._thread = threading.Thread(target=self._accept_loop, daemon=True)

    @property
    def is_cut(self) -> bool:
        """Whether connections are being cut."""
        return self._cut

    def start(self) -> Self:
        """Accept connections in a background thread."""
        self._thread.start()
        return self

    def cut(self) -> None:
        """Close every live connection and reset new ones until `restore()`."""
        with self._lock:
            self._cut = True
            live, self._live = self._live, set()
        for sock in live:
            _reset(sock)

    def restore(self) -> None:
        """Relay new connections again."""
        with self._lock:
            self._cut = False

    @contextmanager
    def down(self) -> Iterator[None]:
        """Cut for the duration of the block, then restore."""
        self.cut()
        try:
            yield
        finally:
            self.restore()

    def close(self) -> None:
        """Stop accepting and close everything."""
        self._closed = True
        self.cut()
        _reset(self._listener)
        self._thread.join(timeout=5)

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        _type: type[BaseException] | None,
        _value: BaseException | None,
        _traceback: TracebackType | None,
    ) -> None:
        self.close()

    def _accept_loop(self) -> None:
        while not self._closed:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            if self._cut:
                self.dropped += 1
                _reset(client)
                continue
            self.accepted += 1
            threading.Thread(target=self._connect, args=(client,), daemon=True).start()

    def _connect(self, client: socket.socket) -> None:
        try:
            upstream = socket.create_connection(self.target, timeout=5)
        except OSError:
            _reset(client)
            return
        upstream.settimeout(None)
        for sock in (client, upstream):
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        with self._lock:
            if self._cut:  # cut while we were connecting
                _reset(client)
                _reset(upstream)
                return
            self._live.update((client, upstream))
        threading.Thread(target=self._pump, args=(upstream, client), daemon=True).start()
        self._pump(client, upstream)

    def _pump(self, source: socket.socket, sink: socket.socket) -> None:
        """Copy bytes one way until either side closes; then close both."""
        try:
            while data := source.recv(CHUNK):
                sink.sendall(data)
        except OSError:
            pass
        with self._lock:
            mine = source in self._live or sink in self._live
            self._live.discard(source)
            self._live.discard(sink)
        if mine:
            for sock in (source, sink):
                with suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)
                sock.close()
