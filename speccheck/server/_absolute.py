"""Absolute-form requests the server refused (rule S119).

RFC 9112 3.2.2: "A server MUST accept the absolute-form in requests even though most
HTTP/1.1 clients will only send the absolute-form to a proxy." A generated request can
be refused for reasons of its own (a long target, an odd method), so a refusal counts
only when the same request in origin-form, sent right after on a fresh connection,
reaches the app.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

from speccheck.client import WireConnection, WireResponse
from speccheck.server._findings import Finding
from speccheck.server._plans import ID_HEADER
from speccheck.traffic import RequestPlan

__all__ = ["refused_absolute"]

Observe = Callable[[str, bool], "dict[str, Any] | None"]


def refused_absolute(
    req: RequestPlan,
    resp: WireResponse,
    from_probe: bool,
    ident: str,
    host: str,
    port: int,
    timeout: float,
    observe: Observe,
) -> list[Finding]:
    """An S119 finding when ``req`` (absolute-form, ids already in its headers) got a
    4xx/5xx from the server itself while its origin-form twin reaches the app."""
    if not req.absolute or from_probe or resp.outcome != "ok" or resp.status < 400:
        return []
    twin_id = f"{ident}o"
    headers = tuple((n, twin_id.encode() if n == ID_HEADER.encode() else v) for n, v in req.headers)
    twin = replace(req, absolute=False, headers=headers)
    conn = WireConnection(host, port, timeout=timeout)
    try:
        answer = conn.request(twin.to_bytes(), head=twin.method == "HEAD", close=True, timeout=timeout)
    finally:
        conn.close()
    reached = answer.outcome == "ok" and answer.header_values(ID_HEADER.encode()) == [twin_id.encode()]
    if not reached or observe(twin_id, True) is None:
        return []
    return [
        Finding(
            "S119",
            f"a request in absolute-form was refused with {resp.status}; the same request in origin-form was served",
            f"{resp.status} for http://{(req.host or b'').decode('latin-1')}{req.target.decode('latin-1')[:60]}",
            "the request accepted, as in origin-form",
            signature="refused",
        )
    ]
