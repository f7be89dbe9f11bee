"""One websocket connection: receive() events (server side), send() events (app side),
both driving the `WEBSOCKET` table; denial responses per the websocket.http.response
extension.

https://asgi.readthedocs.io/en/latest/specs/www.html#websocket
https://asgi.readthedocs.io/en/latest/extensions.html#websocket-denial-response
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from asgi_checks._conn import Connection, report_response_headers
from asgi_checks._headers import NO_HEADERS, scan
from asgi_checks._machines import WEBSOCKET, WEBSOCKET_DEFAULT, step
from asgi_checks._scope import spec_version

__all__ = ["WebSocketConnection"]

_DENIAL = "websocket.http.response"
# RFC 6455 7.4.1: 1005, 1006 and 1015 are never sent in a Close frame; 0-999 unused.
_NEVER_SENT = frozenset({1005, 1006, 1015})
_TEXT = {
    "A404": "websocket.connect missing or repeated",
    "A405": "websocket.receive delivered before the app accepted",
    "A408": "event delivered after websocket.disconnect",
    "A412": "{kind} sent before the app received websocket.connect",
    "A413": "websocket.send before websocket.accept",
    "A414": "websocket.accept sent twice",
    "A415": "{kind} sent after the app closed the connection",
    "A425": "{kind} out of order for a denial response",
}


class WebSocketConnection(Connection):
    __slots__ = ("connected", "extensions", "gone_midway", "send_failed", "spec", "warned_706")

    def __init__(self, sink: Any, scope: dict[str, Any], receive: Any, send: Any) -> None:
        super().__init__(sink, scope, receive, send, "wait")
        ext = scope.get("extensions")
        self.extensions: dict[str, Any] = ext if type(ext) is dict else {}
        self.spec = spec_version(scope, (2, 0))
        self.gone_midway = self.send_failed = self.warned_706 = self.connected = False

    def _step(self, event: str, kind: str) -> None:
        state = self.state
        self.state, code = step(WEBSOCKET, WEBSOCKET_DEFAULT, state, event)
        if code is not None:
            if event.startswith("r."):  # the server's mistake: does not mark the app's side broken
                self.report(code, _TEXT[code].format(kind=kind), observed=f"{kind} in state {state}", signature=state)
            else:
                self.flag(code, _TEXT[code].format(kind=kind), observed=f"{kind} in state {state}")

    async def receive(self) -> Any:
        msg = await self._receive()
        kind = self.check_shape(msg, incoming=True)
        if kind == "websocket.receive":
            if not _one_of(msg):
                self.report("A406", "websocket.receive must carry exactly one of bytes / text", observed=_payload(msg))
            self._step("r.receive", kind)
        elif kind == "websocket.connect":
            if not self.connected and self.state not in ("wait", "gone"):
                self.connected = True  # the app replied before receiving it: legal, state stays
            else:
                self.connected = True
                self._step("r.connect", kind)
        elif kind == "websocket.disconnect":
            code = msg.get("code")
            if not isinstance(code, int) or isinstance(code, bool):
                self.report(
                    "A407",
                    "websocket.disconnect code missing or not an int",
                    observed=repr(code)[:20],
                    signature="code",
                )
            reason = msg.get("reason")
            if reason is not None and type(reason) is not str:
                self.report(
                    "A407", "websocket.disconnect reason is not a str", observed=repr(reason)[:40], signature="reason"
                )
            elif reason and self.spec < (2, 5):
                self.report("A704", "websocket.disconnect reason on a server below spec 2.5", observed=f"{self.spec}")
            if self.state != "gone":
                self.gone_midway = True
            self._step("r.disconnect", kind)
        elif kind is not None:
            self.report("A403", "unexpected event type from receive()", observed=kind, signature=kind)
        return msg

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
        if self.gone_midway and not self.warned_706 and self.spec >= (2, 4):
            self.warned_706 = True
            self.report("A706", "send() returned normally after websocket.disconnect on a spec_version >= 2.4 server")

    def on_send(self, msg: Any) -> None:
        kind = self.check_shape(msg, incoming=False)
        if kind is None:
            return
        if kind == "websocket.send":
            if not _one_of(msg):
                self.report("A416", "websocket.send must carry exactly one of bytes / text", observed=_payload(msg))
            self._step("s.send", kind)
        elif kind == "websocket.accept":
            self._accept(msg)
            self._step("s.accept", kind)
        elif kind == "websocket.close":
            self._close(msg)
            self._step("s.close", kind)
        elif kind == "websocket.http.response.start" or kind == "websocket.http.response.body":
            if _DENIAL not in self.extensions:
                self.report(
                    "A601", f"{kind} sent but the scope does not advertise {_DENIAL}", observed=kind, signature=kind
                )
            self._step(self._denial(kind, msg), kind)
        elif kind not in self.extensions and kind.partition(".")[2] not in self.extensions:
            self.report(
                "A411", "unknown websocket event type", observed=kind, expected="websocket.send", signature=kind
            )

    def _accept(self, msg: dict[str, Any]) -> None:
        subprotocol = msg.get("subprotocol")
        if subprotocol is not None and type(subprotocol) is not str:
            self.report(
                "A417",
                "websocket.accept subprotocol is not a str",
                observed=repr(subprotocol)[:40],
                signature="subprotocol",
            )
        elif subprotocol is not None:
            offered = self.scope.get("subprotocols") or ()
            if isinstance(offered, Iterable) and subprotocol not in list(offered):
                self.report(
                    "A418", "accepted subprotocol was not offered", observed=subprotocol, expected=repr(offered)[:60]
                )
        headers = msg.get("headers")
        if headers is None:
            return
        result = scan(headers, http_chars=True)
        for problem in result.shape[:1]:
            self.report("A417", "websocket.accept headers malformed", observed=problem, signature="headers")
        report_response_headers(self, result, "websocket.accept", http_rules=True)
        if any(name.lower() == b"sec-websocket-protocol" for name, _ in result.pairs):
            self.report("A419", "sec-websocket-protocol in websocket.accept headers", expected="subprotocol key")
        if result.pairs and self.spec < (2, 1):
            self.report(
                "A701", "websocket.accept headers on a server below spec 2.1", observed=f"spec_version {self.spec}"
            )

    def _close(self, msg: dict[str, Any]) -> None:
        code = msg.get("code", 1000)
        if not isinstance(code, int) or isinstance(code, bool):
            self.report("A420", "websocket.close code is not an int", observed=repr(code)[:20], expected="1000")
        elif code < 1000 or code > 4999 or code in _NEVER_SENT:
            self.report(
                "A421",
                "websocket.close code may not be sent",
                observed=str(code),
                expected="1000-4999",
                signature=str(code),
            )
        reason = msg.get("reason")
        if reason is not None and type(reason) is not str:
            self.report("A422", "websocket.close reason is not a str", observed=repr(reason)[:40], signature="type")
        elif reason:
            if len(reason.encode("utf-8", "replace")) > 123:
                self.report(
                    "A422",
                    "websocket.close reason longer than 123 bytes",
                    observed=str(len(reason)),
                    signature="length",
                )
            if self.spec < (2, 3):
                self.report(
                    "A702", "websocket.close reason on a server below spec 2.3", observed=f"spec_version {self.spec}"
                )

    def _denial(self, kind: str, msg: dict[str, Any]) -> str:
        if kind.endswith(".start"):
            status = msg.get("status")
            if not isinstance(status, int) or isinstance(status, bool):
                self.report(
                    "A426", "denial status is missing or not an int", observed=repr(status)[:20], signature="status"
                )
            result = scan(msg.get("headers", NO_HEADERS), http_chars=True)
            for problem in result.shape[:1]:
                self.report("A426", "denial headers malformed", observed=problem, signature="headers")
            report_response_headers(self, result, "denial response", http_rules=True)
            return "s.deny_start"
        body = msg.get("body", b"")
        if type(body) is not bytes:
            self.report("A426", "denial body is not bytes", observed=type(body).__name__, signature="body")
        more = msg.get("more_body", False)
        if type(more) is not bool:
            self.report("A426", "denial more_body is not a bool", observed=repr(more)[:20], signature="more_body")
        return "s.deny_body" if more else "s.deny_end"

    def finish(self, failed: bool) -> None:
        """Nothing is owed at the end of a websocket: the server closes what is open."""


def _one_of(msg: dict[str, Any]) -> bool:
    data, text = msg.get("bytes"), msg.get("text")
    if data is not None and text is not None:
        return False
    if data is not None:
        return type(data) is bytes
    return type(text) is str


def _payload(msg: dict[str, Any]) -> str:
    return f"bytes={msg.get('bytes')!r:.30} text={msg.get('text')!r:.30}"
