"""wsgi.input / wsgi.errors through every method of the PEP's table, both sides."""

from __future__ import annotations

import io
import socket
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, make_server

import pytest

from fixtures.wsgi.harness import STRICT, Request, Server
from fixtures.wsgi.servers import NoEofInput, TextInput
from wsgi_checks import WSGILint

BODY = b"one\ntwo\nthree\n"
READERS: dict[str, Callable[[Any], Any]] = {
    "read()": lambda s: s.read(),
    "read(n)": lambda s: s.read(len(BODY)),
    "readline()": lambda s: [s.readline() for _ in range(4)],
    "readline(size)": lambda s: [s.readline(100) for _ in range(4)],
    "readlines()": lambda s: s.readlines(),
    "readlines(hint)": lambda s: s.readlines(5) + s.readlines(),
    "iteration": lambda s: list(s),
}


def reading(reader: Callable[[Any], Any]) -> Any:
    def app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        reader(environ["wsgi.input"])
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"ok"]

    return app


def codes(server: Server, app: Any) -> list[str]:
    lint = WSGILint(app, mode="collect")
    response = server.serve(lint, Request(method="POST", body=BODY))
    assert response.error is None, response.error
    return [v.code for v in lint.finish()]


@pytest.mark.parametrize("method", sorted(READERS))
def test_every_read_method_is_clean_on_a_correct_server(method: str) -> None:
    assert codes(STRICT, reading(READERS[method])) == []


@pytest.mark.parametrize("method", sorted(READERS))
def test_every_read_method_reports_text_from_the_server(method: str) -> None:
    assert codes(TextInput(), reading(READERS[method])) == ["W202"]


@pytest.mark.parametrize("method", ["read()", "readlines()", "iteration"])
def test_reading_to_the_end_past_content_length(method: str) -> None:
    """The app asks for everything; the server must stop at CONTENT_LENGTH."""
    assert codes(NoEofInput(), reading(READERS[method])) == ["W203"]
    assert codes(STRICT, reading(READERS[method])) == []


def test_read_in_a_loop_until_empty_is_only_a_should() -> None:
    """read(8192) until b'': the last call asks past CONTENT_LENGTH (W601, SHOULD)."""

    def loop(stream: Any) -> None:
        while stream.read(8192):
            pass

    lint = WSGILint(reading(loop), mode="collect")
    STRICT.serve(lint, Request(method="POST", body=BODY))
    (violation,) = lint.finish()
    assert (violation.code, violation.level, violation.side) == ("W601", "should", "app")


def test_errors_stream_methods() -> None:
    def app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        errors = environ["wsgi.errors"]
        errors.write("a\n")
        errors.writelines(iter(["b\n", "c\n"]))
        errors.flush()
        start_response("200 OK", [])
        return []

    response_log = io.StringIO()

    class Logged(Server):
        def errors(self) -> Any:
            self.log = response_log
            return response_log

    assert codes(Logged(), app) == []
    assert response_log.getvalue() == "a\nb\nc\n"


def test_close_after_client_disconnect_under_wsgiref() -> None:
    """The client goes away mid-body: the server must still close the iterable."""
    closed = threading.Event()

    def endless(environ: dict[str, Any], start_response: Any) -> Iterator[bytes]:
        start_response("200 OK", [("Content-Type", "application/octet-stream")])
        try:
            for _ in range(20_000):  # bounded: at most ~1.3 GB if nobody stops it
                yield b"x" * 65536
        finally:
            closed.set()

    class Quiet(WSGIRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass

        def log_exception(self, *args: Any) -> None:  # pragma: no cover - depends on timing
            pass

    lint = WSGILint(endless, mode="collect")
    server = make_server("127.0.0.1", 0, lint, handler_class=Quiet)
    server.handle_error = lambda request, client_address: None  # type: ignore[method-assign]
    thread = threading.Thread(target=server.handle_request, daemon=True)
    thread.start()
    try:
        with socket.create_connection(("127.0.0.1", server.server_port), timeout=5) as sock:
            sock.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
            assert sock.recv(1024).startswith(b"HTTP/1.")
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
        assert closed.wait(20), "the generator was never closed"
        thread.join(10)
    finally:
        server.server_close()
    deadline = time.monotonic() + 5
    while thread.is_alive() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert lint.finish() == []


class _NoReadinto(Server):
    """A correct server whose input stream has only the PEP's methods."""

    def input(self, body: bytes) -> Any:
        class Stream:
            def __init__(self) -> None:
                self._inner = io.BytesIO(body)
                self.read = self._inner.read
                self.readline = self._inner.readline
                self.readlines = self._inner.readlines

            def __iter__(self) -> Iterator[bytes]:
                return iter(self._inner)

        return Stream()


def test_probing_for_a_missing_attribute_is_not_a_use() -> None:
    """werkzeug asks `hasattr(stream, "readinto")`; only an attribute that exists is used (W603)."""

    def probing(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        assert not hasattr(environ["wsgi.input"], "readinto")
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [environ["wsgi.input"].read()]

    assert codes(_NoReadinto(), probing) == []


def test_using_an_existing_extra_attribute_is_reported() -> None:
    def seeking(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        environ["wsgi.input"].seek(0)
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"ok"]

    assert codes(STRICT, seeking) == ["W603"]


class _ServerExtras(Server):
    """A correct server adding variables CGI does not define, with non-str values."""

    def environ(self, request: Request) -> dict[str, Any]:
        environ = super().environ(request)
        environ["REMOTE_PORT"] = 54321  # werkzeug's dev server does this; RFC 3875 has no REMOTE_PORT
        return environ


def test_non_cgi_server_variables_may_be_any_type() -> None:
    def app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"ok"]

    assert codes(_ServerExtras(), app) == []
