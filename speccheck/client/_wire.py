"""A strict HTTP/1.1 wire client: raw request bytes out, responses parsed with h11.

Requests go out byte-exact (nothing normalises the thing under test); responses are
parsed by h11 in the client role from the raw byte stream. A kept-alive connection is
reused, so bytes a server leaks after a HEAD/204/304 response or past a wrong
Content-Length show up as a broken next response (``WireResponse.reused`` tells the
caller to blame the previous exchange). Every read has a timeout; refused, reset,
closed and timed-out connections are outcomes, never exceptions.
"""

from __future__ import annotations

import select
import socket
import time
from dataclasses import dataclass, field
from typing import Literal

import h11

__all__ = ["Outcome", "WireConnection", "WireResponse", "record_event"]

Outcome = Literal["ok", "closed", "reset", "timeout", "refused", "invalid"]

_RAW_KEEP = 16_384
_RECV = 65_536


@dataclass(slots=True)
class WireResponse:
    outcome: Outcome
    status: int = 0
    reason: bytes = b""
    http_version: str = ""
    headers: list[tuple[bytes, bytes]] = field(default_factory=list)  # names as received
    body: bytes = b""
    informational: list[int] = field(default_factory=list)
    keep_alive: bool = False
    reused: bool = False  # sent on a connection that had already carried a response
    error: str = ""
    raw: bytes = b""  # the first bytes received, for reports
    trailing: bytes = b""  # bytes found after the response on a connection being closed
    elapsed: float = 0.0
    trailers: list[tuple[bytes, bytes]] = field(default_factory=list)  # chunked trailer section (RFC 9112 7.1.2)

    def header_values(self, name: bytes) -> list[bytes]:
        lower = name.lower()
        return [v for n, v in self.headers if n.lower() == lower]

    @property
    def complete(self) -> bool:
        return self.outcome == "ok"


def record_event(result: WireResponse, event: object, body: bytearray) -> bool:
    """Put one h11 event of a response into ``result`` (the content into ``body``); True
    when the response is over: complete, cut short by the peer, or paused after it."""
    if isinstance(event, h11.InformationalResponse):
        result.informational.append(event.status_code)
    elif isinstance(event, h11.Response):
        result.status = event.status_code
        result.reason = bytes(event.reason)
        result.http_version = event.http_version.decode("ascii", "replace")
        result.headers = [(bytes(n), bytes(v)) for n, v in event.headers.raw_items()]
    elif isinstance(event, h11.Data):
        body += event.data
    elif isinstance(event, h11.EndOfMessage):
        result.trailers = [(bytes(n), bytes(v)) for n, v in event.headers.raw_items()]
        return True
    elif isinstance(event, h11.ConnectionClosed):
        result.outcome = "closed"
        result.error = "connection closed before a complete response"
        return True
    return event is h11.PAUSED


class WireConnection:
    """One TCP connection to ``host:port``, reconnected on demand."""

    def __init__(self, host: str, port: int, *, timeout: float = 5.0) -> None:
        self.host = host
        self.port = port
        self.timeout = timeout
        self.sock: socket.socket | None = None
        self.used = 0  # responses read on the current socket

    def close(self) -> None:
        if self.sock is not None:
            try:
                self.sock.close()
            except OSError:
                pass
        self.sock = None
        self.used = 0

    def _connect(self) -> None:
        self.sock = socket.create_connection((self.host, self.port), timeout=self.timeout)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.sock.settimeout(self.timeout)
        self.used = 0

    def request(
        self, raw: bytes, *, head: bool = False, close: bool = False, drain: bool = False, timeout: float | None = None
    ) -> WireResponse:
        """Send ``raw`` and read one response. ``head``: the request is HEAD (no body
        expected); ``close``: the request asks for (or implies) closing the connection;
        ``drain``: when the connection ends, collect any bytes after the response."""
        retried = False
        while True:
            response = self._attempt(raw, head=head, close=close, drain=drain, timeout=timeout or self.timeout)
            # A kept-alive connection the server closed while idle: retry once, as clients do.
            if response.reused and response.outcome in ("closed", "reset") and not response.raw and not retried:
                retried = True
                continue
            return response

    def _attempt(self, raw: bytes, *, head: bool, close: bool, drain: bool, timeout: float) -> WireResponse:
        started = time.monotonic()
        deadline = started + timeout
        reused = self.sock is not None and self.used > 0
        if self.sock is None:
            try:
                self._connect()
            except ConnectionRefusedError as exc:
                return WireResponse("refused", error=str(exc), elapsed=time.monotonic() - started)
            except TimeoutError as exc:
                return WireResponse("timeout", error=f"connect: {exc}", elapsed=time.monotonic() - started)
            except OSError as exc:
                return WireResponse("refused", error=str(exc), elapsed=time.monotonic() - started)
        sock = self.sock
        assert sock is not None
        try:
            sock.sendall(raw)
        except OSError as exc:
            self.close()
            return WireResponse("reset", reused=reused, error=f"send: {exc}", elapsed=time.monotonic() - started)
        conn = h11.Connection(h11.CLIENT)
        fake = [(b"host", b"speccheck")] + ([(b"connection", b"close")] if close else [])
        conn.send(h11.Request(method=b"HEAD" if head else b"GET", target=b"/", headers=fake))
        conn.send(h11.EndOfMessage())
        result = WireResponse("ok", reused=reused)
        raw_in = bytearray()
        body = bytearray()
        got_any = False
        eof = False
        while True:
            try:
                event = conn.next_event()
            except h11.RemoteProtocolError as exc:
                # EOF before or in the middle of a response is a closed connection, not a malformed one.
                if eof:
                    result.outcome = "closed"
                    what = "before any response" if not got_any else f"mid-response ({exc})"
                    result.error = f"connection closed {what}"
                else:
                    result.outcome = "invalid"
                    result.error = f"unparsable response: {exc}"
                break
            if event is h11.NEED_DATA:
                left = deadline - time.monotonic()
                if left <= 0:
                    result.outcome = "timeout"
                    result.error = f"no complete response within {timeout:g} s"
                    break
                try:
                    sock.settimeout(left)
                    data = sock.recv(_RECV)
                except TimeoutError:
                    result.outcome = "timeout"
                    result.error = f"no complete response within {timeout:g} s"
                    break
                except OSError as exc:
                    result.outcome = "reset"
                    result.error = f"recv: {exc}"
                    break
                if len(raw_in) < _RAW_KEEP:
                    raw_in += data[: _RAW_KEEP - len(raw_in)]
                got_any = got_any or bool(data)
                eof = not data
                conn.receive_data(data)
                continue
            if record_event(result, event, body):
                break
        result.body = bytes(body)
        result.raw = bytes(raw_in)
        self.used += 1
        if result.outcome == "ok" and conn.our_state is h11.DONE and conn.their_state is h11.DONE and not close:
            result.keep_alive = True
            leftover, _closed = conn.trailing_data
            if leftover:
                # Bytes already here after a complete response: the next "response" would start with them.
                result.trailing = bytes(leftover)
                self.close()
                result.keep_alive = False
        else:
            if result.outcome == "ok" and drain:
                result.trailing = bytes(conn.trailing_data[0]) + self._drain(
                    min(0.5, max(0.05, deadline - time.monotonic()))
                )
            self.close()
        result.elapsed = time.monotonic() - started
        return result

    def _drain(self, wait: float) -> bytes:
        """Whatever arrives before EOF (bounded), on a connection about to be closed."""
        sock = self.sock
        if sock is None:
            return b""
        out = bytearray()
        deadline = time.monotonic() + wait
        while len(out) < _RAW_KEEP:
            left = deadline - time.monotonic()
            if left <= 0:
                break
            ready, _, _ = select.select([sock], [], [], left)
            if not ready:
                break
            try:
                data = sock.recv(_RECV)
            except OSError:
                break
            if not data:
                break
            out += data
        return bytes(out)

    def is_closed_by_peer(self, wait: float) -> bool | None:
        """True if the server closed the connection within ``wait`` seconds (EOF/reset),
        False if it is still open, None if there is no connection."""
        sock = self.sock
        if sock is None:
            return None
        deadline = time.monotonic() + wait
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                return False
            ready, _, _ = select.select([sock], [], [], left)
            if not ready:
                return False
            try:
                data = sock.recv(_RECV)
            except OSError:
                return True
            if not data:
                return True
