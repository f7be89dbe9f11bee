"""A small, fast, seeded generator of valid requests (RequestPlans) for server runs.

Used when ``speccheck.traffic`` has no ``sample_requests`` yet: every request it makes is
valid HTTP/1.1 (or 1.0), so a correct server must hand each one to the app unchanged.
"""

from __future__ import annotations

import itertools
import random
from urllib.parse import quote

from speccheck.traffic import RequestPlan

__all__ = ["sample_requests"]

_METHODS = ("GET",) * 6 + ("POST",) * 5 + ("PUT", "PUT", "DELETE", "PATCH", "OPTIONS", "HEAD", "HEAD")
_BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})
_UNRESERVED = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~"
_SUB_DELIMS = "!$&'()*+,;=:@"
_TEXTS = ("é", "日本", "a b", "ü/x", "%", "?", "#", "☃", "\x7f", "ß", "a+b", "€")
_TCHAR = "abcdefghijklmnopqrstuvwxyz0123456789-"
_VCHAR = "".join(chr(c) for c in range(0x21, 0x7F))


def _segment(rng: random.Random) -> str:
    roll = rng.random()
    if roll < 0.65:
        alphabet = _UNRESERVED if roll < 0.5 else _UNRESERVED + _SUB_DELIMS
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 10)))
        # "." and ".." are dot-segments a server may legally remove (RFC 3986 5.2.4)
        return text + "x" if not text.strip(".") else text
    if roll < 0.9:
        return quote(rng.choice(_TEXTS), safe="")
    # percent-encode plain characters too (decoders must handle both cases of hex digits)
    return "".join(f"%{ord(c):02{rng.choice('Xx')}}" for c in rng.choice(("abc", "A-Z", "_x")))


def _target(rng: random.Random) -> bytes:
    segments = [_segment(rng) for _ in range(rng.randint(0, 4))]
    path = "/" + "/".join(segments)
    if rng.random() < 0.15:
        path += "/"
    if rng.random() < 0.4:
        pairs = []
        for _ in range(rng.randint(0, 4)):
            key = "".join(rng.choice(_UNRESERVED) for _ in range(rng.randint(1, 6)))
            value = quote(rng.choice((*_TEXTS, "1", "x y", "")), safe="") if rng.random() < 0.5 else "v"
            pairs.append(f"{key}={value}")
        path += "?" + "&".join(pairs)
    return path.encode("ascii")


def _value(rng: random.Random) -> bytes:
    size = rng.randint(1, 40)
    chars = [rng.choice(_VCHAR + "  ") for _ in range(size)]
    text = "".join(chars).strip() or "v"
    raw = text.encode("ascii")
    if rng.random() < 0.05:
        raw += bytes([rng.randint(0x80, 0xFF)]) + b"x"
    return raw


def _headers(rng: random.Random) -> tuple[tuple[bytes, bytes], ...]:
    out: list[tuple[bytes, bytes]] = []
    for _ in range(rng.randint(0, 6)):
        name = "x-" + "".join(rng.choice(_TCHAR) for _ in range(rng.randint(1, 10)))
        if rng.random() < 0.08:
            name += "_u"
        if rng.random() < 0.3:
            name = name.title()
        value = _value(rng)
        out.append((name.encode(), value))
        if rng.random() < 0.15:
            out.append((name.encode(), _value(rng)))  # a duplicate: order and both values must survive
    if rng.random() < 0.2:
        out.append((b"Accept", b"text/html, */*;q=0.5"))
    return tuple(out)


def sample_request(rng: random.Random) -> RequestPlan:
    method = rng.choice(_METHODS)
    version = "1.0" if rng.random() < 0.04 else "1.1"
    headers = _headers(rng)
    body = b""
    framing: str = "content-length"
    chunks: tuple[int, ...] = ()
    if method in _BODY_METHODS:
        size = rng.choice((0, 1, rng.randint(2, 100), rng.randint(100, 3000)))
        body = rng.randbytes(size)
        if rng.random() < 0.5:
            headers += ((b"Content-Type", rng.choice((b"application/octet-stream", b"text/plain; charset=utf-8"))),)
        if version == "1.1" and body and rng.random() < 0.3:
            framing = "chunked"
            cuts = sorted({rng.randint(1, len(body)) for _ in range(rng.randint(0, 4))} - {len(body)})
            edges = [0, *cuts, len(body)]
            chunks = tuple(b - a for a, b in itertools.pairwise(edges) if b > a)
    return RequestPlan(
        method=method,
        target=_target(rng),
        headers=headers,
        body=body,
        framing=framing,  # type: ignore[arg-type]
        http_version=version,
        chunks=chunks,
    )


def sample_requests(n: int, seed: int) -> list[RequestPlan]:
    rng = random.Random(seed)
    return [sample_request(rng) for _ in range(n)]
