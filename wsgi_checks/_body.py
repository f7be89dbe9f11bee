"""The iterable the app returned, watched from both sides (W304-W307, W501-W504, W510, W525).

https://peps.python.org/pep-3333/#specification-details

A `Body` stands between the server and the app's iterable: the app's items are
checked as they pass, the server's use of the iterable (``iter``, ``next``, ``len``,
``close``, anything else) is observed. ``close()`` is tracked deterministically: an
iterable with ``close()`` stays in the lint's open set until the server closes it; when
it ends (exhausted, or an error escaped it) it is marked with the current thread, and
the server must close it before it calls the app again in that thread.
`WSGILint.check_closed` reports whatever is still open. Nothing is decided in ``__del__``.
"""

from __future__ import annotations

import os
from _thread import get_ident
from collections.abc import Iterator
from typing import Any

from speccheck._location import code_location
from speccheck._violations import Location
from wsgi_checks._call import Call

__all__ = ["Body", "Response", "SizedResponse", "method_location"]

_HERE = os.path.dirname(os.path.abspath(__file__))


def method_location(obj: Any, name: str) -> Location | None:
    """Where ``type(obj).name`` is defined, for iterables that are not generators."""
    code = getattr(getattr(type(obj), name, None), "__code__", None)
    if code is None or code.co_filename.startswith(_HERE):
        return None
    return Location(code.co_filename, code.co_firstlineno, code.co_name)


class Body:
    """The state of one app iterable and the checks between the app's items. The server
    never holds a `Body`: it gets a `Response` (below), so this class has no
    ``__getattr__`` and its own attribute reads stay on the interpreter's fast path."""

    __slots__ = ("_call", "_closes", "_ended", "_inner", "_items", "_length", "_thread")

    def __init__(self, call: Call, inner: Any, length: int | None = None, thread: int = 0) -> None:
        self._call = call
        self._inner = inner
        self._closes = 0
        self._ended = False
        self._length = length  # what len(inner) said when the app returned, if it has __len__
        self._items = 0  # items seen, counted only when _length is known
        self._thread = thread  # 0: close() not tracked; 1: tracked, running; else the thread it ended in

    def iterate(self) -> Iterator[Any]:
        """``iter()`` of the app's iterable, wrapped in the checking generator."""
        try:
            it = iter(self._inner)
        except TypeError:
            # "the application object must always return an iterable yielding zero or more bytestrings."
            self._call.app(
                "W501",
                f"the app returned {type(self._inner).__name__}, which is not iterable",
                location=code_location(self._call.app_obj),
                signature="not-iterable",
            )
            raise
        return self._run(it)

    def _run(self, it: Iterator[Any]) -> Iterator[Any]:
        """Phase 1 runs the full checks until the first body bytes (start_response must
        have come first, and from then on headers count as sent); phase 2 only types and
        counts the items: that is what runs per chunk of a long body."""
        call = self._call
        produced = 0
        if self._length is not None:
            it = self._counted(it)
        try:
            for chunk in it:
                if type(chunk) is not bytes or not call.started:
                    self._odd(chunk)
                if chunk and type(chunk) is bytes:
                    produced = len(chunk)
                    call.headers_sent = True
                    yield chunk
                    break
                yield chunk
            else:
                self._finish(produced, True)
                return
            for chunk in it:
                if type(chunk) is bytes:
                    produced += len(chunk)
                else:
                    self._odd(chunk)
                yield chunk
        except GeneratorExit:
            call.produced += produced
            raise
        except BaseException:
            self._finish(produced, False)
            raise
        # The usual end, inlined from _finish: exhausted, not closed yet, no len().
        if self._closes or self._ended or self._length is not None or call.trapped is not None:
            self._finish(produced, True)
            return
        self._ended = True
        call.produced += produced
        call.finished(self._inner)
        if call.serial:
            call.lint.leave(call)
        if self._thread:
            self._thread = get_ident()  # ended in this thread: must be closed before its next request

    def _counted(self, it: Iterator[Any]) -> Iterator[Any]:
        """Counts items for W525, only for iterables that have ``__len__``."""
        for chunk in it:
            self._items += 1
            yield chunk

    def _finish(self, produced: int, normal: bool) -> None:
        """The iteration is over (``normal``: exhausted; else an error escaped it)."""
        call = self._call
        call.produced += produced
        if self._ended:
            return
        self._ended = True
        if normal:
            if self._closes:
                self._next_after_close()
            if call.trapped is not None:
                call.check_trapped("finished normally")
            if self._length is not None and self._length != self._items:
                # "if the iterable ... provides a working __len__() method, it must return an accurate result."
                call.app(
                    "W525",
                    f"len() of the iterable was {self._length} but it yielded {self._items} item(s)",
                    location=method_location(self._inner, "__len__"),
                    signature="len",
                )
            call.finished(self._inner)
        if call.serial:
            call.lint.leave(call)
        if self._closes == 0 and self._thread:
            self._thread = get_ident()  # ended in this thread: must be closed before its next request

    def _next_after_close(self) -> None:
        self._call.server("W304", "the server asked for another item after close()", signature="next-after-close")

    def _odd(self, chunk: Any) -> None:
        """The slow path for an item: until start_response is called, and odd types.
        (A trapped start_response(exc_info) error and next() after close() are
        reported when the iteration ends, to keep the per-item path short.)"""
        call = self._call
        if type(chunk) is not bytes:
            call.app(
                "W502",
                f"the iterable yielded {type(chunk).__name__}, not bytes",
                location=self._where(),
                signature=type(chunk).__name__,
            )
        elif chunk and not call.started:
            # "the application must invoke the start_response() callable before the iterable yields its first body bytestring"
            call.app(
                "W504",
                "the iterable yielded body bytes before start_response was called",
                location=self._where(),
                signature="early",
            )

    def _where(self) -> Location | None:
        """The app's code behind the item just produced: the generator's current line,
        else the iterable's ``__next__``/``__iter__``, else the app itself."""
        inner = self._inner
        return (
            code_location(inner)
            or method_location(inner, "__next__")
            or method_location(inner, "__iter__")
            or code_location(self._call.app_obj)
        )

    def close(self) -> None:
        self._closes += 1
        call = self._call
        if self._closes > 1:
            call.server("W306", f"close() called {self._closes} times", signature="twice")
            return
        if self._thread:
            call.lint._open.discard(self)  # one set operation, atomic under the GIL
        if call.serial:
            call.lint.leave(call)
        try:
            close = self._inner.close
        except AttributeError:
            return
        close()


class Response:
    """The app's iterable as the server sees it. ``iter()`` hands out one generator that
    runs the checks between the app's items (a resumed generator is cheaper than a Python
    ``__next__`` per item); ``close()`` and any other attribute are served here, the object
    the app returned in the server's eyes."""

    __slots__ = ("_body", "_gen")

    def __init__(self, body: Body, gen: Iterator[Any] | None = None) -> None:
        self._body = body
        self._gen = gen

    def __iter__(self) -> Iterator[Any]:
        gen = self._gen
        if gen is None:
            gen = self._gen = self._body.iterate()
        return gen

    def __next__(self) -> Any:
        return next(self.__iter__())

    def close(self) -> None:
        body = self._body
        if body._closes or body._call.serial:
            body.close()
            return
        body._closes = 1  # the usual case, inlined from Body.close: the first close()
        if body._thread:
            body._call.lint._open.discard(body)  # one set operation, atomic under the GIL
        try:
            close = body._inner.close
        except AttributeError:
            return
        close()

    def __getattr__(self, name: str) -> Any:
        body = self._body
        if not name.startswith("__"):
            # "servers and gateways must not directly use any other attributes of the iterable returned by the application"
            body._call.server("W307", f"the server used .{name} of the app's iterable", signature=name)
        return getattr(body._inner, name)


class SizedResponse(Response):
    """A `Response` for iterables with ``__len__``: the server may call ``len()``."""

    __slots__ = ()

    def __len__(self) -> int:
        return len(self._body._inner)
