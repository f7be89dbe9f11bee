"""`WSGILint`: the PEP 3333 lint middleware, checking both sides of one gateway.

https://peps.python.org/pep-3333/

Wrap an app: ``app = WSGILint(app, mode="collect")``. The server's side (the call,
the environ, wsgi.input/wsgi.errors, start_response, iteration and close) and the
app's side (status, headers, body, write, stream use) are checked on every request.
Which rules run is fixed when the lint is built (``select`` / ``ignore``), so the
per-request path only tests precomputed flags.

``close()`` of the app's iterable is checked deterministically, never from ``__del__``:
a response whose iterable ended (or failed) must be closed before the server calls
the app again in the same thread; `check_closed` (also run by `finish`) reports every
response still open, so call it once no request is in flight (e.g. after a test).
"""

from __future__ import annotations

import os
import threading
from _thread import get_ident
from collections.abc import Iterable
from types import GeneratorType
from typing import Any

from speccheck._collector import Collector
from speccheck._http_rules import RULES as HTTP_RULES
from speccheck._location import code_location, register_internal_dir
from speccheck._rules import Rule
from speccheck._sink import Mode, Sink
from speccheck._violations import Location, Violation
from wsgi_checks._body import Body, Response, SizedResponse
from wsgi_checks._call import Call
from wsgi_checks._environ import EnvironChecker
from wsgi_checks._exchange import exchange_from_environ
from wsgi_checks._filewrapper import FileWrapperCheck
from wsgi_checks._rules import HTTP_CODES, RULES
from wsgi_checks._streams import ErrorsWrapper, InputWrapper

__all__ = ["WSGILint"]

register_internal_dir(os.path.dirname(os.path.abspath(__file__)))

_ALL_RULES: tuple[Rule, ...] = RULES + tuple(rule for rule in HTTP_RULES if rule.code in HTTP_CODES)
_BY_CODE = {rule.code: rule for rule in _ALL_RULES}
_ENVIRON = frozenset(f"W1{n:02d}" for n in range(2, 19)) | {"W201", "W206"}
_HEADERS = frozenset({f"W5{n}" for n in range(11, 23)} | {"H104", "H105", "H109", "H101", "H102", "H103", "W312"})
_STREAMS = frozenset({"W202", "W203", "W204", "W205", "W207", "W601", "W602", "W603", "W604"})
_BODY = frozenset({"H101", "H102", "H103"})
_NO_ARG: Any = object()  # an argument the server did not pass
_new = object.__new__


class WSGILint:
    """PEP 3333 lint middleware. ``mode``: ``"warn"`` (SpecWarning + log), ``"raise"``
    (`AppSpecViolation` / `ServerSpecViolation` at the faulty call) or ``"collect"``
    (only stored); every mode stores findings in `violations`. ``select`` / ``ignore``
    take codes, prefixes or names (``"W5,H103"``); H102 (body on HEAD) is opt-in.
    ``collector`` shares a `Collector` between lints; ``sink`` replaces mode/select/ignore
    with a ready `Sink`."""

    def __init__(
        self,
        app: Any,
        mode: Mode = "warn",
        select: str | Iterable[str] | None = None,
        ignore: str | Iterable[str] | None = None,
        *,
        collector: Collector | None = None,
        sink: Sink | None = None,
    ) -> None:
        self.app = app
        # Selectors are checked against the whole catalogue, so one policy can name WSGI and
        # ASGI rules alike (the pytest plugin does); codes of other packs just select nothing here.
        self.sink = sink if sink is not None else Sink(mode, select, ignore, collector)
        enabled = self.sink.enabled
        self.check_environ = not enabled.isdisjoint(_ENVIRON)
        self.check_headers = not enabled.isdisjoint(_HEADERS)
        self.check_body = not enabled.isdisjoint(_BODY)
        self.check_head = "H102" in enabled
        self.wrap_streams = not enabled.isdisjoint(_STREAMS)
        self.wrap_file_wrapper = "W308" in enabled or "W605" in enabled
        self.track_close = int("W305" in enabled)  # Body._thread: 1 = tracked
        self.check_threads = "W311" in enabled
        self._serial: dict[int, int] = {}  # thread -> responses in flight with wsgi.multithread false
        self._environ = EnvironChecker(self)
        self._lock = threading.Lock()
        self._open: set[Body] = set()

    # -- results ---------------------------------------------------------------------------------
    @property
    def collector(self) -> Collector:
        return self.sink.collector

    @property
    def violations(self) -> list[Violation]:
        """Every finding so far, most serious first."""
        return self.sink.collector.violations()

    def check_closed(self) -> None:
        """Report every response whose iterable has close() but was never closed (W305).
        Call it when no request is in flight: after a test, at server shutdown."""
        with self._lock:
            bodies = list(self._open)
            self._open.clear()
        for body in bodies:
            self._unclosed(body, "the server never called close() on the app's iterable")

    def finish(self) -> list[Violation]:
        """`check_closed`, then all findings."""
        self.check_closed()
        return self.violations

    # -- reporting (used by the checking modules) ------------------------------------------------
    def report(
        self,
        code: str,
        message: str,
        environ: Any,
        *,
        observed: str = "",
        expected: str = "",
        signature: str = "",
        location: Location | None = None,
    ) -> None:
        self.sink.report(
            _BY_CODE[code],
            message,
            observed=observed,
            expected=expected,
            exchange=exchange_from_environ(environ),
            location=location,
            signature=signature,
        )

    def server(self, code: str, message: str, environ: Any, *, signature: str = "") -> None:
        if code in self.sink.enabled:
            self.report(code, message, environ, signature=signature)

    # -- close() bookkeeping (called by Body) ----------------------------------------------------
    def _unclosed(self, body: Body, message: str) -> None:
        # "the server or gateway must call that method upon completion of the current request, whether the
        # request was completed normally, or terminated early due to an application error during iteration
        # or an early disconnect of the browser."
        name = type(body._inner).__name__
        self.server("W305", f"{message} ({name})", body._call.environ, signature="unclosed")

    def _check_thread(self) -> None:
        """Before a new request in this thread: any iterable that ended in this thread
        and is still open was not closed on completion."""
        ident = get_ident()
        stale = [body for body in list(self._open) if body._thread == ident]
        for body in stale:
            self._open.discard(body)
            self._unclosed(body, "the previous response in this thread ended but close() was not called")

    # -- the middleware --------------------------------------------------------------------------
    def __call__(self, environ: Any = _NO_ARG, start_response: Any = _NO_ARG, /, *extra: Any, **kwargs: Any) -> Any:
        # Positional-only with defaults: the common call builds no argument tuple.
        if kwargs or extra or start_response is _NO_ARG:
            args = tuple(arg for arg in (environ, start_response) if arg is not _NO_ARG) + extra
            return self._odd_call(args, kwargs)
        if self._open:
            self._check_thread()
        if self.check_environ:
            self._environ.check(environ)
        call = Call(self, environ, start_response, self.app)
        if type(environ) is dict:
            # The wrappers are built without an __init__ call: this runs on every request.
            if self.wrap_streams:
                stream = environ.get("wsgi.input")
                if stream is not None:
                    length = environ.get("CONTENT_LENGTH")
                    wrapped = _new(InputWrapper)
                    wrapped._call = call
                    wrapped._inner = stream
                    wrapped._remaining = (
                        int(length) if type(length) is str and length.isdigit() and length.isascii() else None
                    )
                    wrapped._returned = 0
                    environ["wsgi.input"] = wrapped
                stream = environ.get("wsgi.errors")
                if stream is not None:
                    errors = _new(ErrorsWrapper)
                    errors._call = call
                    errors._inner = stream
                    environ["wsgi.errors"] = errors
            if self.wrap_file_wrapper:
                wrapper = environ.get("wsgi.file_wrapper")
                if wrapper is not None:
                    checked = _new(FileWrapperCheck)
                    checked._call = call
                    checked._inner = wrapper
                    environ["wsgi.file_wrapper"] = checked
            if self.check_threads and not environ.get("wsgi.multithread", True):
                self._enter(call)
        try:
            result = self.app(environ, call.start_response)
        except BaseException:
            call.returned = True
            if call.serial:
                self.leave(call)
            raise
        call.returned = True
        if call.trapped is not None:
            call.check_trapped("returned normally")
        result = self._result(call, result)
        if call.serial and not isinstance(result, Response):
            self.leave(call)  # complete already (a list, the server's file wrapper, an error)
        return result

    # -- wsgi.multithread truthfulness (W311) ----------------------------------------------------
    def _enter(self, call: Call) -> None:
        """A response with ``wsgi.multithread`` false begins: is another thread inside the app?
        In flight from the call until its iterable ends or is closed (a list: until the app returns)."""
        ident = get_ident()
        with self._lock:
            others = [thread for thread, count in self._serial.items() if count and thread != ident]
            self._serial[ident] = self._serial.get(ident, 0) + 1
        call.serial = ident
        if others:
            # "This value should evaluate true if the application object may be simultaneously invoked by another thread"
            call.server(
                "W311",
                f"wsgi.multithread is false but {len(others)} other thread(s) were inside the app at the same time",
                signature="overlap",
            )

    def leave(self, call: Call) -> None:
        """The response of `call` is over (idempotent)."""
        ident = call.serial
        if not ident:
            return
        call.serial = 0
        with self._lock:
            count = self._serial.get(ident, 0)
            if count > 1:
                self._serial[ident] = count - 1
            else:
                self._serial.pop(ident, None)

    def _odd_call(self, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        # "A server or gateway must invoke the application object using positional (not keyword) arguments."
        environ = args[0] if args else kwargs.get("environ")
        self.server(
            "W101",
            f"the application was called with {len(args)} positional argument(s) and keywords {sorted(kwargs)}",
            environ,
            signature="call",
        )
        values = list(args) + list(kwargs.values())
        if len(values) != 2:
            return self.app(*args, **kwargs)
        return self(values[0], values[1])

    def _result(self, call: Call, result: Any) -> Any:
        kind = type(result)
        if kind is GeneratorType:  # the common streaming case: no __len__, has close(), iter() is itself
            body = Body(call, result, None, self.track_close)
            if self.track_close:
                self._open.add(body)
            return Response(body, body._run(result))
        if kind is list or kind is tuple:
            # Complete already: check it whole and hand the server the very same object.
            produced = 0
            for item in result:
                if type(item) is bytes:
                    produced += len(item)
                else:
                    call.app(
                        "W502",
                        f"the returned {kind.__name__} holds a {type(item).__name__}, not bytes",
                        location=code_location(self.app),
                        signature=type(item).__name__,
                    )
            if produced:
                if not call.started:
                    call.app(
                        "W504",
                        "the app returned body bytes without calling start_response",
                        location=code_location(self.app),
                        signature="early",
                    )
                call.produced += produced
                call.headers_sent = True
            call.finished(self.app)
            return result
        if result is None or kind is str or kind is bytes:
            code = "W501" if result is None else "W503"
            call.app(
                code, f"the app returned {kind.__name__}", location=code_location(self.app), signature=kind.__name__
            )
            return result
        if call.fw_results is not None and any(result is obj for obj in call.fw_results):
            return result  # the server's own file wrapper: hand it back untouched (see _filewrapper)
        view: Response
        if hasattr(kind, "__len__"):
            try:
                length: int | None = len(result)
            except Exception:
                length = None
            body = Body(call, result, length)
            view = SizedResponse(body)
        else:
            body = Body(call, result)
            view = Response(body)
        if self.track_close and hasattr(result, "close"):
            body._thread = 1
            self._open.add(body)
        return view
