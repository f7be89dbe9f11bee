"""The reference drivers behave as strict servers: environ/scope built by the spec's
rules, body delivery as the delivery says, PEP 3333 start_response semantics, ASGI
disconnect and lifespan semantics, hangs and raises turned into answers."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable, Iterable
from typing import Any

import pytest

from asgi_checks._driver import ASGIDelivery, ASGIDriver, ClientDisconnected, body_messages, build_scope
from speccheck.app._worker import TimedOut, Worker
from speccheck.traffic import RequestPlan
from wsgi_checks._driver import WSGIDelivery, build_environ, deliver_wsgi

POST = RequestPlan(
    method="POST",
    target=b"/a%20b/%C3%A9?x=1",
    headers=(
        (b"Content-Type", b"text/plain"),
        (b"X-Dup", b"1"),
        (b"x-dup", b"2"),
        (b"x_under", b"no"),
        (b"Cookie", b"a=1"),
        (b"cookie", b"b=2"),
    ),
    body=b"hello world",
)


def test_environ_follows_cgi_rules() -> None:
    env = build_environ(POST, WSGIDelivery())
    assert env["PATH_INFO"] == "/a b/\u00c3\u00a9"  # %-decoded, then latin-1 decoded
    assert env["QUERY_STRING"] == "x=1"
    assert env["SCRIPT_NAME"] == ""
    assert env["CONTENT_TYPE"] == "text/plain" and "HTTP_CONTENT_TYPE" not in env
    assert env["CONTENT_LENGTH"] == "11" and "HTTP_CONTENT_LENGTH" not in env
    assert env["HTTP_X_DUP"] == "1, 2"
    assert env["HTTP_COOKIE"] == "a=1; b=2"
    assert not any(k.startswith("HTTP_X_UNDER") for k in env)  # dropped: no unambiguous CGI name
    assert env["wsgi.version"] == (1, 0) and "wsgi.file_wrapper" in env


def test_environ_optional_keys_left_out() -> None:
    plan = RequestPlan(method="GET", target=b"/", framing="none")
    env = build_environ(plan, WSGIDelivery(script_name=False, empty_query=False, file_wrapper=False))
    assert "SCRIPT_NAME" not in env and "QUERY_STRING" not in env and "wsgi.file_wrapper" not in env
    assert "CONTENT_LENGTH" not in env
    assert build_environ(plan, WSGIDelivery(empty_content_length=True))["CONTENT_LENGTH"] == ""


def test_input_short_reads_and_eof() -> None:
    stream = build_environ(POST, WSGIDelivery(split=(3, 1)))["wsgi.input"]
    assert stream.read(100) == b"hel"
    assert stream.read(100) == b"l"
    assert stream.read(100) == b"o w"
    assert stream.read() == b"orld"
    assert stream.read(5) == b"" and stream.read() == b""
    lines = build_environ(RequestPlan(method="POST", body=b"a\nbb\nc"), WSGIDelivery(split=(1,)))["wsgi.input"]
    assert list(lines) == [b"a\n", b"bb\n", b"c"]


def _app(body: Iterable[bytes], status: str = "200 OK") -> Callable[..., Iterable[bytes]]:
    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        write = start_response(status, [("Content-Type", "text/plain")])
        write(b"w:")
        return body

    return app


def test_wsgi_answer_write_then_iterable_and_close() -> None:
    closed: list[bool] = []

    class Body:
        def __iter__(self) -> Any:
            return iter([b"a", b"", b"b"])

        def close(self) -> None:
            closed.append(True)

    answer = deliver_wsgi(_app(Body()), POST)
    assert (answer.status, answer.body, answer.headers) == (200, b"w:ab", (("content-type", "text/plain"),))
    assert closed == [True]


def test_wsgi_exc_info_after_headers_sent_reraises() -> None:
    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        start_response("200 OK", [])
        yield b"partial"
        try:
            raise ValueError("late")
        except ValueError:
            import sys

            start_response("500 Error", [], sys.exc_info())
        yield b"never"

    answer = deliver_wsgi(app, POST)
    assert answer.error.startswith("ValueError: late")
    assert answer.location is not None and answer.location.file == __file__


def test_wsgi_hang_is_bounded() -> None:
    release = threading.Event()

    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        release.wait(5)
        start_response("200 OK", [])
        return [b""]

    started = time.monotonic()
    worker = Worker()
    answer = deliver_wsgi(app, POST, timeout=0.3, worker=worker)
    release.set()
    assert answer.hung and time.monotonic() - started < 2
    assert answer.location is not None and answer.location.function == "app"
    worker.close()


def test_asgi_body_messages_split_and_empty() -> None:
    messages = body_messages(b"abcdef", ASGIDelivery(split=(2, 0, 3), trailing_empty=True))
    assert [m["body"] for m in messages] == [b"ab", b"", b"cde", b"f", b""]
    assert [m["more_body"] for m in messages] == [True, True, True, True, False]
    assert body_messages(b"", ASGIDelivery()) == [{"type": "http.request", "body": b"", "more_body": False}]
    assert body_messages(b"ab", ASGIDelivery(split=(0, 2), omit_defaults=True)) == [
        {"type": "http.request", "more_body": True},
        {"type": "http.request", "body": b"ab"},
    ]


def test_asgi_scope_optional_keys() -> None:
    full = build_scope(POST, ASGIDelivery())
    assert full["path"] == "/a b/\u00e9" and full["raw_path"] == b"/a%20b/%C3%A9" and full["query_string"] == b"x=1"
    assert [b"content-type", b"text/plain"] in full["headers"] and full["headers"][0][0] == b"host"
    bare = build_scope(
        POST, ASGIDelivery(root_path=False, client=False, server=False, raw_path="absent", spec_version="")
    )
    for key in ("root_path", "client", "server", "raw_path"):
        assert key not in bare
    assert "spec_version" not in bare["asgi"]
    assert build_scope(POST, ASGIDelivery(raw_path="none"))["raw_path"] is None


def test_asgi_disconnect_after_response_and_mid_body() -> None:
    events: list[str] = []

    async def app(scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            raise RuntimeError("no lifespan")
        body = b""
        while True:
            message = await receive()
            events.append(message["type"])
            if message["type"] == "http.disconnect":
                with pytest.raises(ClientDisconnected):
                    await send({"type": "http.response.start", "status": 200})
                return
            body += message["body"]
            if not message["more_body"]:
                break
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": body})
        events.append((await receive())["type"])  # after the response: the connection ends

    with ASGIDriver(app, timeout=2) as driver:
        assert driver.lifespan_supported is False  # raising for lifespan is a legal opt-out
        answer = driver.deliver(POST, ASGIDelivery(split=(4, 4)))
        assert answer.body == b"hello world"
        assert events == ["http.request"] * 3 + ["http.disconnect"]
        events.clear()
        driver.deliver(POST, ASGIDelivery(split=(4, 4), disconnect_mid=True))
        assert events == ["http.request", "http.disconnect"]


def test_asgi_lifespan_state_and_hang() -> None:
    async def app(scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            while True:
                message = await receive()
                if message["type"] == "lifespan.startup":
                    scope["state"]["db"] = "ready"
                    await send({"type": "lifespan.startup.complete"})
                else:
                    await send({"type": "lifespan.shutdown.complete"})
                    return
        await receive()
        if scope["path"] == "/hang":
            await asyncio.sleep(30)
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": scope["state"]["db"].encode()})

    with ASGIDriver(app, timeout=0.3) as driver:
        assert driver.lifespan_supported is True
        assert driver.deliver(RequestPlan()).body == b"ready"
        started = time.monotonic()
        hung = driver.deliver(RequestPlan(target=b"/hang"))
        assert hung.hung and time.monotonic() - started < 2
        assert hung.location is not None and hung.location.function == "app"


def test_asgi_lifespan_failure_is_reported() -> None:
    async def app(scope: Any, receive: Any, send: Any) -> None:
        await receive()
        await send({"type": "lifespan.startup.failed", "message": "no database"})

    driver = ASGIDriver(app, timeout=1)
    try:
        assert driver.startup() == "lifespan.startup.failed: no database"
    finally:
        driver.close()


def test_asgi_lifespan_cycle_varies_spec_version_and_keeps_the_main_lifespan() -> None:
    """Extra lifespan scopes: spec_version left out (1.0) or given, each with its own state;
    the driver's own lifespan (spec 2.0, its state) is untouched."""
    seen: list[tuple[str | None, str]] = []

    async def app(scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            while True:
                message = await receive()
                seen.append((scope["asgi"].get("spec_version"), message["type"]))
                if message["type"] == "lifespan.startup":
                    scope["state"]["spec"] = scope["asgi"].get("spec_version", "none")
                    await send({"type": "lifespan.startup.complete"})
                else:
                    await send({"type": "lifespan.shutdown.complete"})
                    return
        await receive()
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": scope["state"]["spec"].encode()})

    driver = ASGIDriver(app, timeout=1)
    try:
        assert driver.lifespan_cycle("") == "" and driver.lifespan_cycle("1.0") == ""
        assert driver.startup() == "" and driver.state == {"spec": "2.0"}
        assert driver.deliver(RequestPlan()).body == b"2.0"
        assert driver.shutdown() == ""
    finally:
        driver.close()
    assert seen == [
        (None, "lifespan.startup"),
        (None, "lifespan.shutdown"),
        ("1.0", "lifespan.startup"),
        ("1.0", "lifespan.shutdown"),
        ("2.0", "lifespan.startup"),
        ("2.0", "lifespan.shutdown"),
    ]


def test_wsgi_misuse_is_a_500_not_a_crash() -> None:
    def no_start(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        return [b"x"]

    def text_body(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[Any]:
        start_response("200 OK", [])
        return ["text"]

    for app in (no_start, text_body):
        answer = deliver_wsgi(app, POST)
        assert answer.status == 500 and not answer.error and answer.note, answer


def test_worker_beat_bounds_each_step_not_the_whole_job() -> None:
    """`Worker.call(..., beat=...)`: a job of several bounded steps may take longer than the
    limit in all as long as each step ends within it; a step that does not is a time-out."""
    worker = Worker()
    steps: list[int] = []

    def job(pauses: Iterable[float]) -> Callable[[], str]:
        def run() -> str:
            for pause in pauses:
                time.sleep(pause)
                steps.append(1)
            return "done"

        return run

    try:
        started = time.monotonic()
        assert worker.call(job([0.15, 0.15, 0.15]), 0.4, beat=lambda: len(steps)) == "done"
        assert time.monotonic() - started >= 0.45  # longer than the limit, in steps within it
        started = time.monotonic()
        with pytest.raises(TimedOut):
            worker.call(job([0.05, 3.0]), 0.4, beat=lambda: len(steps))
        assert time.monotonic() - started < 2.0
    finally:
        worker.close()
