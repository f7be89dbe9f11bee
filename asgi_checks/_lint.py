"""`ASGILint`: ASGI middleware checking both sides of every connection it sees.

Usage::

    app = ASGILint(app, mode="collect")        # or "warn" (default) / "raise"
    starlette_app.add_middleware(ASGILint, mode="warn")
    ...
    lint.violations                            # every finding, deduplicated

Server-side findings come from the scope and from what receive() returns; app-side ones
from what the app passes to send() and from how its connection ends, with the app's own
``file:line``. In "raise" mode an app-side violation raises `AppSpecViolation` out of the
app's faulty ``await send(...)``; a server-side one raises `ServerSpecViolation` out of
``receive()`` (or before the app is called, for the scope).
"""

from __future__ import annotations

import functools
import inspect
import os
from collections.abc import Awaitable, Callable, Iterable, MutableMapping
from typing import Any

from asgi_checks._conn import ScopeReporter
from asgi_checks._http_conn import HTTPConnection
from asgi_checks._lifespan_conn import LifespanConnection
from asgi_checks._rules import RULE
from asgi_checks._scope import check_scope
from asgi_checks._ws_conn import WebSocketConnection
from speccheck._collector import Collector
from speccheck._location import code_location, register_internal_dir
from speccheck._sink import Mode, Sink
from speccheck._violations import Violation

__all__ = ["ASGILint"]

register_internal_dir(os.path.dirname(os.path.abspath(__file__)))

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Any]]
Send = Callable[[Any], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

_CONNECTIONS: dict[str, type[HTTPConnection] | type[WebSocketConnection] | type[LifespanConnection]] = {
    "http": HTTPConnection,
    "websocket": WebSocketConnection,
    "lifespan": LifespanConnection,
}
# The rules one connection of each type exercises (for reports that list passes too).
_GENERAL = frozenset(code for code in RULE if code.startswith("A1") and code not in ("A101", "A102"))
_SCOPE = frozenset(code for code in RULE if "A203" <= code <= "A216" and code != "A214") | {
    "A611",
    "A612",
    "A614",
    "A703",
    "A707",
}
_EXERCISED: dict[str, frozenset[str]] = {
    "http": frozenset(
        code
        for code in RULE
        if code.startswith(("A2", "A3", "H")) or code in _GENERAL or code in _SCOPE or "A601" <= code <= "A613"
    )
    | {"A706"},
    "websocket": frozenset(code for code in RULE if code.startswith("A4") or code in _GENERAL or code in _SCOPE)
    | {"A601", "A701", "A702", "A704", "A706"},
    "lifespan": frozenset(code for code in RULE if code.startswith("A5") or code in _GENERAL) | {"A705", "A707"},
}
_POSITIONAL = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)


class ASGILint:
    """Wrap ``app``; check the scope, every event in both directions and each
    connection's state machine. ``select`` / ``ignore`` take rule codes, prefixes or
    names ("A3,H101"); ``collector`` lets several lints share one record."""

    _asgi_single_callable = True  # asgiref.compatibility: this object is an ASGI3 app

    def __init__(
        self,
        app: Any,
        mode: Mode = "warn",
        select: str | Iterable[str] | None = None,
        ignore: str | Iterable[str] | None = None,
        collector: Collector | None = None,
    ) -> None:
        self.sink = Sink(mode, select, ignore, collector)
        self.seen: dict[str, int] = {"http": 0, "websocket": 0, "lifespan": 0, "other": 0}  # connections checked
        self.wrapped = app
        self.app: ASGIApp = self._adapt(app)

    @property
    def collector(self) -> Collector:
        return self.sink.collector

    @property
    def violations(self) -> list[Violation]:
        """Every finding so far, most serious first."""
        return self.sink.collector.violations()

    def __getattr__(self, name: str) -> Any:
        # Stay transparent: frameworks and servers poke at attributes of the app they host.
        if name.startswith("__") or name in ("wrapped", "app", "sink", "seen"):
            raise AttributeError(name)
        return getattr(self.wrapped, name)

    async def __call__(self, scope: Any, receive: Receive, send: Send) -> None:
        kind = scope.get("type") if type(scope) is dict else None
        factory = _CONNECTIONS.get(kind) if type(kind) is str else None
        if factory is None:
            # Not a dict or a protocol we do not know: check the scope, then stay out of the way.
            check_scope(scope, ScopeReporter(self.sink, scope).report)
            self.seen["other"] += 1
            await self.app(scope, receive, send)
            return
        conn = factory(self.sink, scope, receive, send)
        conn.app = self.wrapped
        check_scope(scope, conn.report)
        seen = self.seen[kind] = self.seen[kind] + 1  # type: ignore[index]
        if seen == 1:
            self.sink.collector.mark_checked(_EXERCISED[kind] & self.sink.enabled)  # type: ignore[index]
        try:
            await self.app(scope, conn.receive, conn.send)
        except BaseException:
            conn.finish(failed=True)
            raise
        conn.finish(failed=False)

    # -- wrap time ---------------------------------------------------------------------
    def _adapt(self, app: Any) -> ASGIApp:
        """Return an ASGI3 callable for ``app``, reporting legacy shapes (A101, A102)."""
        kind = _callable_kind(app)
        if kind == "single":
            return app  # type: ignore[no-any-return]
        where = code_location(app)
        reporter = ScopeReporter(self.sink, None)
        if kind == "double":
            reporter.report(
                "A101",
                "the application is an ASGI2 double callable",
                observed=_name(app),
                expected="async (scope, receive, send)",
                where=where,
            )

            async def run_double(scope: Any, receive: Receive, send: Send) -> None:
                instance = app(scope)
                await instance(receive, send)

            return run_double
        reporter.report(
            "A102",
            "the application is a sync callable",
            observed=_name(app),
            expected="async def app(scope, receive, send)",
            where=where,
        )

        async def run_sync(scope: Any, receive: Receive, send: Send) -> None:
            result = app(scope, receive, send)
            if inspect.isawaitable(result):
                await result

        return run_sync


def _name(app: Any) -> str:
    return getattr(app, "__qualname__", None) or type(app).__qualname__


def _is_async(fn: Any) -> bool:
    while isinstance(fn, functools.partial):
        fn = fn.func
    return inspect.iscoroutinefunction(fn) or getattr(fn, "_is_coroutine", None) is not None


def _callable_kind(app: Any) -> str:
    """ "single" (ASGI3 async callable), "double" (ASGI2) or "sync" (3 args, not async)."""
    if getattr(app, "_asgi_single_callable", False):
        return "single"
    if getattr(app, "_asgi_double_callable", False) or inspect.isclass(app):
        return "double"
    call = getattr(type(app), "__call__", None)  # noqa: B004 - the method itself, not callable()
    if _is_async(app) or _is_async(call):
        return "single"
    try:
        signature = inspect.signature(app)
    except (TypeError, ValueError):
        return "single"  # cannot tell: trust it
    params = signature.parameters.values()
    positional = [p for p in params if p.kind in _POSITIONAL]
    variadic = any(p.kind is inspect.Parameter.VAR_POSITIONAL for p in params)
    if len(positional) == 1 and not variadic:
        return "double"
    if len(positional) >= 3 or variadic:
        return "sync"
    return "single"


assert all(code in RULE for code in ("A101", "A102"))
