"""One http connection: checks every receive() result (server side) and every send()
event (app side), drives the `HTTP_RECEIVE` / `HTTP_SEND` tables, and applies the HTTP
rules H101-H109 to the response.

https://asgi.readthedocs.io/en/latest/specs/www.html#http
https://asgi.readthedocs.io/en/latest/extensions.html
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from asgi_checks import _http_ext
from asgi_checks._conn import Connection, report_response_headers
from asgi_checks._headers import NO_HEADERS, scan
from asgi_checks._machines import HTTP_RECEIVE, HTTP_SEND, http_send_error
from asgi_checks._scope import spec_version
from speccheck._http import CONNECTION_SPECIFIC, content_forbidden

__all__ = ["HTTPConnection"]

# ASGI lets the app send Transfer-Encoding ("the server must ignore it"), so that one
# connection-specific header is not H108 here.
# https://asgi.readthedocs.io/en/latest/specs/www.html#response-start-send-event
_CONNECTION_HEADERS = frozenset(CONNECTION_SPECIFIC - {"transfer-encoding"})
_CONNECTION_HEADERS_B = frozenset(h.encode() for h in _CONNECTION_HEADERS)
_LOWER_NAMES = frozenset({b"content-type", b"content-length", b"date", b"server", b"location", b"set-cookie", b"vary"})
_OPEN_STATES = frozenset({"fresh", "debugged", "started", "streaming"})
_TEXT = {
    "A311": "{kind} sent before http.response.start",
    "A312": "http.response.start sent twice",
    "A313": "{kind} sent after the response was complete",
    "A315": "http.response.trailers sent but http.response.start did not set trailers=True",
    "A317": "http.response.trailers sent before the body was complete",
    "A602": "{kind} sent at the wrong time",
    "A606": "http.response.pathsend sent after http.response.body content",
}


class HTTPConnection(Connection):
    __slots__ = (
        "declared",
        "extensions",
        "files",
        "gone",
        "gone_midway",
        "h101",
        "h103",
        "head",
        "opaque",
        "promised",
        "recv_state",
        "send_failed",
        "sent",
        "status",
        "trailer_names",
        "typed",
        "warned_706",
    )

    def __init__(self, sink: Any, scope: dict[str, Any], receive: Any, send: Any) -> None:
        super().__init__(sink, scope, receive, send, "fresh")
        self.recv_state = "request"
        ext = scope.get("extensions")
        self.extensions: dict[str, Any] = ext if type(ext) is dict else {}
        self.head = scope.get("method") == "HEAD"
        self.promised = False
        self.trailer_names: set[bytes] = set()
        self.status = 200
        self.declared: int | None = None
        self.typed = False  # a content-type header was sent (A610)
        self.files: list[Any] = []  # zerocopysend file objects (A613)
        self.sent = 0
        self.opaque = False  # zerocopysend / pathsend: byte count unknown
        self.h101 = self.h103 = False
        self.gone = self.gone_midway = self.send_failed = self.warned_706 = False

    # -- server side ---------------------------------------------------------------
    async def receive(self) -> Any:
        msg = await self._receive()
        kind = self.check_shape(msg, incoming=True)
        if kind == "http.request":
            body = msg.get("body")
            if body is not None and type(body) is not bytes:
                self.report("A222", "http.request body is not bytes", observed=type(body).__name__, expected="bytes")
            more = msg.get("more_body", False)
            if type(more) is not bool:
                self.report("A223", "http.request more_body is not a bool", observed=repr(more)[:20], expected="bool")
            event = "r.request" if more else "r.request_end"
        elif kind == "http.disconnect":
            event = "r.disconnect"
            self.gone = True
            if self.state in _OPEN_STATES:
                self.gone_midway = True
        elif kind is None:
            return msg
        else:
            self.report(
                "A221", "unexpected event type from receive()", observed=kind, expected="http.request", signature=kind
            )
            return msg
        self.recv_state, code = HTTP_RECEIVE[(self.recv_state, event)]
        if code is not None:
            self.report(code, f"{kind} delivered out of order", observed=f"{kind} after {self.recv_state}")
        return msg

    # -- app side ------------------------------------------------------------------
    async def send(self, msg: Any) -> None:
        self.invalid = False
        self.on_send(msg)
        try:
            await self._send(msg)
        except BaseException:
            self.send_failed = True
            raise
        if self.invalid:
            self.forwarded(msg)
        if self.gone_midway and not self.warned_706 and spec_version(self.scope, (2, 0)) >= (2, 4):
            # https://asgi.readthedocs.io/en/latest/specs/www.html#disconnected-client-send-exception
            self.warned_706 = True
            self.report("A706", "send() returned normally after http.disconnect on a spec_version >= 2.4 server")

    def on_send(self, msg: Any) -> None:
        kind = self.check_shape(msg, incoming=False)
        if kind is None:
            return
        handler = _HANDLERS.get(kind)
        if handler is None:
            if kind not in self.extensions and kind.partition(".")[2] not in self.extensions:
                self.report(
                    "A301", "unknown http event type", observed=kind, expected="http.response.start", signature=kind
                )
            return
        if kind in _EXTENSION_EVENTS and kind not in self.extensions:
            self.report("A601", f"{kind} sent but the scope does not advertise it", observed=kind, signature=kind)
        event = handler(self, msg)
        state = self.state
        found = HTTP_SEND.get((state, event))
        if found is None:
            code = http_send_error(state, event, self.promised)
            self.flag(
                code, _TEXT.get(code, "{kind} out of order").format(kind=kind), observed=f"{kind} in state {state}"
            )
            return
        self.state = found[0]
        if found[0] in ("done", "trailers") and state in ("started", "streaming"):
            self._check_length()

    def finish(self, failed: bool) -> None:
        if self.files and not failed:
            _http_ext.closed_files(self)
        if failed or self.gone or self.broken or self.send_failed:
            return
        if self.state in _OPEN_STATES:
            self.report(
                "A314", "the app returned before completing the response", observed=f"state {self.state}", where=None
            )
        elif self.state == "trailers":
            self.report("A316", "the app returned without sending the promised trailers", where=None)

    # -- event handlers: check the message, return the table event ---------------------
    def _start(self, msg: dict[str, Any]) -> str:
        status = msg.get("status")
        if not isinstance(status, int) or isinstance(status, bool):
            self.report(
                "A302",
                "http.response.start status is missing or not an int",
                observed=repr(status)[:30],
                expected="200",
            )
        else:
            self.status = status
            if not 100 <= status <= 599:
                self.report(
                    "H109", "status code out of range", observed=str(status), expected="100-599", signature=str(status)
                )
        result = scan(msg.get("headers", NO_HEADERS), http_chars=True)
        if result.shape:
            self.report("A303", "http.response.start headers malformed", observed=result.shape[0])
        if result.tuples or result.not_lower or result.pseudo or result.bad_name or result.bad_chars:
            report_response_headers(self, result, "response", http_rules=True)
        lengths: list[bytes] = []
        for name, value in result.pairs:
            lower = name if name in _LOWER_NAMES else name.lower()
            if lower in _CONNECTION_HEADERS_B:
                text = lower.decode("latin-1")
                self.report("H108", f"connection-specific header {text} set by the app", observed=text, signature=text)
            elif lower == b"content-length":
                lengths.append(value.strip())
            elif lower == b"content-type":
                self.typed = True
            elif lower == b"trailer":
                self.trailer_names.update(part.strip().lower() for part in value.split(b","))
        if lengths:
            self._content_length(lengths)
        trailers = msg.get("trailers", False)
        if type(trailers) is not bool:
            self.report(
                "A306", "http.response.start trailers is not a bool", observed=repr(trailers)[:20], expected="bool"
            )
        self.promised = trailers is True
        return "s.start"

    def _content_length(self, values: list[bytes]) -> None:
        if len(set(values)) > 1 or not values[0].isdigit():
            self.report(
                "H105", "invalid Content-Length", observed=b", ".join(values).decode("latin-1")[:40], expected="digits"
            )
        else:
            self.declared = int(values[0])
        if self.status < 200 or self.status == 204:
            self.report(
                "H104",
                f"Content-Length on a {self.status} response",
                observed=str(self.status),
                signature=str(self.status),
            )

    def _body(self, msg: dict[str, Any]) -> str:
        body = msg.get("body", b"")
        if type(body) is not bytes:
            self.report("A307", "http.response.body body is not bytes", observed=type(body).__name__, expected="bytes")
            body = b""
        more = msg.get("more_body", False)
        if more is not True and more is not False:
            more = self.more(msg)
        if body:
            self.count(len(body))
        return "s.body" if more else ("s.body_end_t" if self.promised else "s.body_end")

    def more(self, msg: dict[str, Any]) -> bool:
        more = msg.get("more_body", False)
        if type(more) is not bool:
            self.report("A308", f"{msg['type']} more_body is not a bool", observed=repr(more)[:20], expected="bool")
        return bool(more)

    def count(self, size: int) -> None:
        self.sent += size
        if not self.h101 and self.state != "fresh" and (content_forbidden(self.status) or self.head):
            self.h101 = True
            if content_forbidden(self.status):
                self.report(
                    "H101",
                    f"body bytes on a {self.status} response",
                    observed=f"{size} bytes",
                    signature=str(self.status),
                )
            else:
                self.report("H102", "body bytes on a HEAD response", observed=f"{size} bytes")
        declared = self.declared
        if declared is not None and not self.h103 and self.sent > declared and self._length_applies():
            self.h103 = True
            self.report(
                "H103", "more body bytes than Content-Length", observed=f">= {self.sent}", expected=str(declared)
            )

    def _length_applies(self) -> bool:
        return not (self.head or self.opaque or content_forbidden(self.status))

    def _check_length(self) -> None:
        declared = self.declared
        if declared is not None and not self.h103 and self.sent != declared and self._length_applies():
            self.h103 = True
            self.report(
                "H103", "body length differs from Content-Length", observed=str(self.sent), expected=str(declared)
            )


_HANDLERS: dict[str, Callable[[HTTPConnection, dict[str, Any]], str]] = {
    "http.response.start": HTTPConnection._start,
    "http.response.body": HTTPConnection._body,
    "http.response.zerocopysend": _http_ext.zerocopy,
    "http.response.pathsend": _http_ext.pathsend,
    "http.response.push": _http_ext.push,
    "http.response.early_hint": _http_ext.early_hint,
    "http.response.trailers": _http_ext.trailers,
    "http.response.debug": _http_ext.debug,
}
_EXTENSION_EVENTS = frozenset(set(_HANDLERS) - {"http.response.start", "http.response.body"})
