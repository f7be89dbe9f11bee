"""RFC 6455 frames, strictly: ``encode_frame()`` writes one frame, ``FrameReader`` reads the
frames a server sends and notes every rule they break (as a ``(code, detail)`` problem).

The reader is what the WebSocket client (``speccheck.client._ws``) sees after the opening
handshake; it only judges the server's frames, so a problem is never caused by our client.
Codes are the S533-S543 rules of ``speccheck.server._ws_rules``.
"""

from __future__ import annotations

import os
import struct
from dataclasses import dataclass, field

__all__ = ["BINARY", "CLOSE", "CONT", "PING", "PONG", "TEXT", "FrameReader", "WsEvent", "close_payload", "encode_frame"]

CONT, TEXT, BINARY, CLOSE, PING, PONG = 0x0, 0x1, 0x2, 0x8, 0x9, 0xA
_KNOWN = frozenset({CONT, TEXT, BINARY, CLOSE, PING, PONG})


def encode_frame(opcode: int, payload: bytes, *, fin: bool = True, mask: bool = True, rsv: int = 0) -> bytes:
    """One frame; ``mask`` for a client ("a client MUST mask all frames", RFC 6455 5.1)."""
    head = bytearray([(0x80 if fin else 0) | (rsv & 0x7) << 4 | opcode & 0xF])
    bit = 0x80 if mask else 0
    size = len(payload)
    if size < 126:
        head.append(bit | size)
    elif size < 1 << 16:
        head += bytes([bit | 126]) + struct.pack("!H", size)
    else:
        head += bytes([bit | 127]) + struct.pack("!Q", size)
    if not mask:
        return bytes(head) + payload
    key = os.urandom(4)
    return bytes(head) + key + _unmask(key, payload)


def close_payload(code: int | None, reason: str = "") -> bytes:
    """A Close frame's body: nothing, or the 2-byte code and the UTF-8 reason (5.5.1)."""
    return b"" if code is None else struct.pack("!H", code) + reason.encode("utf-8")


def _unmask(key: bytes, data: bytes) -> bytes:
    if not data:
        return b""
    whole = (key * (len(data) // 4 + 1))[: len(data)]
    return (int.from_bytes(data, "big") ^ int.from_bytes(whole, "big")).to_bytes(len(data), "big")


def valid_close_code(code: int) -> bool:
    """Whether an endpoint may put ``code`` in a Close frame: 1000-4999 (the ranges RFC 6455
    7.4.2 defines; 0-999 "are not used") except 1005, 1006 and 1015, which "MUST NOT be set as
    a status code in a Close control frame by an endpoint" (7.4.1). Reserved but unassigned
    codes (1004, 1016-2999) are not judged: a later specification may assign them."""
    return 1000 <= code <= 4999 and code not in (1005, 1006, 1015)


@dataclass(frozen=True, slots=True)
class WsEvent:
    """``kind``: text | bytes (a whole message) | ping | pong | close (``code`` 1005 for none)."""

    kind: str
    data: bytes = b""
    code: int | None = None
    reason: str = ""


@dataclass
class FrameReader:
    """Reads server frames from a byte stream (``feed``) into ``WsEvent``s; ``problems`` are the
    rules broken, in order. ``extensions``: an extension was negotiated (RSV bits then legal)."""

    extensions: bool = False
    problems: list[tuple[str, str]] = field(default_factory=list)
    fatal: str = ""  # the stream can no longer be parsed
    closed: bool = False  # a Close frame was read
    _buf: bytearray = field(default_factory=bytearray)
    _kind: str = ""  # the fragmented message in progress: text | bytes | ""
    _parts: bytearray = field(default_factory=bytearray)

    def _problem(self, code: str, detail: str) -> None:
        self.problems.append((code, detail))

    def feed(self, data: bytes) -> list[WsEvent]:
        self._buf += data
        out: list[WsEvent] = []
        while not self.fatal:
            frame = self._next()
            if frame is None:
                break
            event = self._frame(*frame)
            if event is not None:
                out.append(event)
        return out

    def split(self, data: bytes) -> list[tuple[bool, int, int, bool, bytes]]:
        """The raw frames completed by ``data``, unmasked and not judged: ``(fin, rsv, opcode,
        masked, payload)`` (for a server-side reader, e.g. a test fixture)."""
        self._buf += data
        out = []
        while (frame := self._next()) is not None:
            out.append(frame)
        return out

    def _next(self) -> tuple[bool, int, int, bool, bytes] | None:
        buf = self._buf
        if len(buf) < 2:
            return None
        fin, rsv, opcode = bool(buf[0] & 0x80), buf[0] >> 4 & 0x7, buf[0] & 0xF
        masked, size, at = bool(buf[1] & 0x80), buf[1] & 0x7F, 2
        if size == 126:
            if len(buf) < 4:
                return None
            size, at = struct.unpack("!H", buf[2:4])[0], 4
        elif size == 127:
            if len(buf) < 10:
                return None
            size, at = struct.unpack("!Q", buf[2:10])[0], 10
            if size >> 63:  # 5.2: "the most significant bit MUST be 0"
                self.fatal = "a 64-bit frame length with its top bit set"
                return None
        key = b""
        if masked:
            if len(buf) < at + 4:
                return None
            key, at = bytes(buf[at : at + 4]), at + 4
        if len(buf) < at + size:
            return None
        payload = bytes(buf[at : at + size])
        del buf[: at + size]
        return fin, rsv, opcode, masked, _unmask(key, payload) if masked else payload

    def _frame(self, fin: bool, rsv: int, opcode: int, masked: bool, payload: bytes) -> WsEvent | None:
        name = f"opcode {opcode:#x}"
        if self.closed and opcode in (CONT, TEXT, BINARY):
            # 5.5.1: "The application MUST NOT send any more data frames after sending a Close frame."
            self._problem("S542", f"a data frame ({name}, {len(payload)} bytes) after its Close frame")
        if masked:
            # 5.1: "A server MUST NOT mask any frames that it sends to the client."
            self._problem("S533", f"a masked frame ({name})")
        if rsv and not self.extensions:
            # 5.2: "MUST be 0 unless an extension is negotiated that defines meanings for non-zero values."
            self._problem("S539", f"reserved bits {rsv:#05b} set on a frame ({name}), no extension negotiated")
        if opcode not in _KNOWN:
            # 5.2: "If an unknown opcode is received, the receiving endpoint MUST _Fail the WebSocket Connection_."
            self._problem("S540", f"a frame with the reserved {name}")
            return None
        if opcode >= CLOSE:
            # 5.5: "All control frames MUST have a payload length of 125 bytes or less and MUST NOT be fragmented."
            if len(payload) > 125:
                self._problem("S537", f"a control frame ({name}) with a {len(payload)}-byte payload")
            if not fin:
                self._problem("S538", f"a control frame ({name}) with FIN clear")
            return self._control(opcode, payload)
        if opcode == CONT and not self._kind:
            # 5.4: a fragmented message is "a single frame with the FIN bit clear and an opcode other
            # than 0, followed by zero or more frames with the FIN bit clear and the opcode set to 0"
            self._problem("S541", "a continuation frame with no fragmented message in progress")
            return None
        if opcode != CONT and self._kind:
            self._problem("S541", f"a new data frame ({name}) inside a fragmented message")
            self._kind, self._parts = "", bytearray()
        if opcode != CONT:
            self._kind = "text" if opcode == TEXT else "bytes"
        self._parts += payload
        if not fin:
            return None
        kind, data = self._kind, bytes(self._parts)
        self._kind, self._parts = "", bytearray()
        if kind == "text":
            # 5.6: "the whole message MUST contain valid UTF-8"; 8.1.
            try:
                data.decode("utf-8")
            except UnicodeDecodeError as exc:
                self._problem("S534", f"a text message that is not UTF-8 ({exc.reason} at byte {exc.start})")
                return None  # not a text message at all: nothing is delivered
        return WsEvent(kind, data)

    def _control(self, opcode: int, payload: bytes) -> WsEvent | None:
        if opcode == PING:
            return WsEvent("ping", payload)
        if opcode == PONG:
            return WsEvent("pong", payload)
        self.closed = True
        if not payload:
            return WsEvent("close", code=1005)
        if len(payload) == 1:
            # 5.5.1: "the first two bytes of the body MUST be a 2-byte unsigned integer"
            self._problem("S535", "a Close frame with a 1-byte body")
            return WsEvent("close", code=1005)
        code = struct.unpack("!H", payload[:2])[0]
        if not valid_close_code(code):
            self._problem("S535", f"a Close frame with the code {code}")
        try:
            reason = payload[2:].decode("utf-8")
        except UnicodeDecodeError:
            # 5.5.1: "Following the 2-byte integer, the body MAY contain UTF-8-encoded data"
            self._problem("S536", f"a Close frame whose reason is not UTF-8: {payload[2:42]!r}")
            reason = payload[2:].decode("utf-8", "replace")
        return WsEvent("close", code=code, reason=reason)
