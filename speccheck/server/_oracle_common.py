"""What the request oracles share: the header lines a request carries, how header
findings are grouped, and the path normalisations servers may apply."""

from __future__ import annotations

import base64
from typing import Any

from speccheck.traffic import RequestPlan

__all__ = ["PROXY_HEADERS", "body_of", "grouped", "header_signature", "path_variants", "wire_headers"]


def wire_headers(req: RequestPlan) -> list[tuple[bytes, bytes]]:
    """Every header line the request carries, in order, as sent."""
    return [*req.framing_headers(), *req.headers]


# Field names common enough to get a finding of their own; any other name is folded
# into one finding per kind of damage, so random names do not flood the report.
_KNOWN = frozenset(
    b"host accept accept-encoding accept-language authorization cache-control cookie origin range referer "
    b"user-agent x-forwarded-for x-forwarded-host x-forwarded-proto forwarded x-request-id x-speccheck-id "
    b"x-speccheck-plan content-type content-length transfer-encoding".split()
)


def header_signature(name: bytes, values: list[str], what: str) -> str:
    """What makes two header findings distinct: the kind of field (a name with '_', a
    non-ASCII value, a duplicate) before its name, so one server habit is one finding
    however many random names the generator drew; a well-known name otherwise."""
    if b"_" in name:
        return f"name with '_' {what}"
    if any(ord(c) > 0x7E for v in values for c in v):
        return f"non-ASCII value {what}"
    if len(values) > 1:
        return f"duplicate field {what}"
    if name.lower() in _KNOWN:
        return f"{name.decode('latin-1').lower()} {what}"
    return f"other field {what}"


# Proxy headers a server may drop from an untrusted peer (waitress does by default): they
# would let any client spoof its address/scheme. PEP 3333's "should correspond" is a
# SHOULD, and this is the kind of valid reason RFC 2119 leaves room for.
PROXY_HEADERS = frozenset(
    b"forwarded x-forwarded-for x-forwarded-host x-forwarded-proto x-forwarded-port x-forwarded-by".split()
)


def grouped(headers: list[tuple[bytes, bytes]]) -> dict[bytes, list[bytes]]:
    out: dict[bytes, list[bytes]] = {}
    for name, value in headers:
        out.setdefault(name.lower(), []).append(value)
    return out


def body_of(obs: dict[str, Any]) -> bytes:
    return base64.b64decode(obs.get("body") or "")


def _remove_dot_segments(path: str) -> str:
    # RFC 3986 5.2.4
    out: list[str] = []
    for segment in path.split("/")[1:]:
        if segment == "..":
            if out:
                out.pop()
        elif segment != ".":
            out.append(segment)
    tail = "/" if path.endswith(("/.", "/..")) else ""
    return "/" + "/".join(out) + tail


def path_variants(path: str) -> set[str]:
    """The decoded path, plus the normalisations servers apply for safety and that we
    accept: leading "//" collapsed to "/" (CPython's http.server does it against open
    redirects) and dot-segments removed (RFC 3986 5.2.4)."""
    variants = {path, _remove_dot_segments(path)}
    if path.startswith("//"):
        collapsed = "/" + path.lstrip("/")
        variants |= {collapsed, _remove_dot_segments(collapsed)}
    return variants


# --- WSGI ---------------------------------------------------------------------------------
