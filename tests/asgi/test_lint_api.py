"""ASGILint's public surface: modes, selection, blame and place, legacy callables,
transparency, Starlette's add_middleware, and exchange_from_scope."""

from __future__ import annotations

import asyncio
import inspect
from typing import Any

import pytest

import asgi_checks
from asgi_checks import ASGILint, exchange_from_scope
from fixtures.asgi.apps import body, hello, start
from fixtures.asgi.cases import LegacyApp, sync_app
from fixtures.asgi.harness import http_scope, lifespan_scope, run_sync, ws_scope
from speccheck import AppSpecViolation, Collector, ServerSpecViolation, SpecWarning, UsageError

REQ = [{"type": "http.request", "body": b""}]
SEND_LINE: dict[str, int] = {}


async def capitalised(scope: Any, receive: Any, send: Any) -> None:
    await receive()
    SEND_LINE["start"] = inspect.currentframe().f_lineno + 1  # type: ignore[union-attr]
    await send(start(200, [[b"Content-Type", b"text/plain"]]))
    await send(body(b"x"))


def test_exports() -> None:
    assert set(asgi_checks.__all__) == {
        "ASGILint",
        "H_CODES",
        "HTTP_RECEIVE",
        "HTTP_SEND",
        "LIFESPAN",
        "RULES",
        "WEBSOCKET",
        "exchange_from_scope",
    }
    assert all(rule.code.startswith("A") for rule in asgi_checks.RULES)


def test_collect_mode_records_app_violation_with_the_apps_line() -> None:
    lint = ASGILint(capitalised, mode="collect")
    run_sync(lint, http_scope(), REQ)
    [found] = lint.violations
    assert (found.code, found.side, found.level) == ("A304", "app", "must")
    assert found.location is not None
    assert found.location.file == __file__
    assert found.location.line == SEND_LINE["start"]
    assert found.exchange is not None
    assert (found.exchange.interface, found.exchange.method, found.exchange.target) == ("asgi", "GET", "/")


def test_raise_mode_raises_out_of_the_faulty_send() -> None:
    caught: list[BaseException] = []

    async def app(scope: Any, receive: Any, send: Any) -> None:
        try:
            await send(start(200, [[b"X-Upper", b"1"]]))
        except AppSpecViolation as exc:
            caught.append(exc)
        await send(start())
        await send(body())

    outcome = run_sync(ASGILint(app, mode="raise"), http_scope(), REQ)
    assert outcome.error is None
    assert [exc.violation.code for exc in caught] == ["A304"]  # type: ignore[attr-defined]


def test_raise_mode_server_violation_comes_before_the_app_runs() -> None:
    calls: list[str] = []

    async def app(scope: Any, receive: Any, send: Any) -> None:
        calls.append("called")

    outcome = run_sync(ASGILint(app, mode="raise"), http_scope(method=b"GET"), REQ)
    assert isinstance(outcome.error, ServerSpecViolation)
    assert outcome.error.violation.code == "A202"
    assert calls == []


def test_warn_mode_warns_once_per_finding() -> None:
    lint = ASGILint(capitalised, mode="warn")

    def twice() -> None:
        run_sync(lint, http_scope(), REQ)
        run_sync(lint, http_scope(), REQ)

    with pytest.warns(SpecWarning, match="A304") as record:
        twice()
    assert len([w for w in record if "A304" in str(w.message)]) == 1
    assert lint.violations[0].count == 2


def test_select_and_ignore() -> None:
    ignored = ASGILint(capitalised, mode="collect", ignore="A304")
    run_sync(ignored, http_scope(), REQ)
    assert ignored.violations == []
    only_h = ASGILint(capitalised, mode="collect", select="H")
    run_sync(only_h, http_scope(), REQ)
    assert only_h.violations == []
    with pytest.raises(UsageError):
        ASGILint(hello, select="A999")
    with pytest.raises(UsageError):
        ASGILint(hello, mode="loud")  # type: ignore[arg-type]


@pytest.mark.parametrize(("app", "code"), [(LegacyApp, "A101"), (sync_app, "A102")])
def test_legacy_callables_reported_at_wrap_time_and_still_run(app: Any, code: str) -> None:
    lint = ASGILint(app, mode="collect")
    assert [v.code for v in lint.violations] == [code]
    outcome = run_sync(lint, http_scope(), REQ)
    assert outcome.error is None
    assert [m["type"] for m in outcome.sent] == ["http.response.start", "http.response.body"]
    assert [v.code for v in lint.violations] == [code]
    with pytest.raises(AppSpecViolation):
        ASGILint(app, mode="raise")


def test_single_callables_are_not_reported() -> None:
    class Instance:
        async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
            await hello(scope, receive, send)

    for app in (hello, Instance()):
        lint = ASGILint(app, mode="collect")
        run_sync(lint, http_scope(), REQ)
        assert lint.violations == []


def test_raising_on_lifespan_or_unknown_scope_is_legal() -> None:
    async def no_lifespan(scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            raise ValueError(f"unsupported scope type {scope['type']}")
        await hello(scope, receive, send)

    lint = ASGILint(no_lifespan, mode="collect")
    life = run_sync(lint, lifespan_scope(), [{"type": "lifespan.startup"}])
    other = run_sync(lint, {"type": "mychat", "asgi": {"version": "3.0"}}, [])
    assert isinstance(life.error, ValueError)
    assert isinstance(other.error, ValueError)
    assert lint.violations == []
    assert lint.seen["other"] == 1


def test_client_disconnect_excuses_an_incomplete_response() -> None:
    async def long_poll(scope: Any, receive: Any, send: Any) -> None:
        await send(start())
        await send(body(b"waiting", more=True))
        while (await receive())["type"] != "http.disconnect":
            pass

    lint = ASGILint(long_poll, mode="collect")
    run_sync(lint, http_scope(asgi={"version": "3.0", "spec_version": "2.3"}), REQ)
    assert lint.violations == []


def test_transparent_attribute_access() -> None:
    class App:
        flag = "kept"

        async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
            await hello(scope, receive, send)

    lint = ASGILint(App(), mode="collect")
    assert lint.flag == "kept"
    with pytest.raises(AttributeError):
        _ = lint.no_such_attribute


@pytest.mark.parametrize("framework", ["starlette", "fastapi"])
def test_add_middleware_with_a_shared_collector(framework: str) -> None:
    from fastapi import FastAPI
    from starlette.applications import Starlette
    from starlette.responses import PlainTextResponse
    from starlette.routing import Mount, Route

    async def fine(request: Any) -> PlainTextResponse:
        return PlainTextResponse("ok")

    collector = Collector()
    routes = [Route("/fine", fine), Mount("/raw", app=capitalised)]
    app = Starlette(routes=routes) if framework == "starlette" else FastAPI(routes=routes)
    app.add_middleware(ASGILint, mode="collect", collector=collector)
    fine_run = run_sync(app, http_scope(path="/fine", raw_path=b"/fine"), REQ)
    assert fine_run.sent[-1]["body"] == b"ok"
    assert collector.violations() == []
    raw_run = run_sync(app, http_scope(path="/raw/x", raw_path=b"/raw/x"), REQ)
    assert raw_run.sent[0]["status"] == 200
    assert [v.code for v in collector.violations()] == ["A304"]


def test_exchange_from_scope() -> None:
    scope = http_scope(method="POST", raw_path=b"/a%20b", query_string=b"x=1", headers=[[b"host", b"h"]])
    exchange = exchange_from_scope(scope)
    assert (exchange.interface, exchange.scope_type, exchange.method, exchange.target) == (
        "asgi",
        "http",
        "POST",
        "/a%20b?x=1",
    )
    assert exchange.headers == (("host", "h"),)
    assert exchange_from_scope(http_scope(raw_path=None, path="/a b")).target == "/a%20b"
    assert exchange_from_scope(ws_scope(path="/ws")).summary() == "websocket /"
    assert exchange_from_scope(lifespan_scope()).summary() == "lifespan"
    assert exchange_from_scope(None).scope_type == "?"


def test_many_requests_fold_into_one_record() -> None:
    lint = ASGILint(capitalised, mode="collect")

    async def many() -> None:
        from fixtures.asgi.harness import run

        for _ in range(200):
            await run(lint, http_scope(), REQ)

    asyncio.run(many())
    [found] = lint.violations
    assert found.count == 200


def test_starlette_rejecting_a_websocket_before_receiving_connect_is_silent() -> None:
    """Starlette's WebSocket.close() and send_denial_response() reply without receiving
    websocket.connect first; the spec does not forbid that (A412 is opt-in), and the
    connect delivered afterwards is not a duplicate."""
    from starlette.applications import Starlette
    from starlette.responses import PlainTextResponse
    from starlette.routing import WebSocketRoute
    from starlette.websockets import WebSocket

    async def deny(ws: WebSocket) -> None:
        await ws.send_denial_response(PlainTextResponse("nope", status_code=401))

    async def close(ws: WebSocket) -> None:
        await ws.close(code=4001, reason="bye")
        await ws.receive()

    app = Starlette(routes=[WebSocketRoute("/deny", deny), WebSocketRoute("/close", close)])
    lint = ASGILint(app, mode="collect")
    for path in ("/deny", "/close"):
        scope = ws_scope(path=path, raw_path=path.encode(), extensions={"websocket.http.response": {}})
        outcome = run_sync(lint, scope, [{"type": "websocket.connect"}])
        assert outcome.error is None
        assert outcome.sent[0]["type"] in ("websocket.close", "websocket.http.response.start")
    assert lint.violations == []
    strict = ASGILint(app, mode="collect", select="A412")
    run_sync(strict, ws_scope(path="/close", raw_path=b"/close"), [{"type": "websocket.connect"}])
    assert [v.code for v in strict.violations] == ["A412"]


def test_starlette_relative_file_response_pathsend_is_reported() -> None:
    """A finding that stands: Starlette 1.10 sends FileResponse's path as given, and
    extensions.rst wants 'The string representation of the absolute file path'."""
    from starlette.responses import FileResponse

    lint = ASGILint(FileResponse("README.md"), mode="collect")
    outcome = run_sync(lint, http_scope(extensions={"http.response.pathsend": {}}), REQ)
    assert outcome.sent[-1] == {"type": "http.response.pathsend", "path": "README.md"}
    assert [v.code for v in lint.violations] == ["A605"]


def test_debug_info_may_hold_any_value() -> None:
    """extensions.rst: info is Dict[Unicode string, Any] (Starlette puts templates and
    requests in it), so only its keys are checked."""

    async def app(scope: Any, receive: Any, send: Any) -> None:
        await send({"type": "http.response.debug", "info": {"template": object(), "context": {"request": object()}}})
        await send(start())
        await send(body(b"x"))

    lint = ASGILint(app, mode="collect")
    run_sync(lint, http_scope(extensions={"http.response.debug": {}}), REQ)
    assert lint.violations == []


def test_exercised_rules_are_marked_checked() -> None:
    lint = ASGILint(hello, mode="collect", ignore="A3")
    run_sync(lint, http_scope(), REQ)
    checked = lint.collector.checked
    assert {"A201", "A208", "H103", "A604"} <= checked
    assert not any(code.startswith(("A3", "A4", "A5")) for code in checked)
    run_sync(lint, ws_scope(), [{"type": "websocket.connect"}])
    run_sync(lint, lifespan_scope(), [{"type": "lifespan.startup"}, {"type": "lifespan.shutdown"}])
    assert {"A404", "A421", "A503", "A513"} <= lint.collector.checked
