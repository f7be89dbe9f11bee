"""WSGILint as a library: modes, selection, exchanges, blame, close() tracking, transparency."""

from __future__ import annotations

import io
import logging
import os
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import pytest

import wsgi_checks
from fixtures.wsgi import apps
from fixtures.wsgi.harness import STRICT, Request, Server
from fixtures.wsgi.servers import NeverCloses, SubclassEnviron, patched
from speccheck import AppSpecViolation, ServerSpecViolation, SpecViolation, SpecWarning, UsageError
from wsgi_checks import WSGILint, exchange_from_environ

ROOT = Path(__file__).resolve().parents[2]


def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
    return lambda data: None


def test_public_names() -> None:
    assert sorted(wsgi_checks.__all__) == [
        "HTTP_CODES",
        "RULES",
        "WSGILint",
        "check_middleware",
        "exchange_from_environ",
        "probe_app",
    ]


# -- modes -------------------------------------------------------------------------------------------
def test_raise_mode_raises_app_violation_at_the_call() -> None:
    lint = WSGILint(apps.status("200"), mode="raise")
    response = STRICT.serve(lint)
    assert isinstance(response.error, AppSpecViolation)
    assert isinstance(response.error, AssertionError)
    assert response.error.violation.code == "W512"
    assert response.status == ""  # raised inside start_response, before the server stored anything


def test_raise_mode_raises_server_violation() -> None:
    lint = WSGILint(apps.hello, mode="raise")
    response = SubclassEnviron().serve(lint)
    assert isinstance(response.error, ServerSpecViolation)
    assert response.error.violation.code == "W102"


def test_warn_mode_warns_and_logs(caplog: pytest.LogCaptureFixture) -> None:
    lint = WSGILint(apps.status("200 OK\r\n"), mode="warn")
    with caplog.at_level(logging.WARNING, logger="speccheck"), pytest.warns(SpecWarning, match="W513"):
        STRICT.serve(lint)
    assert "W513" in caplog.text
    assert [v.code for v in lint.violations] == ["W513"]


def test_collect_mode_counts_repeats() -> None:
    lint = WSGILint(apps.status("200"), mode="collect")
    for _ in range(3):
        STRICT.serve(lint)
    (violation,) = lint.violations
    assert (violation.code, violation.count) == ("W512", 3)
    assert violation.to_dict()["side"] == "app"


# -- selection ---------------------------------------------------------------------------------------
def test_select_and_ignore() -> None:
    app = apps.headers([("Connection", "close"), ("X Bad", "1")])
    assert [v.code for v in _run(WSGILint(app, mode="collect", select="W520"))] == ["W520"]
    assert [v.code for v in _run(WSGILint(app, mode="collect", ignore=["W520"]))] == ["W517"]
    assert _run(WSGILint(app, mode="collect", ignore="W5")) == []


def test_head_rule_is_opt_in() -> None:
    request = Request(method="HEAD")
    assert _run(WSGILint(apps.body_on_head, mode="collect"), request=request) == []
    found = _run(WSGILint(apps.body_on_head, mode="collect", select="H102"), request=request)
    assert [v.code for v in found] == ["H102"]


@pytest.mark.parametrize("bad", ["W999", "Z1", "nonsense"])
def test_unknown_selection_is_a_usage_error(bad: str) -> None:
    with pytest.raises(UsageError, match=bad):
        WSGILint(apps.hello, select=bad)


def test_other_packs_codes_select_nothing_here() -> None:
    """One policy may name WSGI and ASGI rules together (as the pytest plugin does)."""
    app = apps.headers([("Connection", "close")])
    assert _run(WSGILint(app, mode="collect", select=["A", "S"])) == []
    assert [v.code for v in _run(WSGILint(app, mode="collect", select=["A", "W520"]))] == ["W520"]


def test_bad_mode_is_a_usage_error() -> None:
    with pytest.raises(UsageError, match="mode"):
        WSGILint(apps.hello, mode="loud")  # type: ignore[arg-type]


def _run(lint: WSGILint, server: Server = STRICT, request: Request | None = None) -> list[Any]:
    server.serve(lint, request)
    lint.check_closed()
    return lint.violations


# -- exchanges and blame -----------------------------------------------------------------------------
def test_exchange_from_environ() -> None:
    environ = {
        "REQUEST_METHOD": "POST",
        "SCRIPT_NAME": "/app",
        "PATH_INFO": "/a b/caf\u00e9",
        "QUERY_STRING": "x=1&y=%20",
        "SERVER_PROTOCOL": "HTTP/1.0",
        "CONTENT_TYPE": "text/plain",
        "CONTENT_LENGTH": "3",
        "HTTP_X_FORWARDED_FOR": "1.2.3.4",
        "HTTP_HOST": "example.test",
        "wsgi.input": io.BytesIO(b"abc"),
    }
    exchange = exchange_from_environ(environ)
    assert exchange.interface == "wsgi"
    assert exchange.method == "POST"
    assert exchange.target == "/app/a%20b/caf%E9?x=1&y=%20"
    assert exchange.http_version == "1.0"
    assert ("Content-Type", "text/plain") in exchange.headers
    assert ("Content-Length", "3") in exchange.headers
    assert ("X-Forwarded-For", "1.2.3.4") in exchange.headers
    assert exchange.body_size == 3


@pytest.mark.parametrize("environ", [None, {}, {"PATH_INFO": 5, "CONTENT_LENGTH": "x", 1: 2}, ["not", "a", "dict"]])
def test_exchange_from_garbage_never_raises(environ: Any) -> None:
    exchange = exchange_from_environ(environ)
    assert exchange.interface == "wsgi"


def test_app_violation_names_the_apps_line() -> None:
    lint = WSGILint(apps.starts_twice, mode="collect")
    STRICT.serve(lint)
    (violation,) = lint.violations
    assert violation.location is not None
    source = Path(violation.location.file).read_text().splitlines()[violation.location.line - 1]
    assert 'start_response("201 Created", TEXT)' in source
    assert violation.exchange is not None and violation.exchange.target == "/"


# -- close() -----------------------------------------------------------------------------------------
def test_unclosed_response_reported_on_next_request_in_the_thread() -> None:
    lint = WSGILint(apps.streaming, mode="collect")
    NeverCloses().serve(lint)
    assert lint.violations == []  # nothing decided yet, and never from __del__
    STRICT.serve(lint)
    assert [v.code for v in lint.violations] == ["W305"]
    lint.check_closed()
    assert lint.violations[0].count == 1


def test_response_open_in_another_thread_is_not_blamed() -> None:
    lint = WSGILint(apps.streaming, mode="collect")
    threaded = patched("Threaded", wsgi__multithread=True)  # concurrent requests: say so (W311)
    environ = threaded.environ(Request())
    body = lint(environ, start_response)
    first = next(iter(body))  # in flight: neither exhausted nor closed
    worker = threading.Thread(target=threaded.serve, args=(lint,))
    worker.start()
    worker.join(10)
    threaded.serve(lint)
    assert first == b"a" and lint.violations == []
    assert [v.code for v in lint.finish()] == ["W305"]  # abandoned without close()


def test_closed_after_error_is_fine() -> None:
    def failing(environ: Any, start_response: Any) -> Any:
        start_response("200 OK", [])
        yield b"x"
        raise RuntimeError("app bug")

    lint = WSGILint(failing, mode="collect")
    response = STRICT.serve(lint)
    assert isinstance(response.error, RuntimeError)
    assert lint.finish() == []


def test_trapped_reraise_in_plain_function() -> None:
    def app(environ: Any, start_response: Any) -> list[bytes]:
        write = start_response("200 OK", [])
        write(b"sent")
        try:
            raise ValueError("x")
        except ValueError:
            try:
                start_response("500 Error", [], sys.exc_info())
            except ValueError:
                return [b"carried on"]
        return []

    lint = WSGILint(app, mode="collect")
    STRICT.serve(lint)
    assert [v.code for v in lint.violations] == ["W510"]


# -- transparency ------------------------------------------------------------------------------------
def test_unknown_stream_attributes_pass_through() -> None:
    seen: dict[str, Any] = {}

    def app(environ: Any, start_response: Any) -> list[bytes]:
        stream = environ["wsgi.input"]
        seen["tell"] = stream.tell()
        seen["data"] = stream.read()
        stream.seek(0)
        seen["again"] = stream.read(2)
        seen["encoding"] = environ["wsgi.errors"].encoding
        start_response("200 OK", [])
        return []

    class TextErrors(Server):
        def errors(self) -> Any:
            self.log = io.StringIO()
            return io.TextIOWrapper(io.BytesIO(), encoding="utf-8")

    lint = WSGILint(app, mode="collect")
    TextErrors().serve(lint, Request(method="POST", body=b"abc"))
    assert seen == {"tell": 0, "data": b"abc", "again": b"ab", "encoding": "utf-8"}
    w603 = sorted(v.signature for v in lint.violations if v.code == "W603")
    assert w603 == ["errors.encoding", "input.seek", "input.tell"]


def test_server_gets_its_own_file_wrapper_back() -> None:
    received: list[Any] = []

    class Recording(Server):
        def iterate(self, result: Any, send: Any) -> None:
            received.append(result)
            super().iterate(result, send)

    lint = WSGILint(apps.file_response, mode="collect")
    response = Recording().serve(lint)
    assert type(received[0]) is Recording.file_wrapper  # the server's own object, not a proxy
    assert response.body == b"file data"
    assert lint.finish() == []


def test_server_recognises_its_wrapper_through_environ() -> None:
    """gunicorn asks isinstance(result, environ["wsgi.file_wrapper"]) after the app returned."""
    environ = STRICT.environ(Request())
    server_class = environ["wsgi.file_wrapper"]
    lint = WSGILint(apps.file_response, mode="collect")
    result = lint(environ, start_response)
    assert environ["wsgi.file_wrapper"] is not server_class  # wrapped, to check its contract
    assert isinstance(result, environ["wsgi.file_wrapper"])
    assert not isinstance([b"x"], environ["wsgi.file_wrapper"])
    assert issubclass(server_class, environ["wsgi.file_wrapper"])
    assert b"".join(result) == b"file data"
    result.close()


def test_len_only_when_the_app_has_it() -> None:
    environ = STRICT.environ(Request())
    lint = WSGILint(apps.sized, mode="collect")
    assert len(lint(environ, start_response)) == 2
    lint = WSGILint(apps.streaming, mode="collect")
    result = lint(STRICT.environ(Request()), start_response)
    assert not hasattr(result, "__len__")
    assert list(result) == [b"a", b"", b"b"]
    result.close()
    assert lint.finish() == []


def test_list_results_are_returned_unchanged() -> None:
    body = [b"hello"]

    def app(environ: Any, start_response: Any) -> list[bytes]:
        start_response("200 OK", [])
        return body

    assert WSGILint(app, mode="collect")(STRICT.environ(Request()), start_response) is body


def test_optional_keys_absent() -> None:
    class Minimal(Server):
        def environ(self, request: Request) -> dict[str, Any]:
            environ = super().environ(request)
            for key in ("SCRIPT_NAME", "PATH_INFO", "QUERY_STRING", "wsgi.file_wrapper", "REMOTE_ADDR", "HTTP_HOST"):
                del environ[key]
            return environ

    lint = WSGILint(apps.echo_lines, mode="collect")
    response = Minimal().serve(lint, Request(method="POST", body=b"x\ny"))
    assert response.error is None and response.body == b"x\ny"
    assert lint.finish() == []


def test_no_assert_statements_in_the_checks() -> None:
    """python -O must disable no check: the package uses no assert statement."""
    for path in (ROOT / "wsgi_checks").glob("_*.py"):
        if path.name.startswith(("_probe", "_driver")):
            continue
        assert "\n    assert " not in path.read_text() and "\nassert " not in path.read_text(), path


def test_checks_survive_python_O() -> None:
    code = (
        "from fixtures.wsgi import apps\n"
        "from fixtures.wsgi.harness import STRICT\n"
        "from wsgi_checks import WSGILint\n"
        "lint = WSGILint(apps.status('200'), mode='raise')\n"
        "print(type(STRICT.serve(lint).error).__name__, lint.violations[0].code)\n"
    )
    out = subprocess.run(
        [sys.executable, "-O", "-c", code],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        check=True,
    )
    assert out.stdout.split() == ["AppSpecViolation", "W512"]


def test_spec_violation_is_an_assertion_error() -> None:
    assert issubclass(SpecViolation, AssertionError)


def test_http_variables_with_a_dot_are_cgi_variables() -> None:
    """A header named X.Dotted becomes HTTP_X.DOTTED: a CGI variable, not an extension key."""

    class DottedHeader(Server):
        def environ(self, request: Request) -> dict[str, Any]:
            environ = super().environ(request)
            environ["HTTP_X.DOTTED"] = b"bytes"
            return environ

    lint = WSGILint(apps.hello, mode="collect")
    DottedHeader().serve(lint)
    assert [(v.code, v.signature) for v in lint.finish()] == [("W103", "HTTP_X.DOTTED")]
