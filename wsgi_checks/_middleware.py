"""`check_middleware`: a lint on both sides of a WSGI middleware (W401-W405).

https://peps.python.org/pep-3333/#middleware-handling-of-block-boundaries

The sandwich, per delivery::

    driver (a strict server) -> WSGILint (above) -> middleware -> WSGILint (below) -> probe app

The lint above checks the middleware as an application (W5xx, W6xx); the lint below
checks it as the server of the application under it (W1xx-W3xx). The middleware rules
need the two views together: how many values the middleware took from the iterable
below during each step the driver took from the iterable above, whether it returned
before consuming the one below, what reached the driver's ``write()``, and whether the
iterable below was closed when the one above was. A middleware is blamed as the *server*
side of these rules: towards the application under it, it plays the server's role.

Deliveries: the whole body; an early stop (the driver closes after the first value);
and an application whose iterable raises after its first value.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from speccheck._collector import Collector
from speccheck._location import code_location
from speccheck._rules import Rule
from speccheck._selection import split_codes
from speccheck._sink import Sink
from speccheck._violations import Violation
from wsgi_checks._exchange import exchange_from_environ
from wsgi_checks._lint import WSGILint
from wsgi_checks._rules_more import MORE_RULES

__all__ = ["PROBE_CHUNKS", "check_middleware"]

WSGIApp = Callable[..., Any]
_RULES = {rule.code: rule for rule in MORE_RULES}
# Distinct values, one of them empty: "If the middleware cannot yield any other value, it must yield an empty bytestring."
PROBE_CHUNKS: tuple[bytes, ...] = (b"<speccheck chunk 1>", b"", b"<speccheck chunk 3>", b"<speccheck chunk 4>")
_LENGTH = str(sum(len(chunk) for chunk in PROBE_CHUNKS))
_MAX_STEPS = 10_000  # bound on the driver's loop over the middleware's iterable
_PLANS = ("full", "early-close", "app-error")


class ProbeError(Exception):
    """Raised by the probe application's iterable in the ``app-error`` delivery."""


def probe_app(environ: Any, start_response: Any) -> Iterator[bytes]:
    """The default application below the middleware: four values, one of them empty."""
    start_response("200 OK", [("Content-Type", "application/octet-stream"), ("Content-Length", _LENGTH)])
    yield from PROBE_CHUNKS


class _Tracked:
    """The iterable below, as the middleware (through the lint below) sees it: counts the
    values taken from it and notices close()."""

    def __init__(self, inner: Iterable[Any], fail_after: int | None) -> None:
        self._it: Iterator[Any] | None = None
        self._inner = inner
        self._fail_after = fail_after
        self.taken = 0  # values handed out
        self.closed = False
        self.chunks: list[bytes] = []

    def __iter__(self) -> _Tracked:
        if self._it is None:
            self._it = iter(self._inner)
        return self

    def __next__(self) -> Any:
        if self._it is None:
            self._it = iter(self._inner)
        if self._fail_after is not None and self.taken >= self._fail_after:
            raise ProbeError("the probe application failed during iteration (as planned)")
        value = next(self._it)
        self.taken += 1
        if type(value) is bytes and value:
            self.chunks.append(value)
        return value

    def close(self) -> None:
        self.closed = True
        close = getattr(self._inner, "close", None)
        if close is not None:
            close()


class _Below:
    """The application under the middleware: the probe (or the user's app), its iterable tracked."""

    def __init__(self, app: WSGIApp, fail_after: int | None) -> None:
        self.app = app
        self.fail_after = fail_after
        self.result: _Tracked | None = None

    def __call__(self, environ: Any, start_response: Any) -> Any:
        result = self.app(environ, start_response)
        if isinstance(result, (list, tuple)) and self.fail_after is None:
            result = iter(result)  # still tracked: values are taken one by one
        self.result = _Tracked(result, self.fail_after)
        return self.result


def _environ() -> dict[str, Any]:
    return {
        "REQUEST_METHOD": "GET",
        "SCRIPT_NAME": "",
        "PATH_INFO": "/",
        "QUERY_STRING": "",
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8000",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_HOST": "127.0.0.1:8000",
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(b""),
        "wsgi.errors": io.StringIO(),
        "wsgi.multithread": False,
        "wsgi.multiprocess": False,
        "wsgi.run_once": False,
    }


def _plus(ignore: str | Iterable[str] | None, code: str) -> list[str]:
    return [*split_codes(ignore), code]


class _Delivery:
    """One request through the sandwich, with the driver's own bookkeeping."""

    def __init__(self, plan: str, middleware: WSGIApp, below: _Below, sink: Sink) -> None:
        self.plan = plan
        self.middleware = middleware
        self.below = below
        self.sink = sink
        self.environ = _environ()
        self.written: list[bytes] = []
        self.sent = False

    def report(self, code: str, message: str, signature: str) -> None:
        if code in self.sink.enabled:
            rule: Rule = _RULES[code]
            self.sink.report(
                rule,
                f"{message} ({self.plan} delivery)",
                exchange=exchange_from_environ(self.environ),
                location=code_location(self.middleware),
                signature=signature,
            )

    def start_response(self, status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
        if exc_info is not None and self.sent:
            raise exc_info[1].with_traceback(exc_info[2])
        return self.write

    def write(self, data: bytes) -> None:
        if data:
            self.sent = True
            self.written.append(bytes(data))

    def taken(self) -> int:
        result = self.below.result
        return result.taken if result is not None else 0

    def run(self, above: WSGIApp) -> None:
        try:
            result = above(self.environ, self.start_response)
        except Exception:  # the app's planned error, or the middleware's own: close() is still owed
            self._check_closed()
            return
        before = self.taken()
        if before >= 2:
            # "middleware must return an iterable as soon as its underlying application returns an iterable"
            self.report("W403", f"the middleware took {before} values from the app before returning", "return")
        try:
            self._iterate(result, blocked_reported=before >= 2)
        finally:
            close = getattr(result, "close", None)
            if close is not None:
                try:
                    close()
                except Exception:  # an error from close() is not what is checked here
                    pass
        self._check_writes()
        self._check_closed()

    def _iterate(self, result: Any, blocked_reported: bool) -> None:
        it = iter(result)
        mark = 0  # values below already answered by a value above
        for _ in range(_MAX_STEPS):
            try:
                value = next(it)
            except Exception:  # StopIteration, the planned error, or the middleware's own
                pending = self.taken() - mark
                if pending >= 1 and not blocked_reported:
                    # "a middleware component must yield at least one value each time its underlying application yields a value"
                    self.report(
                        "W401",
                        f"the middleware ended its iterable after taking {pending} value(s) it yielded nothing for",
                        "swallowed",
                    )
                return
            if value:
                self.sent = True
            taken = self.taken()
            if taken - mark >= 2 and not blocked_reported:
                # "middleware components must not block iteration waiting for multiple values from an application iterable"
                self.report(
                    "W402", f"the middleware took {taken - mark} values from the app before yielding one", "block"
                )
                blocked_reported = True
            mark = taken
            if self.plan == "early-close":
                return  # the client went away after the first value

    def _check_writes(self) -> None:
        result = self.below.result
        if result is None or not self.written:
            return
        written = b"".join(self.written)
        if any(chunk in written for chunk in result.chunks if len(chunk) >= 8):
            # "It is also forbidden for middleware to use the write() callable to transmit data that is yielded"
            self.report("W404", "bytes the app yielded reached the server through write()", "write")

    def _check_closed(self) -> None:
        below = self.below.result
        if below is not None and not below.closed:
            # A middleware is the server of the app below: "the server or gateway must call that method upon completion"
            self.report("W405", "the app's iterable was never closed by the middleware", "close")


def check_middleware(
    middleware_factory: Callable[[WSGIApp], WSGIApp],
    app: WSGIApp | None = None,
    *,
    select: str | Iterable[str] | None = None,
    ignore: str | Iterable[str] | None = None,
    collector: Collector | None = None,
) -> list[Violation]:
    """Check a middleware from both sides: ``middleware_factory(inner_app)`` must return
    the wrapped app. Below it runs ``app`` (default: `probe_app`, four values, one empty)
    under a `WSGILint`; above it a `WSGILint` and a strict in-process driver. Returns every
    finding: W401-W405 and W1xx-W3xx blame the middleware as the server of the app below,
    W5xx/W6xx blame it (or the app through it) as an application."""
    collector = collector if collector is not None else Collector()
    above_sink = Sink("collect", select, ignore, collector)
    # W305 below is W405 here, said once with the middleware's name.
    below_sink = Sink("collect", select, _plus(ignore, "W305"), collector)
    for plan in _PLANS:
        below = _Below(app or probe_app, 1 if plan == "app-error" else None)
        middleware = middleware_factory(WSGILint(below, sink=below_sink))
        above = WSGILint(middleware, sink=above_sink)
        _Delivery(plan, middleware, below, above_sink).run(above)
    return collector.violations()
