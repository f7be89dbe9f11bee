"""The request an environ describes, as an `Exchange` for reports."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

from speccheck._violations import Exchange

__all__ = ["exchange_from_environ"]

_HEADER_NAMES = {"CONTENT_TYPE": "Content-Type", "CONTENT_LENGTH": "Content-Length"}


def exchange_from_environ(environ: Any) -> Exchange:
    """The request an environ describes, as an `Exchange` for reports: method, target
    (quoted SCRIPT_NAME + PATH_INFO, then ``?`` + QUERY_STRING), headers rebuilt from
    ``HTTP_*`` / ``CONTENT_*`` and the body size. Never raises, whatever the environ holds."""
    if not isinstance(environ, Mapping):
        return Exchange(interface="wsgi")

    def text(key: str) -> str:
        value = environ.get(key, "")
        return value if type(value) is str else ""

    path = text("SCRIPT_NAME") + text("PATH_INFO")
    target = quote(path.encode("latin-1", "replace"), safe="/!$&'()*+,;=:@~") or "/"
    query = text("QUERY_STRING")
    if query:
        target += "?" + query
    headers: list[tuple[str, str]] = []
    for key, value in list(environ.items()):
        if type(key) is not str or type(value) is not str:
            continue
        if key.startswith("HTTP_"):
            headers.append(("-".join(part.capitalize() for part in key[5:].split("_")), value))
        elif key in _HEADER_NAMES and value:
            headers.append((_HEADER_NAMES[key], value))
    length = text("CONTENT_LENGTH")
    protocol = text("SERVER_PROTOCOL")
    return Exchange(
        interface="wsgi",
        method=text("REQUEST_METHOD"),
        target=target,
        http_version=protocol.partition("/")[2] or "1.1",
        headers=tuple(headers),
        body_size=int(length) if length.isdigit() and length.isascii() else None,
    )
