"""The http extension events (extensions.rst): each handler checks one message and
returns the `HTTP_SEND` table event it stands for. Whether the extension is advertised
(A601) and whether the event comes at the right time (the table) is the connection's job.

https://asgi.readthedocs.io/en/latest/extensions.html
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from asgi_checks._conn import report_response_headers
from asgi_checks._headers import NO_HEADERS, scan
from speccheck._http import content_forbidden

if TYPE_CHECKING:
    from asgi_checks._http_conn import HTTPConnection

__all__ = ["closed_files", "debug", "early_hint", "pathsend", "push", "trailers", "zerocopy"]


def zerocopy(conn: HTTPConnection, msg: dict[str, Any]) -> str:
    conn.opaque = True
    file = msg.get("file")
    if not _has_fd(file):
        conn.report("A604", "zerocopysend file has no fileno()", observed=type(file).__name__, expected="file object")
    elif len(conn.files) < 8:
        conn.files.append(file)  # A613, at the end of the connection
    for key in ("offset", "count"):
        value = msg.get(key)
        if value is not None and (not isinstance(value, int) or isinstance(value, bool)):
            conn.report("A604", f"zerocopysend {key} is not an int", observed=repr(value)[:20], signature=key)
    more = conn.more(msg)
    return "s.zerocopy" if more else ("s.body_end_t" if conn.promised else "s.body_end")


def pathsend(conn: HTTPConnection, msg: dict[str, Any]) -> str:
    conn.opaque = True
    path = msg.get("path")
    if type(path) is not str or not os.path.isabs(path):
        conn.report("A605", "pathsend path is not an absolute str", observed=repr(path)[:60], expected="'/abs/file'")
    elif conn.state == "started":  # (in any other state the table reports the order)
        _pathsend_headers(conn, path)
    return "s.pathsend_t" if conn.promised else "s.pathsend"


def push(conn: HTTPConnection, msg: dict[str, Any]) -> str:
    if type(msg.get("path")) is not str:
        conn.report(
            "A603", "http.response.push path is not a str", observed=repr(msg.get("path"))[:40], signature="path"
        )
    if "headers" not in msg:
        conn.report("A603", "http.response.push has no headers", signature="headers")
    else:
        result = scan(msg["headers"])
        for problem in result.shape[:1]:
            conn.report("A603", "http.response.push headers malformed", observed=problem, signature="headers")
        report_response_headers(conn, result, "push", http_rules=False)
    return "s.push"


def early_hint(conn: HTTPConnection, msg: dict[str, Any]) -> str:
    links = msg.get("links")
    if isinstance(links, str | bytes) or not isinstance(links, Iterable) or not all(type(x) is bytes for x in links):
        conn.report("A607", "http.response.early_hint links is not an iterable of bytes", observed=repr(links)[:60])
    return "s.early_hint"


def trailers(conn: HTTPConnection, msg: dict[str, Any]) -> str:
    result = scan(msg.get("headers", NO_HEADERS), http_chars=True)
    for problem in result.shape[:1]:
        conn.report("A608", "http.response.trailers headers malformed", observed=problem, signature="headers")
    report_response_headers(conn, result, "trailer", http_rules=True)
    for name, _ in result.pairs:
        if name.lower() not in conn.trailer_names:
            # RFC 9110 6.6.2: "SHOULD generate a Trailer header field ... to indicate which fields might be present"
            text = name.decode("latin-1")
            conn.report(
                "A318", f"trailer field {text} not announced in the Trailer header", observed=text, signature=text
            )
    more = msg.get("more_trailers", False)
    if type(more) is not bool:
        conn.report("A608", "more_trailers is not a bool", observed=repr(more)[:20], signature="more_trailers")
    return "s.trailers" if more else "s.trailers_end"


def debug(conn: HTTPConnection, msg: dict[str, Any]) -> str:
    info = msg.get("info")
    if type(info) is not dict or not all(type(k) is str for k in info):
        conn.report("A609", "http.response.debug info is not a dict with str keys", observed=repr(info)[:60])
    return "s.debug"


def _pathsend_headers(conn: HTTPConnection, path: str) -> None:
    """extensions.rst Path Send: "The ASGI application itself is responsible to send the
    relevant headers in the Response Start message, like the Content-Type and
    Content-Length headers for the file to be sent." (ADVICE; no body: nothing owed)."""
    if content_forbidden(conn.status):
        return
    missing = [
        name
        for name, there in (("content-type", conn.typed), ("content-length", conn.declared is not None))
        if not there
    ]
    if missing:
        conn.report(
            "A610",
            f"pathsend response without {' and '.join(missing)}",
            observed=", ".join(missing),
            signature="missing:" + ",".join(missing),
        )
    elif conn.status != 206:  # a partial response declares the length of the part
        try:
            size = os.stat(path).st_size
        except OSError:
            return  # the server will answer for a missing file
        if size != conn.declared:
            conn.report(
                "A610",
                "pathsend response Content-Length is not the file's size",
                observed=str(conn.declared),
                expected=str(size),
                signature="size",
            )


def closed_files(conn: HTTPConnection) -> None:
    """extensions.rst Zero Copy Send: "the ASGI application itself should actively close
    the used file descriptor" (A613, opt-in: checked once the app has returned)."""
    for file in conn.files:
        if getattr(file, "closed", None) is False:
            conn.report(
                "A613",
                "a zerocopysend file is still open after the app returned",
                observed=repr(file)[:60],
                where=None,
            )
            return


def _has_fd(file: Any) -> bool:
    """An OS-level descriptor os.sendfile can use ("e.g. not BytesIO")."""
    try:
        return isinstance(file.fileno(), int)
    except (AttributeError, OSError, ValueError, TypeError):
        return False
