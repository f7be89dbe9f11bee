"""A real WebSocket client over a plain socket, for the server checks: wsproto (sans-IO) for
the opening handshake, our own strict frames (``speccheck.client._frames``) after it.

``run_session(host, port, plan, extra_headers=..., timeout=...)`` performs the opening
handshake of a ``WebSocketPlan``, runs its actions (each message, whole or fragmented, then
waits for the probe's echo, each ping for its pong), ends with the plan's close or abort, and
returns a ``WsResult``: what the server answered at the handshake (status, headers,
subprotocol, what is wrong with a 101), every message received in order (fragments joined),
the server's close frame, the RFC 6455 rules its frames broke (then the client fails the
connection, 7.1.7), and whether anything timed out. Every wait is bounded by ``timeout`` and
the whole session by ``budget``.
"""

from __future__ import annotations

import base64
import hashlib
import itertools
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from wsproto import ConnectionType, WSConnection
from wsproto.connection import ConnectionState
from wsproto.events import AcceptConnection, Event, RejectConnection, RejectData, Request
from wsproto.utilities import LocalProtocolError, RemoteProtocolError

from speccheck.client._frames import (
    BINARY,
    CLOSE,
    CONT,
    PING,
    PONG,
    TEXT,
    FrameReader,
    close_payload,
    encode_frame,
    valid_close_code,
)
from speccheck.traffic import Abort, Close, Ping, SendBytes, SendText, WebSocketPlan

__all__ = ["WsResult", "check_handshake", "message_frames", "run_session"]

_GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"  # RFC 6455 1.3
_DRAIN = 0.3  # seconds to read on after the closing handshake, for frames after the close


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
    close_sent: bool = False  # our Close frame went out
    failed: bool = False  # we failed the connection (RFC 6455 7.1.7) over a server frame
    frame_errors: list[tuple[str, str]] = field(default_factory=list)  # (rule code, detail)
    handshake_problem: str = ""  # what is wrong with a 101 answer (4.2.2)

    @property
    def accepted(self) -> bool:
        return self.status == 101


class _Client:
    """wsproto for the opening handshake; after it, our own strict frames (``_frames``) both
    ways, so every server frame is judged and fragments can be sent on purpose."""

    def __init__(self, sock: socket.socket, timeout: float, budget_end: float) -> None:
        self.sock = sock
        self.ws = WSConnection(ConnectionType.CLIENT)
        self.timeout = timeout
        self.end = budget_end
        self.result = WsResult()
        self.eof = False
        self.key = b""
        self.head = bytearray()  # the bytes before the end of the handshake response head
        self.reader: FrameReader | None = None  # set once the handshake is accepted

    def send(self, event: Event) -> None:
        data = self.ws.send(event)
        if isinstance(event, Request):
            for line in data.split(b"\r\n"):
                name, _, value = line.partition(b":")
                if name.strip().lower() == b"sec-websocket-key":
                    self.key = value.strip()
        if data:
            self.sock.sendall(data)

    def frame(self, opcode: int, payload: bytes, *, fin: bool = True) -> None:
        self.sock.sendall(encode_frame(opcode, payload, fin=fin))

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
            if self.reader is not None:
                self.frames(data)
            else:
                self.handshake(data)
        return True

    def handshake(self, data: bytes) -> None:
        r = self.result
        self.head += data
        try:
            self.ws.receive_data(data or None)
            for event in self.ws.events():
                if isinstance(event, AcceptConnection):
                    r.status = 101
                    r.subprotocol = event.subprotocol
                    r.headers = [(bytes(n), bytes(v)) for n, v in event.extra_headers]
                    break
                if isinstance(event, RejectConnection):
                    r.status = event.status_code
                    r.headers = [(bytes(n), bytes(v)) for n, v in event.headers]
                elif isinstance(event, RejectData):
                    r.reject_body += event.data
        except (RemoteProtocolError, LocalProtocolError) as exc:
            r.error = r.error or f"handshake: {exc}"
            self.eof = True
        end = self.head.find(b"\r\n\r\n")
        if end >= 0 and not r.status and not r.handshake_problem:
            r.handshake_problem = check_handshake(bytes(self.head[:end]), self.key)
        if r.status == 101 and end >= 0:
            extensions = any(n.lower() == b"sec-websocket-extensions" for n, _ in r.headers)
            self.reader = FrameReader(extensions=extensions)
            self.frames(bytes(self.head[end + 4 :]))

    def frames(self, data: bytes) -> None:
        r, reader = self.result, self.reader
        assert reader is not None
        before = len(reader.problems)
        for event in reader.feed(data):
            if r.close_code is not None:
                continue  # after the close frame nothing more is delivered (S542 noted it)
            if event.kind in ("text", "bytes"):
                r.messages.append((event.kind, event.data))
            elif event.kind == "ping":
                self.frame(PONG, event.data)
            elif event.kind == "pong":
                r.pongs.append(event.data)
            elif event.kind == "close":
                r.close_code, r.close_reason = event.code, event.reason
                if not r.close_sent:
                    r.closed_by_server_first = True
                    code = event.code if event.code is not None and valid_close_code(event.code) else 1002
                    self.frame(CLOSE, close_payload(None if event.code == 1005 else code))
                    r.close_sent = True
        r.frame_errors += reader.problems[before:]
        if len(reader.problems) > before or reader.fatal:
            self.fail(reader.fatal or reader.problems[before][1])

    def fail(self, why: str) -> None:
        """_Fail the WebSocket Connection_ (RFC 6455 7.1.7): a Close frame (1007 for bad UTF-8,
        else 1002) if none was sent yet, then stop reading."""
        r = self.result
        r.failed = True
        r.error = r.error or f"protocol error: {why}"
        if not r.close_sent and not self.eof:
            code = 1007 if any(c == "S534" for c, _ in r.frame_errors) else 1002
            try:
                self.frame(CLOSE, close_payload(code))
            except OSError:
                pass
            r.close_sent = True
        self.eof = True


def check_handshake(head: bytes, key: bytes) -> str:
    """What is wrong with a 101 handshake response head (RFC 6455 4.2.2 item 5, 4.1), or ""
    (also "" for a refusal: any other status is judged against what the app did)."""
    lines = head.split(b"\r\n")
    parts = lines[0].split(b" ", 2)
    if len(parts) < 2 or parts[1] != b"101":
        return ""
    fields: dict[bytes, list[bytes]] = {}
    for line in lines[1:]:
        name, _, value = line.partition(b":")
        fields.setdefault(name.strip().lower(), []).append(value.strip())
    upgrade = b",".join(fields.get(b"upgrade", [])).lower()
    connection = [t.strip().lower() for v in fields.get(b"connection", []) for t in v.split(b",")]
    accept = fields.get(b"sec-websocket-accept", [])
    want = base64.b64encode(hashlib.sha1(key + _GUID).digest())
    if b"websocket" not in [t.strip() for t in upgrade.split(b",")]:
        return f"101 without Upgrade: websocket (got {upgrade!r})"
    if b"upgrade" not in connection:
        return f"101 without Connection: Upgrade (got {connection!r})"
    if accept != [want]:
        return f"Sec-WebSocket-Accept is {accept!r}, expected {want!r}"
    return ""


def _grown(client: _Client, items: list[Any], want: int) -> Callable[[], bool]:
    """Done when ``items`` (messages or pongs) reach ``want``, or the server closed."""
    return lambda: len(items) >= want or client.result.close_code is not None


ECHO = "an echoed message"  # what the client waits for after each send


def message_frames(action: SendText | SendBytes) -> list[tuple[int, bytes, bool]]:
    """``(opcode, payload, fin)`` of each frame that sends ``action``: one frame, or fragments
    cut at ``action.cuts`` (RFC 6455 5.4) with ``action.ping`` between the first two."""
    data = action.text.encode("utf-8") if isinstance(action, SendText) else action.data
    bounds = [0, *sorted(min(max(c, 0), len(data)) for c in action.cuts), len(data)]
    pieces = [data[a:b] for a, b in itertools.pairwise(bounds)]
    opcode = TEXT if isinstance(action, SendText) else BINARY
    out: list[tuple[int, bytes, bool]] = []
    for index, piece in enumerate(pieces):
        out.append((opcode if index == 0 else CONT, piece, index == len(pieces) - 1))
        if index == 0 and len(pieces) > 1 and action.ping is not None:
            out.append((PING, action.ping[:125], True))
    return out


def _send_message(client: _Client, action: SendText | SendBytes) -> None:
    for opcode, payload, fin in message_frames(action):
        client.frame(opcode, payload, fin=fin)
        client.result.pings += opcode == PING


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
                _send_message(client, action)
                sent += 1
                r.sent = sent
                if echo and not client.pump(ECHO, _grown(client, r.messages, sent)):
                    return r
                if action.cuts and action.ping is not None:
                    client.pump("a pong", _grown(client, r.pongs, r.pings), wait=pong_wait)
            elif isinstance(action, Ping):
                want = len(r.pongs) + 1
                client.frame(PING, action.payload)
                r.pings += 1
                client.pump("a pong", _grown(client, r.pongs, want), wait=pong_wait)
            elif isinstance(action, Close):
                client.frame(CLOSE, close_payload(action.code, action.reason))
                r.close_sent = True
                if client.pump("the server's close frame", lambda: r.close_code is not None):
                    client.pump("the end of the connection", lambda: False, wait=_DRAIN)
                return r
            elif isinstance(action, Abort):
                return r
        if r.close_code is None and not client.eof and not echo:
            client.pump("the server's close frame", lambda: r.close_code is not None)
        if r.close_code is not None and not client.eof:
            client.pump("the end of the connection", lambda: False, wait=_DRAIN)
        return r
    except OSError as exc:
        r.error = r.error or f"{type(exc).__name__}: {exc}"
        return r
    finally:
        try:
            sock.close()
        except OSError:
            pass
