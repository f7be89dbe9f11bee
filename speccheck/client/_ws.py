"""A real WebSocket client over a plain socket (wsproto, sans-IO), for the server checks.

``run_session(host, port, plan, extra_headers=..., timeout=...)`` performs the opening
handshake of a ``WebSocketPlan``, runs its actions (each message then waits for the
probe's echo, each ping for its pong), ends with the plan's close or abort, and returns a
``WsResult``: what the server answered at the handshake (status, headers, subprotocol),
every message received in order, the server's close frame, and whether anything timed
out. Every wait is bounded by ``timeout`` and the whole session by ``budget``.
"""

from __future__ import annotations

import socket
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from wsproto import ConnectionType, WSConnection
from wsproto.connection import ConnectionState
from wsproto.events import (
    AcceptConnection,
    BytesMessage,
    CloseConnection,
    Event,
    Pong,
    RejectConnection,
    RejectData,
    Request,
    TextMessage,
)
from wsproto.events import (
    Ping as PingEvent,
)
from wsproto.frame_protocol import CloseReason
from wsproto.utilities import LocalProtocolError, RemoteProtocolError

from speccheck.traffic import Abort, Close, Ping, SendBytes, SendText, WebSocketPlan

__all__ = ["WsResult", "run_session"]


@dataclass
class WsResult:
    """What the client saw. ``status`` is 101 for an accepted handshake, the HTTP status of
    a refusal, or 0 when no answer came; ``messages`` are ``("text"|"bytes", payload)``."""

    status: int = 0
    headers: list[tuple[bytes, bytes]] = field(default_factory=list)
    subprotocol: str | None = None
    messages: list[tuple[str, bytes]] = field(default_factory=list)
    pongs: list[bytes] = field(default_factory=list)
    close_code: int | None = None  # the server's close frame (1005: frame without a code)
    close_reason: str = ""
    closed_by_server_first: bool = False
    reject_body: bytes = b""
    pings: int = 0  # pings sent (each waits up to ``pong_wait`` for its pong)
    sent: int = 0  # data messages actually sent (fewer than planned when the session broke off)
    timed_out: str = ""  # what we were waiting for when the time ran out
    error: str = ""

    @property
    def accepted(self) -> bool:
        return self.status == 101


class _Client:
    def __init__(self, sock: socket.socket, timeout: float, budget_end: float) -> None:
        self.sock = sock
        self.ws = WSConnection(ConnectionType.CLIENT)
        self.timeout = timeout
        self.end = budget_end
        self.result = WsResult()
        self.eof = False
        self._partial: dict[str, bytearray] = {}

    def send(self, event: Event) -> None:
        data = self.ws.send(event)
        if data:
            self.sock.sendall(data)

    def pump(self, until: str, done: Callable[[], bool], wait: float | None = None) -> bool:
        """Read and handle events until ``done()`` is true; False on timeout or EOF. With
        ``wait`` (a shorter, optional wait) running out of time is not recorded as a hang."""
        limit = min(time.monotonic() + (self.timeout if wait is None else wait), self.end)
        while not done():
            if self.eof:
                return False
            left = limit - time.monotonic()
            if left <= 0:
                if wait is None:
                    self.result.timed_out = self.result.timed_out or until
                return False
            self.sock.settimeout(left)
            try:
                data = self.sock.recv(65536)
            except TimeoutError:
                continue
            except OSError as exc:
                self.result.error = self.result.error or f"{type(exc).__name__}: {exc}"
                self.eof = True
                return False
            if not data:
                self.eof = True
                self.ws.receive_data(None)
            else:
                self.ws.receive_data(data)
            self.handle()
        return True

    def handle(self) -> None:
        r = self.result
        try:
            for event in self.ws.events():
                if isinstance(event, AcceptConnection):
                    r.status = 101
                    r.subprotocol = event.subprotocol
                    r.headers = [(bytes(n), bytes(v)) for n, v in event.extra_headers]
                elif isinstance(event, RejectConnection):
                    r.status = event.status_code
                    r.headers = [(bytes(n), bytes(v)) for n, v in event.headers]
                elif isinstance(event, RejectData):
                    r.reject_body += event.data
                elif isinstance(event, (TextMessage, BytesMessage)):
                    kind = "text" if isinstance(event, TextMessage) else "bytes"
                    chunk = event.data.encode("utf-8") if isinstance(event.data, str) else bytes(event.data)
                    buf = self._partial.setdefault(kind, bytearray())
                    buf += chunk
                    if event.message_finished:
                        r.messages.append((kind, bytes(buf)))
                        del self._partial[kind]
                elif isinstance(event, PingEvent):
                    self.send(event.response())
                elif isinstance(event, Pong):
                    r.pongs.append(bytes(event.payload))
                elif isinstance(event, CloseConnection):
                    r.close_code = int(event.code)
                    r.close_reason = event.reason or ""
                    if self.ws.state is ConnectionState.REMOTE_CLOSING:
                        r.closed_by_server_first = True
                        self.send(event.response())
        except (RemoteProtocolError, LocalProtocolError) as exc:
            r.error = r.error or f"protocol error: {exc}"
            self.eof = True


def _grown(client: _Client, items: list[Any], want: int) -> Callable[[], bool]:
    """Done when ``items`` (messages or pongs) reach ``want``, or the server closed."""
    return lambda: len(items) >= want or client.result.close_code is not None


def run_session(
    host: str,
    port: int,
    plan: WebSocketPlan,
    *,
    extra_headers: tuple[tuple[bytes, bytes], ...] = (),
    timeout: float = 3.0,
    budget: float = 10.0,
    echo: bool = True,
    pong_wait: float = 1.0,
) -> WsResult:
    """Run one session against ``host:port``; never raises for network trouble."""
    end = time.monotonic() + budget
    try:
        sock = socket.create_connection((host, port), timeout=timeout)
    except OSError as exc:
        return WsResult(error=f"connect: {exc}")
    client = _Client(sock, timeout, end)
    r = client.result
    try:
        headers = [*plan.headers, *extra_headers]
        request = Request(
            host=f"{host}:{port}",
            target=plan.target.decode("latin-1"),
            extra_headers=headers,
            subprotocols=list(plan.subprotocols),
        )
        client.send(request)
        if not client.pump("the handshake answer", lambda: r.status != 0):
            return r
        if not r.accepted:
            if client.ws.state is ConnectionState.REJECTING:  # read the refusal's body to its end
                client.pump("the refusal body", lambda: client.ws.state is not ConnectionState.REJECTING)
            return r
        sent = 0
        for action in plan.actions:
            if r.close_code is not None or client.eof:
                break
            if isinstance(action, (SendText, SendBytes)):
                if isinstance(action, SendText):
                    client.send(TextMessage(data=action.text))
                else:
                    client.send(BytesMessage(data=action.data))
                sent += 1
                r.sent = sent
                if echo and not client.pump("an echoed message", _grown(client, r.messages, sent)):
                    return r
            elif isinstance(action, Ping):
                want = len(r.pongs) + 1
                client.send(PingEvent(payload=action.payload))
                r.pings += 1
                client.pump("a pong", _grown(client, r.pongs, want), wait=pong_wait)
            elif isinstance(action, Close):
                code = CloseReason.NO_STATUS_RCVD if action.code is None else action.code
                client.send(CloseConnection(code=code, reason=action.reason or None))
                client.pump("the server's close frame", lambda: r.close_code is not None)
                return r
            elif isinstance(action, Abort):
                return r
        if r.close_code is None and not client.eof and not echo:
            client.pump("the server's close frame", lambda: r.close_code is not None)
        return r
    except OSError as exc:
        r.error = r.error or f"{type(exc).__name__}: {exc}"
        return r
    finally:
        try:
            sock.close()
        except OSError:
            pass
