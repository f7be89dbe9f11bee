"""wsgi.input and wsgi.errors, watched from both sides (W202-W205, W207, W601-W604).

https://peps.python.org/pep-3333/#input-and-error-streams

The wrappers are transparent: every call goes to the server's stream with exactly the
arguments the app gave, and any other attribute (``seek``, ``fileno``, ...) is passed
through by ``__getattr__`` after being reported (W603), so an app behaves the same
with and without the lint.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from wsgi_checks._call import Call

__all__ = ["ErrorsWrapper", "InputWrapper"]


class InputWrapper:
    """Wraps the server's ``wsgi.input``; counts bytes against CONTENT_LENGTH."""

    __slots__ = ("_call", "_inner", "_remaining", "_returned")

    def __init__(self, call: Call, inner: Any, length: int | None) -> None:
        self._call = call
        self._inner = inner
        self._remaining = length  # bytes the app may still read, None if CONTENT_LENGTH is unknown
        self._returned = 0  # bytes the server handed out beyond CONTENT_LENGTH, once noticed

    def _got(self, data: Any, method: str) -> Any:
        if type(data) is not bytes:
            # Request bodies are "bytestrings": "values read from wsgi.input ... of type bytes".
            self._call.server(
                "W202", f"wsgi.input.{method}() returned {type(data).__name__}, not bytes", signature=method
            )
            return data
        remaining = self._remaining
        if remaining is not None:
            remaining -= len(data)
            if remaining < 0 and not self._returned:
                # "should simulate an end-of-file condition if the application attempts to read past that point"
                self._returned = 1
                self._call.server(
                    "W203",
                    f"wsgi.input.{method}() returned {-remaining} byte(s) beyond CONTENT_LENGTH",
                    signature=method,
                )
            self._remaining = remaining
        return data

    def read(self, *args: Any) -> Any:
        if args and self._remaining is not None:
            size = args[0]
            if type(size) is int and size > self._remaining and self._remaining >= 0:
                # "The application should not attempt to read more data than is specified by the CONTENT_LENGTH variable."
                self._call.app(
                    "W601", f"read({size}) with {self._remaining} byte(s) of CONTENT_LENGTH left", signature="read"
                )
        try:
            data = self._inner.read(*args)
        except TypeError:
            if not args:
                # "A server should allow read() to be called without an argument"
                self._call.server("W204", "wsgi.input.read() without a size raised TypeError", signature="read")
            raise
        return self._got(data, "read")

    def readline(self, *args: Any) -> Any:
        try:
            data = self._inner.readline(*args)
        except TypeError:
            if args:
                # "Servers should support the optional "size" argument to readline()"
                self._call.server("W205", "wsgi.input.readline(size) raised TypeError", signature="readline")
            raise
        return self._got(data, "readline")

    def readlines(self, *args: Any) -> Any:
        try:
            lines = self._inner.readlines(*args)
        except TypeError:
            if args:
                # "the hint argument to readlines() is optional for both caller and implementer"
                self._call.server("W208", "wsgi.input.readlines(hint) raised TypeError", signature="readlines")
            raise
        if type(lines) is not list:
            lines = list(lines)
        for line in lines:
            self._got(line, "readlines")
        return lines

    def __iter__(self) -> Iterator[Any]:
        for line in self._inner:
            yield self._got(line, "__iter__")

    def close(self) -> Any:
        # "applications must not attempt to close these streams, even if they possess close() methods."
        self._call.app("W602", "the app closed wsgi.input", signature="input")
        return self._inner.close()

    def __getattr__(self, name: str) -> Any:
        # "must not use any other methods or attributes of the input or errors objects."
        # Only a lookup that succeeds is a use: a `hasattr()` probe for a missing
        # attribute (werkzeug asks for `readinto`) just gets its AttributeError.
        value = getattr(self._inner, name)
        self._call.app("W603", f"the app used wsgi.input.{name}", signature=f"input.{name}")
        return value


class ErrorsWrapper:
    """Wraps the server's ``wsgi.errors``: a text stream the app writes str to."""

    __slots__ = ("_call", "_inner")

    def __init__(self, call: Call, inner: Any) -> None:
        self._call = call
        self._inner = inner

    def _unicode(self, method: str, exc: UnicodeError) -> None:
        # "the error stream should accept and log arbitrary unicode without raising an error"
        self._call.server("W207", f"wsgi.errors.{method}() raised {type(exc).__name__}", signature=method)

    def write(self, text: Any) -> Any:
        if type(text) is not str:
            self._call.app("W604", f"wsgi.errors.write() got {type(text).__name__}, not str", signature="write")
        try:
            return self._inner.write(text)
        except UnicodeError as exc:
            self._unicode("write", exc)
            raise

    def writelines(self, lines: Any) -> Any:
        lines = list(lines)
        for text in lines:
            if type(text) is not str:
                self._call.app(
                    "W604", f"wsgi.errors.writelines() got {type(text).__name__}, not str", signature="writelines"
                )
                break
        try:
            return self._inner.writelines(lines)
        except UnicodeError as exc:
            self._unicode("writelines", exc)
            raise

    def flush(self) -> Any:
        return self._inner.flush()

    def close(self) -> Any:
        self._call.app("W602", "the app closed wsgi.errors", signature="errors")
        return self._inner.close()

    def __getattr__(self, name: str) -> Any:
        value = getattr(self._inner, name)
        self._call.app("W603", f"the app used wsgi.errors.{name}", signature=f"errors.{name}")
        return value
