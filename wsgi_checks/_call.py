"""One application call: start_response, write and the end of the response.

https://peps.python.org/pep-3333/#the-start-response-callable

`Call` is the per-request state, one slotted object per request; the app receives its
bound ``start_response`` and, from it, its bound ``write``. The lint's idea of "headers
sent" follows the PEP: headers go out with the first non-empty bytestring the iterable
yields, or the first non-empty ``write()`` ("response headers must not be sent until
there is actual body data available").
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from speccheck._http import NO_CONTENT_STATUSES
from speccheck._location import app_location, code_location
from speccheck._violations import Location
from wsgi_checks._headers import check_headers, check_status

if TYPE_CHECKING:
    from wsgi_checks._lint import WSGILint

__all__ = ["Call"]

# App-side header findings a server's start_response should have refused (W309, W310).
_NO_ARG: Any = object()  # an argument the app did not pass
_HEADER_FAULTS = {"W520": 1, "W521": 1, "W515": 2, "W516": 2, "W517": 2, "W518": 2, "W519": 2}


class Call:
    __slots__ = (
        "app_obj",
        "code",
        "declared",
        "environ",
        "faults",
        "fw_results",
        "headers_sent",
        "lint",
        "produced",
        "returned",
        "serial",
        "server_start_response",
        "server_write",
        "started",
        "trapped",
    )

    def __init__(self, lint: WSGILint, environ: Any, server_start_response: Any, app_obj: Any) -> None:
        self.lint = lint
        self.environ = environ
        self.server_start_response = server_start_response
        self.server_write: Any = None
        self.app_obj = app_obj
        self.started = 0  # number of start_response calls
        self.code = 0  # status code of the current status, 0 if unreadable
        self.declared: int | None = None  # Content-Length the app declared
        self.produced = 0  # body bytes the app produced (write() + iterable)
        self.headers_sent = False
        self.returned = False
        self.trapped: BaseException | None = None  # what start_response(exc_info) raised
        self.faults = 0  # header faults of the current start_response call: 1 hop-by-hop, 2 malformed
        self.fw_results: list[Any] | None = None  # objects the server's wsgi.file_wrapper returned
        self.serial = 0  # thread counted in the lint's single-thread check (W311) until the response ends

    # -- reporting -------------------------------------------------------------------------------
    def app(
        self,
        code: str,
        message: str,
        *,
        location: Location | None = None,
        signature: str = "",
        observed: str = "",
        expected: str = "",
    ) -> None:
        fault = _HEADER_FAULTS.get(code)
        if fault:
            self.faults |= fault
        lint = self.lint
        if code in lint.sink.enabled:
            lint.report(
                code,
                message,
                self.environ,
                location=location or app_location(),
                signature=signature,
                observed=observed,
                expected=expected,
            )

    def server(self, code: str, message: str, *, signature: str = "") -> None:
        if code in self.lint.sink.enabled:
            self.lint.report(code, message, self.environ, signature=signature)

    # -- the callables handed to the app ---------------------------------------------------------
    def start_response(
        self, status: Any = _NO_ARG, headers: Any = _NO_ARG, exc_info: Any = _NO_ARG, /, *extra: Any, **kwargs: Any
    ) -> Any:
        # Positional-only with defaults: the usual call builds no argument tuple.
        if exc_info is _NO_ARG and headers is not _NO_ARG and not kwargs:
            args: tuple[Any, ...] = (status, headers)
            exc_info = None
        else:
            args = tuple(arg for arg in (status, headers, exc_info) if arg is not _NO_ARG) + extra
            status, headers, exc_info = self._odd_args(args, kwargs)
        if exc_info is not None:
            if type(exc_info) is not tuple or len(exc_info) != 3:
                # "The exc_info argument, if supplied, must be a Python sys.exc_info() tuple."
                self.app("W508", f"exc_info is {type(exc_info).__name__}, not a sys.exc_info() tuple", signature="type")
                exc_info = None
            elif exc_info[1] is None:
                # "should be supplied by the application only if start_response is being called by an error handler"
                self.app("W509", "exc_info is (None, None, None): no exception is being handled", signature="none")
                exc_info = None
        elif self.started:
            # "it is a fatal error to call start_response without the exc_info argument if start_response has already been called"
            self.app("W507", "start_response called again without exc_info", signature="again")
        self.started += 1
        if self.lint.check_headers:
            self.faults = 0
            self.code = code = check_status(self, status)
            self.declared = check_headers(self, headers, code)
        if exc_info is not None:
            return self._start_with_exc_info(args, kwargs, exc_info)
        write = self.server_start_response(*args, **kwargs)
        if self.faults:
            self._accepted()
        if callable(write):
            self.server_write = write
            return self.write
        return self._write_for(write)

    def _odd_args(self, args: tuple[Any, ...], kwargs: dict[str, Any]) -> list[Any]:
        count = len(args)
        if kwargs or not 2 <= count <= 3:
            # "the application must invoke the start_response callable using positional arguments"
            self.app(
                "W506", f"start_response called with {count} positional and keywords {sorted(kwargs)}", signature="args"
            )
        full = [*args, *kwargs.values(), None, None, None]  # keywords in the order given
        return full[:3]

    def _start_with_exc_info(self, args: Any, kwargs: Any, exc_info: Any) -> Any:
        sent = self.headers_sent
        try:
            write = self.server_start_response(*args, **kwargs)
        except BaseException as exc:
            # "The application must not trap any exceptions raised by start_response, if it called start_response with exc_info."
            self.trapped = exc
            if sent and exc is not exc_info[1]:
                # "start_response must raise an error, and should re-raise using the exc_info tuple"
                self.server(
                    "W303", f"start_response raised {type(exc).__name__}, not the exc_info exception", signature="other"
                )
            raise
        if sent:
            self.server(
                "W302", "start_response(exc_info) returned normally after headers were sent", signature="returned"
            )
        if self.faults:
            self._accepted()
        return self._write_for(write)

    def _accepted(self) -> None:
        """The server's start_response returned normally although the app's headers were bad."""
        if self.faults & 1:
            # "a server or gateway should consider it a fatal error for an application to attempt sending them,
            # and raise an error if they are supplied to start_response()"
            self.server("W309", "start_response accepted a hop-by-hop header without raising", signature="hop")
        if self.faults & 2:
            # "Servers should check for errors in the headers at the time start_response is called"
            self.server("W310", "start_response accepted malformed headers without raising", signature="malformed")

    def _write_for(self, write: Any) -> Any:
        if not callable(write):
            # "it must return a write(body_data) callable"
            self.server(
                "W301", f"start_response returned {type(write).__name__}, not a write callable", signature="write"
            )
            return write
        self.server_write = write
        return self.write

    def write(self, data: Any) -> Any:
        if not isinstance(data, bytes):
            self.app("W523", f"write() got {type(data).__name__}, not bytes", signature=type(data).__name__)
        elif data:
            self.headers_sent = True
            self.produced += len(data)
        if self.returned:
            # "Applications must not invoke write() from within their return iterable"
            self.app("W524", "write() called after the application returned", signature="after")
        written = self.server_write(data)
        declared = self.declared
        if declared is not None and self.produced > declared and data:
            # "the server ... should ... raise an error if the application tries to write() past that point"
            self.server(
                "W312",
                f"write() accepted {self.produced - declared} byte(s) beyond Content-Length {declared} without raising",
                signature="past",
            )
        return written

    def file_wrapper_result(self, obj: Any) -> None:
        if self.fw_results is None:
            self.fw_results = []
        self.fw_results.append(obj)

    # -- the end of the response -----------------------------------------------------------------
    def check_trapped(self, where: str) -> None:
        if self.trapped is not None:
            self.trapped = None
            self.app(
                "W510", f"the app {where} after start_response(exc_info) raised", location=code_location(self.app_obj)
            )

    def finished(self, where: Any) -> None:
        """The body is complete (iterable exhausted, or a list returned): check it as a whole."""
        lint = self.lint
        if not self.started:
            if not self.produced:  # (with body bytes, W504 has said it already)
                # The response cannot begin without start_response.
                self.app(
                    "W505",
                    "the response ended without start_response",
                    location=code_location(where),
                    signature="never",
                )
            return
        if not lint.check_body:
            return
        code, produced, declared = self.code, self.produced, self.declared
        if code in NO_CONTENT_STATUSES:
            if produced:
                # RFC 9110 6.4.1: "All 1xx (Informational), 204 (No Content), and 304 (Not Modified) responses do not include content."
                self.app(
                    "H101",
                    f"a {code} response produced {produced} body byte(s)",
                    location=code_location(where),
                    signature=str(code),
                )
            return
        head = lint.check_head and self.environ.get("REQUEST_METHOD") == "HEAD"
        if head and produced:
            # RFC 9110 9.3.2: "the server MUST NOT send content in the response"
            self.app(
                "H102",
                f"the app produced {produced} body byte(s) for HEAD",
                location=code_location(where),
                signature="head",
            )
        if declared is not None and produced != declared:
            if produced == 0 and self.environ.get("REQUEST_METHOD") == "HEAD":
                return  # HEAD may announce the length a GET would have (RFC 9110 8.6)
            # RFC 9110 8.6: Content-Length is the length of the content in octets.
            self.app(
                "H103",
                f"Content-Length is {declared} but the app produced {produced} byte(s)",
                observed=str(produced),
                expected=str(declared),
                location=code_location(where),
                signature="mismatch",
            )
