"""Building an `Exchange` (the reproducible description of a request) from a scope."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from speccheck._violations import Exchange

__all__ = ["exchange_from_scope"]

_MAX_HEADERS = 100


def exchange_from_scope(scope: Any, *, base_url: str = "") -> Exchange:
    """The `Exchange` for an ASGI scope; tolerant of every malformed scope (never raises)."""
    if not isinstance(scope, dict):
        return Exchange(interface="asgi", scope_type="?")
    kind = scope.get("type")
    kind = kind if isinstance(kind, str) else "?"
    if kind == "lifespan":
        return Exchange(interface="asgi", scope_type="lifespan")
    raw_path = scope.get("raw_path")
    if isinstance(raw_path, bytes):
        target = raw_path.decode("latin-1")
    else:
        path = scope.get("path")
        target = quote(path, safe="/:@!$&'()*+,;=-._~") if isinstance(path, str) else ""
    root = scope.get("root_path")
    if isinstance(root, str) and root and not target.startswith(root):
        target = quote(root, safe="/") + target
    query = scope.get("query_string")
    if isinstance(query, bytes) and query:
        target += "?" + query.decode("latin-1")
    headers: list[tuple[str, str]] = []
    raw_headers = scope.get("headers")
    if isinstance(raw_headers, list | tuple):
        for item in raw_headers[:_MAX_HEADERS]:
            if isinstance(item, list | tuple) and len(item) == 2 and all(isinstance(x, bytes) for x in item):
                headers.append((item[0].decode("latin-1"), item[1].decode("latin-1")))
    method = scope.get("method")
    version = scope.get("http_version")
    return Exchange(
        interface="asgi",
        scope_type=kind,
        method=method if isinstance(method, str) and kind == "http" else "",
        target=target,
        http_version=version if isinstance(version, str) else "1.1",
        headers=tuple(headers),
        base_url=base_url,
    )
