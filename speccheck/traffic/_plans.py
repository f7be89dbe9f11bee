"""Exchange plans: what a request is, independent of how it is delivered
(raw socket to a real server, in-process WSGI, in-process ASGI)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

__all__ = ["Framing", "RequestPlan"]

Framing = Literal["content-length", "chunked", "none"]


@dataclass(frozen=True, slots=True)
class RequestPlan:
    """One HTTP request, byte-exact.

    ``target`` is the raw request-target as it goes on the wire (path and query, already
    percent-encoded where the plan wants it). ``headers`` are in order with duplicates and
    exclude the framing headers (Host, Content-Length, Transfer-Encoding), which
    ``to_bytes`` adds from ``host`` and ``framing``; ``host=None`` leaves Host out.
    ``chunks`` is how the body is split: chunked framing sends one chunk each, in-process
    ASGI one ``http.request`` message each, WSGI short reads follow it. ``absolute=True``
    sends the target in absolute-form (``http://<host><target>``, RFC 9112 3.2.2), with the
    Host header's authority; ``raw_path`` and ``query_string`` stay those of the path.
    """

    method: str = "GET"
    target: bytes = b"/"
    headers: tuple[tuple[bytes, bytes], ...] = ()
    body: bytes = b""
    framing: Framing = "content-length"
    http_version: str = "1.1"
    host: bytes | None = b"127.0.0.1"
    chunks: tuple[int, ...] = ()  # sizes summing to len(body); empty = one piece
    absolute: bool = False

    @property
    def raw_path(self) -> bytes:
        return self.target.split(b"?", 1)[0]

    @property
    def query_string(self) -> bytes:
        parts = self.target.split(b"?", 1)
        return parts[1] if len(parts) == 2 else b""

    def body_pieces(self) -> list[bytes]:
        if not self.chunks:
            return [self.body] if self.body else []
        pieces, at = [], 0
        for size in self.chunks:
            pieces.append(self.body[at : at + size])
            at += size
        if at < len(self.body):
            pieces.append(self.body[at:])
        return pieces

    def framing_headers(self, host: bytes | None = None) -> list[tuple[bytes, bytes]]:
        out: list[tuple[bytes, bytes]] = []
        if self.host is not None:
            out.append((b"Host", host if host is not None else self.host))
        if self.framing == "content-length" and (self.body or self.method not in ("GET", "HEAD")):
            out.append((b"Content-Length", str(len(self.body)).encode()))
        elif self.framing == "chunked":
            out.append((b"Transfer-Encoding", b"chunked"))
        return out

    def to_bytes(self, host: bytes | None = None) -> bytes:
        """The request as it goes on the wire (HTTP/1.x)."""
        target = self.target
        if self.absolute:
            target = b"http://" + (host if host is not None else self.host or b"127.0.0.1") + target
        lines = [self.method.encode("latin-1") + b" " + target + b" HTTP/" + self.http_version.encode()]
        for name, value in self.framing_headers(host) + list(self.headers):
            lines.append(name + b": " + value)
        head = b"\r\n".join(lines) + b"\r\n\r\n"
        if self.framing == "chunked":
            body = b"".join(b"%x\r\n%s\r\n" % (len(p), p) for p in self.body_pieces() if p) + b"0\r\n\r\n"
            return head + body
        return head + self.body
