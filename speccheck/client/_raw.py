"""A raw byte stream to a server for connection-level cases: send request bytes in any
split (a head now, its body later; several requests in one write), wait a bounded time
for the first bytes of an answer, and read responses one after another, each parsed
strictly by h11, keeping the bytes that follow for the next one.

Every wait is bounded; refused, reset, closed and timed-out connections are outcomes.
"""

from __future__ import annotations

import select
import socket
import time
from typing import Literal

import h11

from speccheck.client._wire import WireResponse, record_event

__all__ = ["Early", "RawStream"]

Early = Literal["1xx", "final", "nothing", "closed"]

_RECV = 65_536
_RAW_KEEP = 16_384


def _status_of(line: bytes) -> int | None:
    parts = line.split(b" ", 2)
    if len(parts) >= 2 and parts[0].startswith(b"HTTP/") and parts[1].isdigit() and len(parts[1]) == 3:
        return int(parts[1])
    return None


class RawStream:
    """One TCP connection; ``buf`` holds bytes received but not yet parsed."""

    def __init__(self, host: str, port: int, *, timeout: float = 5.0) -> None:
        self.sock = socket.create_connection((host, port), timeout=timeout)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buf = b""
        self.eof = False
        self.error = ""

    def close(self) -> None:
        try:
            self.sock.close()
        except OSError:
            pass

    def send(self, data: bytes) -> bool:
        """Send ``data``; False if the server has closed or reset the connection."""
        try:
            self.sock.sendall(data)
        except OSError as exc:
            self.error = f"send: {exc}"
            return False
        return True

    def _recv(self, wait: float) -> bool:
        """Receive what arrives within ``wait`` seconds into ``buf``; False on timeout or EOF."""
        if self.eof:
            return False
        try:
            ready, _, _ = select.select([self.sock], [], [], max(0.0, wait))
            if not ready:
                return False
            data = self.sock.recv(_RECV)
        except OSError as exc:
            self.error = f"recv: {exc}"
            self.eof = True
            return False
        if not data:
            self.eof = True
            return False
        self.buf += data
        return True

    def wait_early(self, wait: float) -> Early:
        """Wait up to ``wait`` seconds for the start of an answer to a request whose body
        is not sent yet: a complete 1xx head, the status line of a final response, EOF."""
        deadline = time.monotonic() + wait
        while True:
            if b"\r\n" in self.buf:
                status = _status_of(self.buf.split(b"\r\n", 1)[0])
                if status is not None and status >= 200:
                    return "final"
                if b"\r\n\r\n" in self.buf:
                    return "1xx" if status is not None else "final"  # garbage: let the parser judge it
            left = deadline - time.monotonic()
            if self.eof:
                return "closed" if not self.buf else "final"
            if left <= 0:
                return "nothing"
            self._recv(left)

    def stray(self, wait: float) -> bytes:
        """Bytes that arrive within ``wait`` seconds when no request is outstanding (plus
        any already buffered); they are consumed."""
        deadline = time.monotonic() + wait
        while not self.eof:
            left = deadline - time.monotonic()
            if left <= 0 or not self._recv(left):
                break
        out, self.buf = self.buf, b""
        return out

    def closed_by_peer(self, wait: float) -> bool:
        """True if the server closed (or reset) the connection within ``wait`` seconds."""
        deadline = time.monotonic() + wait
        while not self.eof:
            left = deadline - time.monotonic()
            if left <= 0 or not self._recv(left):
                break
        return self.eof

    def read_response(self, *, head: bool = False, timeout: float = 5.0, reused: bool = False) -> WireResponse:
        """Parse one response (1xx responses before it are collected in ``informational``),
        starting with the buffered bytes; the bytes after it stay in ``buf``."""
        started = time.monotonic()
        deadline = started + timeout
        conn = h11.Connection(h11.CLIENT)
        conn.send(h11.Request(method=b"HEAD" if head else b"GET", target=b"/", headers=[(b"host", b"speccheck")]))
        conn.send(h11.EndOfMessage())
        result = WireResponse("ok", reused=reused)
        raw_in = bytearray(self.buf[:_RAW_KEEP])
        if self.buf:
            conn.receive_data(self.buf)  # (empty bytes would tell h11 the connection ended)
        self.buf = b""
        fed_eof = False
        body = bytearray()
        while True:
            try:
                event = conn.next_event()
            except h11.RemoteProtocolError as exc:
                if fed_eof:
                    result.outcome = "closed"
                    result.error = f"connection closed {'before any response' if not raw_in else 'mid-response'}"
                else:
                    result.outcome = "invalid"
                    result.error = f"unparsable response: {exc}"
                break
            if event is h11.NEED_DATA:
                if self.eof:
                    if fed_eof:
                        result.outcome = "closed"
                        result.error = "connection closed before a complete response"
                        break
                    conn.receive_data(b"")
                    fed_eof = True
                    continue
                left = deadline - time.monotonic()
                if left <= 0:
                    result.outcome = "timeout"
                    result.error = f"no complete response within {timeout:g} s"
                    break
                before = len(self.buf)
                self._recv(left)
                data, self.buf = self.buf[before:], self.buf[:before]
                if data:
                    if len(raw_in) < _RAW_KEEP:
                        raw_in += data[: _RAW_KEEP - len(raw_in)]
                    conn.receive_data(data)
                continue
            if record_event(result, event, body):
                break
        if result.outcome == "closed" and self.error:
            result.error = self.error  # a reset: the recv error says so
        result.body = bytes(body)
        result.raw = bytes(raw_in)
        if result.outcome == "ok":
            leftover, _closed = conn.trailing_data
            self.buf = bytes(leftover)
            result.keep_alive = conn.their_state is h11.DONE and conn.our_state is h11.DONE
        result.elapsed = time.monotonic() - started
        return result
