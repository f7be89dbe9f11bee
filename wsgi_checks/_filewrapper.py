"""wsgi.file_wrapper, checked from both sides (W308 server, W605 app).

https://peps.python.org/pep-3333/#optional-platform-specific-file-handling

The server's callable is wrapped so its contract can be checked when the app uses it,
but the object it returns is handed to the app untouched; and when the app returns
that very object, `WSGILint` returns it to the server unwrapped, so the server still
recognises its own wrapper and keeps its ``sendfile()`` optimisation, also when it asks
``isinstance(result, environ["wsgi.file_wrapper"])`` (gunicorn). (The price: the lint
does not watch iteration or ``close()`` of such a response.)
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from wsgi_checks._call import Call

__all__ = ["FileWrapperCheck"]


class FileWrapperCheck:
    __slots__ = ("_call", "_inner")

    def __init__(self, call: Call, inner: Any) -> None:
        self._call = call
        self._inner = inner

    def __call__(self, filelike: Any, *args: Any) -> Any:
        call = self._call
        filelike_ok = callable(getattr(filelike, "read", None))
        if not filelike_ok:
            # "the object supplied by the application must have a read() method that takes an optional size argument."
            call.app("W605", f"wsgi.file_wrapper got {type(filelike).__name__}, which has no read()", signature="read")
        try:
            obj = self._inner(filelike, *args)
        except TypeError:
            if filelike_ok and len(args) <= 1:
                # "it must be a callable that accepts one required positional parameter, and one optional positional parameter."
                call.server(
                    "W308",
                    f"wsgi.file_wrapper(filelike{', block_size' * len(args)}) raised TypeError",
                    signature="call",
                )
            raise
        if not hasattr(obj, "__iter__"):
            # "The callable must return an iterable object"
            call.server(
                "W308", f"wsgi.file_wrapper returned {type(obj).__name__}, which is not iterable", signature="iter"
            )
        elif callable(getattr(filelike, "close", None)) and not callable(getattr(obj, "close", None)):
            # "the iterable returned by wsgi.file_wrapper must have a close() method"
            call.server(
                "W308", "wsgi.file_wrapper's iterable has no close() though the file has one", signature="close"
            )
        call.file_wrapper_result(obj)
        return obj

    # Servers such as gunicorn recognise their own wrapper with
    # ``isinstance(result, environ["wsgi.file_wrapper"])`` after the app returned, when the
    # environ holds this object: answer for the server's class so sendfile() still kicks in.
    def __instancecheck__(self, obj: Any) -> bool:
        inner = self._inner
        return isinstance(inner, type) and isinstance(obj, inner)

    def __subclasscheck__(self, cls: Any) -> bool:
        inner = self._inner
        return isinstance(inner, type) and issubclass(cls, inner)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)
