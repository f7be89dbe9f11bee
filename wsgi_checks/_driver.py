"""The reference WSGI driver: an in-process server that obeys PEP 3333 exactly and
varies every choice the PEP leaves to the server.

One `WSGIDelivery` names the choices made for one call, so a finding can show which
delivery exposed it. The baseline (``WSGIDelivery()``) is what most servers do.

PEP 3333 https://peps.python.org/pep-3333/#environ-variables: the CGI variables "must be
present, unless their value would be an empty string, in which case they may be omitted"
(SCRIPT_NAME, QUERY_STRING, CONTENT_TYPE, CONTENT_LENGTH absent or "").
PEP 3333 https://peps.python.org/pep-3333/#input-and-error-streams: "The semantics of each
method are as documented in the Python Library Reference", where ``read(size)`` reads "up
to size bytes" (io.RawIOBase), so ``wsgi.input.read(n)`` may return fewer than n bytes
before the end; and the server "should simulate an end-of-file condition" at CONTENT_LENGTH.
PEP 3333 https://peps.python.org/pep-3333/#optional-platform-specific-file-handling:
``wsgi.file_wrapper`` is optional.
"""

from __future__ import annotations

import io
import os
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any, ClassVar
from urllib.parse import unquote_to_bytes

from speccheck._errors import UsageError
from speccheck._location import register_internal_dir
from speccheck.app._answer import Answer, raised
from speccheck.app._delivery import DeliveryFields
from speccheck.app._worker import TimedOut, Worker, stuck_location
from speccheck.traffic import RequestPlan

__all__ = ["WSGIDelivery", "build_environ", "deliver_wsgi"]

register_internal_dir(os.path.dirname(os.path.abspath(__file__)))

WSGIApp = Callable[[dict[str, Any], Callable[..., Callable[[bytes], object]]], Iterable[bytes]]


@dataclass(frozen=True, slots=True)
class WSGIDelivery(DeliveryFields):
    """The legal choices for one WSGI call.

    ``split``: caps for successive ``wsgi.input.read(n)`` calls, cycled (``()`` = every read
    returns all it can). ``script_name`` / ``empty_query`` / ``empty_content_length``: whether
    SCRIPT_NAME, an empty QUERY_STRING, and an empty CONTENT_LENGTH (no body, no
    Content-Length header) are present as "" or left out.
    """

    KIND: ClassVar[str] = "wsgi"

    split: tuple[int, ...] = ()
    script_name: bool = True
    empty_query: bool = True
    empty_content_length: bool = False
    multithread: bool = True
    multiprocess: bool = False
    file_wrapper: bool = True

    def validate(self) -> None:
        if any(size < 1 for size in self.split):
            raise UsageError(f"delivery field 'split' holds read caps, each at least 1, got {self.split!r}")


class _Input:
    """``wsgi.input``: EOF at CONTENT_LENGTH, ``read(n)`` capped by the delivery's split."""

    __slots__ = ("_caps", "_data", "_pos", "_reads")

    def __init__(self, data: bytes, caps: tuple[int, ...]) -> None:
        self._data = data
        self._pos = 0
        self._caps = tuple(max(1, c) for c in caps)
        self._reads = 0

    def _take(self, size: int) -> bytes:
        chunk = self._data[self._pos : self._pos + size]
        self._pos += len(chunk)
        return chunk

    def read(self, size: int | None = -1) -> bytes:
        remaining = len(self._data) - self._pos
        if size is None or size < 0:
            return self._take(remaining)
        if self._caps and size > 0 and remaining > 0:
            size = min(size, self._caps[self._reads % len(self._caps)])
            self._reads += 1
        return self._take(size)

    def readline(self, size: int | None = -1) -> bytes:
        end = self._data.find(b"\n", self._pos)
        end = len(self._data) if end < 0 else end + 1
        if size is not None and size >= 0:
            end = min(end, self._pos + size)
        return self._take(end - self._pos)

    def readlines(self, hint: int | None = -1) -> list[bytes]:
        return list(iter(self.readline, b""))

    def __iter__(self) -> Iterator[bytes]:
        return iter(self.readline, b"")

    # Beyond PEP 3333's four methods, as the streams of real servers have them (wsgiref and
    # waitress hand out file objects): an app relying on them works on those servers, and
    # the lint can say that it relies on more than the PEP promises (W603).
    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._pos

    def seek(self, offset: int, whence: int = 0) -> int:
        base = (0, self._pos, len(self._data))[whence]
        self._pos = max(0, min(len(self._data), base + offset))
        return self._pos


class _Errors(io.StringIO):
    """``wsgi.errors``: kept in memory (its tail shows in reports if the app logs there)."""


class _FileWrapper:
    """``wsgi.file_wrapper`` as in PEP 3333's example: iterate blocks, close the file."""

    def __init__(self, filelike: Any, blksize: int = 8192) -> None:
        self.filelike = filelike
        self.blksize = blksize
        if hasattr(filelike, "close"):
            self.close = filelike.close

    def __iter__(self) -> Iterator[bytes]:
        return iter(lambda: bytes(self.filelike.read(self.blksize)), b"")


_CGI_NAME = re.compile(r"^[A-Za-z0-9]+(-[A-Za-z0-9]+)*$")


def _header_var(name: str) -> str:
    return "HTTP_" + name.upper().replace("-", "_")


def build_environ(plan: RequestPlan, delivery: WSGIDelivery) -> dict[str, Any]:
    """The environ a strict server builds for ``plan`` (the body is de-chunked and given
    a CONTENT_LENGTH, as waitress does)."""
    path = unquote_to_bytes(plan.raw_path).decode("latin-1")
    host = (plan.host or b"127.0.0.1").decode("latin-1")
    name, _, port = (
        host.rpartition(":") if host.rpartition(":")[2].isdigit() and "]" not in host[-1:] else (host, "", "")
    )
    environ: dict[str, Any] = {
        "REQUEST_METHOD": plan.method,
        "PATH_INFO": path,
        "SERVER_NAME": name or "127.0.0.1",
        "SERVER_PORT": port or "80",
        "SERVER_PROTOCOL": f"HTTP/{plan.http_version}",
        "REMOTE_ADDR": "127.0.0.1",
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": "http",
        "wsgi.input": _Input(plan.body, delivery.split),
        "wsgi.errors": _Errors(),
        "wsgi.multithread": delivery.multithread,
        "wsgi.multiprocess": delivery.multiprocess,
        "wsgi.run_once": False,
    }
    if delivery.script_name:
        environ["SCRIPT_NAME"] = ""
    query = plan.query_string.decode("latin-1")
    if query or delivery.empty_query:
        environ["QUERY_STRING"] = query
    if (
        plan.body
        or plan.framing == "chunked"
        or (plan.framing == "content-length" and plan.method not in ("GET", "HEAD"))
    ):
        environ["CONTENT_LENGTH"] = str(len(plan.body))
    elif delivery.empty_content_length:
        environ["CONTENT_LENGTH"] = ""
    if plan.host is not None:
        environ["HTTP_HOST"] = host
    for raw_name, raw_value in plan.headers:
        header, value = raw_name.decode("latin-1"), raw_value.decode("latin-1")
        lower = header.lower()
        if not _CGI_NAME.match(header):
            # A name with "_" or punctuation has no unambiguous CGI variable; dropping it is
            # what gunicorn and nginx do (CGI 1.1, RFC 3875 4.1.18 lets the server omit fields).
            continue
        # CGI: Content-Type and Content-Length have no HTTP_ twin.
        key = lower.upper().replace("-", "_") if lower in ("content-type", "content-length") else _header_var(header)
        if key in environ and key.startswith("HTTP_"):
            # RFC 9110 5.3: several field lines combine with ", " (Cookie with "; ", RFC 6265 5.4).
            environ[key] += ("; " if lower == "cookie" else ", ") + value
        else:
            environ[key] = value
    if delivery.file_wrapper:
        environ["wsgi.file_wrapper"] = _FileWrapper
    return environ


class _Response:
    """start_response and write(), as PEP 3333 says a server implements them."""

    __slots__ = ("body", "headers", "sent", "status")

    def __init__(self) -> None:
        self.status: str | None = None
        self.headers: list[tuple[str, str]] = []
        self.body: list[bytes] = []
        self.sent = False

    def start_response(
        self, status: str, headers: list[tuple[str, str]], exc_info: Any = None
    ) -> Callable[[bytes], None]:
        # https://peps.python.org/pep-3333/#the-start-response-callable
        if exc_info:
            try:
                if self.sent:
                    raise exc_info[1].with_traceback(exc_info[2])
            finally:
                exc_info = None  # avoid a reference cycle, as the PEP's example does
        elif self.status is not None:
            raise AssertionError("start_response called a second time without exc_info (PEP 3333: fatal error)")
        self.status = status
        self.headers = list(headers)
        return self.write

    def write(self, data: bytes | bytearray) -> None:
        if self.status is None:
            raise AssertionError("write() before start_response()")
        if not isinstance(data, (bytes, bytearray)):
            raise TypeError(f"write() takes bytes, got {type(data).__name__} (PEP 3333: bytestrings only)")
        self.sent = True
        self.body.append(bytes(data))

    def answer(self) -> Answer:
        if self.status is None:
            return Answer(500, note="the app returned without calling start_response(); a server answers 500")
        try:
            status = int(str(self.status)[:3])
        except ValueError:
            return Answer(500, note=f"status {self.status!r} does not start with a number; a server answers 500")
        headers = tuple((str(n).lower(), str(v)) for n, v in self.headers)
        return Answer(status, headers, b"".join(self.body))


def _call(app: WSGIApp, environ: dict[str, Any]) -> Answer:
    response = _Response()
    try:
        result = app(environ, response.start_response)
        try:
            chunks: Iterable[object] = result
            for chunk in chunks:
                if chunk and response.status is None:
                    return Answer(
                        500, note="the app produced body bytes before calling start_response(); a server answers 500"
                    )
                if not isinstance(chunk, (bytes, bytearray)):
                    # "the application must yield bytestrings": a server gives up with a 500
                    return Answer(500, note=f"the app yielded {type(chunk).__name__}, not bytes; a server answers 500")
                if chunk:
                    response.write(chunk)
        finally:
            close = getattr(result, "close", None)
            if close is not None:
                close()
    except Exception as exc:
        return raised(exc)
    return response.answer()


def deliver_wsgi(
    app: WSGIApp,
    plan: RequestPlan,
    delivery: WSGIDelivery = WSGIDelivery(),
    *,
    timeout: float | None = 10.0,
    worker: Worker | None = None,
) -> Answer:
    """Call ``app`` once with ``plan`` delivered as ``delivery``; never raises for app faults.

    With a ``worker`` the call runs on its thread and gives up after ``timeout`` seconds
    (``Answer(hung=True)``); without one it runs in the caller's thread, unbounded.
    """
    environ = build_environ(plan, delivery)
    if worker is None or timeout is None:
        return _call(app, environ)
    try:
        return worker.call(lambda: _call(app, environ), timeout)
    except TimedOut as exc:
        return Answer(hung=True, location=stuck_location(exc.thread_id))
