"""What every per-connection checker shares: the scope, the sink and one way to report."""

from __future__ import annotations

from typing import Any

from asgi_checks._exchange import exchange_from_scope
from asgi_checks._headers import HeaderScan
from asgi_checks._rules import RULE
from asgi_checks._values import problems
from speccheck._location import app_location, code_location
from speccheck._rules import Side
from speccheck._sink import Sink
from speccheck._violations import Exchange, Location

__all__ = ["INVALID_EVENT", "Connection", "ScopeReporter", "app_code_location", "report_response_headers"]

# Findings that make an event invalid in the sense of asgi.rst "Error Handling" ("missing
# keys an event type should have, or with wrong Python types"): the server should raise.
INVALID_EVENT = frozenset({"A111", "A302", "A303", "A307", "A416"})

_APP_VALUE_RULES = {"type": "A112", "int": "A113", "float": "A114", "key": "A115", "tuple": "A116"}
# Keys of app events that a dedicated check covers instead of the generic value walk:
# header lists (shape, tuples), the zerocopysend file object (extensions.rst: "file
# descriptor object") and the debug info (extensions.rst: "info (Dict[Unicode string, Any])").
_CHECKED_ELSEWHERE = {
    "http.response.start": "headers",
    "http.response.push": "headers",
    "http.response.trailers": "headers",
    "websocket.accept": "headers",
    "websocket.http.response.start": "headers",
    "http.response.zerocopysend": "file",
    "http.response.debug": "info",
}
_VALUE_WORDS = {
    "type": "a value of a type events may not carry",
    "int": "an integer outside the signed 64-bit range",
    "float": "a NaN or infinite float",
    "key": "a dict key that is not a str",
    "tuple": "a tuple (the spec asks for lists)",
}


class ScopeReporter:
    """Reports against one scope; the exchange is built only when something is reported."""

    __slots__ = ("_exchange", "app", "invalid", "scope", "sink")

    def __init__(self, sink: Sink, scope: Any) -> None:
        self.sink = sink
        self.scope = scope
        self.app: Any = None  # the wrapped app: where app findings point once it has returned
        self._exchange: Exchange | None = None
        self.invalid = False  # an event of the wrong shape was seen (for A108)

    def exchange(self) -> Exchange:
        if self._exchange is None:
            self._exchange = exchange_from_scope(self.scope)
        return self._exchange

    def report(
        self,
        code: str,
        message: str,
        *,
        observed: str = "",
        expected: str = "",
        signature: str = "",
        where: Location | bool | None = True,
    ) -> None:
        """Report ``code``; app-side findings get the app's source line unless ``where``
        is a `Location` (given) or None (the app is not on the stack, e.g. after it
        returned: then the app's own code location, where it is defined)."""
        if code in INVALID_EVENT:
            self.invalid = True
        if code not in self.sink.enabled:
            return
        rule = RULE[code]
        location = (app_location() if rule.side is Side.APP else None) if where is True else where or None
        if where is None and rule.side is Side.APP and self.app is not None:
            location = app_code_location(self.app)
        self.sink.report(
            rule,
            message,
            observed=observed,
            expected=expected,
            exchange=self.exchange(),
            location=location,
            signature=signature or message,
        )


class Connection(ScopeReporter):
    """Base of the http / websocket / lifespan checkers (`receive` and `send` wrappers)."""

    __slots__ = ("_receive", "_send", "broken", "state")

    def __init__(self, sink: Sink, scope: dict[str, Any], receive: Any, send: Any, state: str) -> None:
        super().__init__(sink, scope)
        self._receive = receive
        self._send = send
        self.state = state
        self.broken = False  # an order violation was reported: skip the end-of-connection checks

    def flag(self, code: str | None, message: str, *, observed: str = "", expected: str = "") -> None:
        """Report a state machine violation (``code`` from a table; None = legal)."""
        if code is not None:
            self.broken = True
            self.report(code, message, observed=observed, expected=expected, signature=f"{self.state}:{observed}")

    def forwarded(self, msg: Any) -> None:
        """After the server's send() returned normally: A108 if the event was invalid.
        https://asgi.readthedocs.io/en/latest/specs/main.html#error-handling"""
        if self.invalid:
            self.invalid = False
            kind = msg.get("type") if type(msg) is dict else type(msg).__name__
            self.report("A108", "send() accepted an invalid event without raising", observed=str(kind)[:60])

    def check_shape(self, msg: Any, *, incoming: bool) -> str | None:
        """Dict with a str type and only allowed value types; returns the type or None."""
        if type(msg) is not dict or type(msg.get("type")) is not str:
            if incoming:
                self.report(
                    "A121", "receive() returned a malformed event", observed=repr(msg)[:80], expected="{'type': ...}"
                )
            else:
                self.report("A111", "send() got a malformed event", observed=repr(msg)[:80], expected="{'type': ...}")
            return None
        kind: str = msg["type"]
        found = problems(msg, "" if incoming else _CHECKED_ELSEWHERE.get(kind, ""))
        if not found:
            return kind
        for what, path, value in found:
            code = ("A123" if what == "tuple" else "A122") if incoming else _APP_VALUE_RULES[what]
            self.report(
                code,
                f"{kind} carries {_VALUE_WORDS[what]} at {path}",
                observed=repr(value)[:60],
                signature=f"{kind}:{path}:{what}",
            )
        return kind


def app_code_location(app: Any) -> Location | None:
    """Where ``app`` is defined: its function, its class's ``__call__``, or (for an ASGI2
    class) the ``__call__`` of the instances it makes."""
    return code_location(app) or code_location(getattr(app, "__call__", None))  # noqa: B004 - the method


def report_response_headers(conn: ScopeReporter, result: HeaderScan, what: str, *, http_rules: bool) -> None:
    """A116/A304/A305 (+ H106/H107 with ``http_rules``) for an already scanned header list."""
    if result.tuples:
        conn.report("A116", f"{what} headers given as tuples (the spec asks for lists)", signature=f"{what}:headers")
    for name in result.not_lower[:3]:
        text = name.decode("latin-1")
        conn.report("A304", f"{what} header name not lowercased", observed=text, expected=text.lower(), signature=text)
    for name in result.pseudo[:3]:
        text = name.decode("latin-1")
        conn.report("A305", f"pseudo-header in {what}", observed=text, signature=text)
    if http_rules:
        for name in result.bad_name[:3]:
            text = name.decode("latin-1")
            conn.report("H106", f"{what} header name is not a token", observed=repr(text), signature=text)
        for name in result.bad_chars[:3]:
            text = name.decode("latin-1")
            conn.report(
                "H107", f"control character in the value of {what} header {text}", observed=text, signature=text
            )
