"""Each broken fixture in fixtures/apps is found by app mode alone, shrunk to a small
request, and its replay payload reproduces it; the correct twins stay silent."""

from __future__ import annotations

import importlib
from typing import Any

import pytest

from speccheck.app._harness import make_harness
from speccheck.app._load import detect_interface
from speccheck.app._replay_data import plan_from_dict
from speccheck.app._runner import AppRunOptions, check_app, examine
from speccheck.app._strategies import Route
from speccheck.traffic import RequestPlan

BROKEN = [
    ("asgi_first_message", "D001", "split"),
    ("asgi_ignores_more_body", "D001", "split"),
    ("asgi_needs_root_path", "D003", "root_path"),
    ("asgi_needs_client", "D005", "client"),
    ("asgi_raw_path_none", "D005", "raw_path"),
    ("asgi_needs_more_body_key", "D007", "omit_defaults"),
    ("wsgi_read_once", "D002", "split"),
    ("wsgi_needs_query_string", "D004", "empty_query"),
    ("wsgi_needs_multithread", "D006", "multithread"),
]
CORRECT = ["asgi_correct", "wsgi_correct", "asgi_ws_correct"]


def _run(module: str, examples: int = 150, seed: int = 0) -> tuple[Any, list[Any]]:
    app, interface = detect_interface(importlib.import_module(f"fixtures.apps.{module}").app)
    harness = make_harness(app, interface, timeout=3)
    routes = [Route(b"/"), Route(b"/ws", ("WS",))] if "_ws_" in module else [Route(b"/")]
    options = AppRunOptions(
        target=f"fixtures.apps.{module}:app", routes=routes, examples=examples, max_time=20, seed=seed
    )
    return harness, check_app(harness, options)


@pytest.mark.parametrize(("module", "code", "signature"), BROKEN)
def test_broken_fixture_found_shrunk_and_replayed(module: str, code: str, signature: str) -> None:
    harness, violations = _run(module)
    try:
        assert [v.code for v in violations] == [code], [v.one_line() for v in violations]
        violation = violations[0]
        assert violation.signature == signature
        plan = plan_from_dict(violation.extra["plan"])
        assert isinstance(plan, RequestPlan)
        # shrunk: no headers, path "/", a body of at most 2 bytes (none if the body is not the point)
        assert plan.headers == () and plan.target == b"/"
        assert len(plan.body) <= (2 if signature == "split" else 0)
        assert violation.exchange is not None and violation.exchange.replay.startswith(
            "speccheck replay fixtures.apps."
        )
        payload: Any = violation.extra["replay"]
        delivery = harness.delivery_from_dict(payload["delivery"])
        assert (
            examine(harness, plan_from_dict(payload["plan"]), payload["rule"], payload["signature"], delivery)
            is not None
        )
        # the same request delivered the baseline way does not show it
        assert examine(harness, plan, code, "", harness.baseline) is None
    finally:
        harness.close()


@pytest.mark.parametrize("module", CORRECT)
@pytest.mark.parametrize("seed", [0, 1])
def test_correct_twin_is_clean(module: str, seed: int) -> None:
    harness, violations = _run(module, examples=200, seed=seed)
    harness.close()
    assert violations == []


def test_raise_only_for_some_requests_is_t005_with_app_location() -> None:
    async def app(scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            raise RuntimeError("no lifespan")
        message = await receive()
        if b"!" in message["body"]:
            raise ValueError("bang")
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})

    harness = make_harness(app, "asgi", timeout=2)
    try:
        options = AppRunOptions(target="x:app", examples=300, max_time=20)
        violations = check_app(harness, options)
    finally:
        harness.close()
    t005 = [v for v in violations if v.code == "T005"]
    assert len(t005) == 1, [v.one_line() for v in violations]
    assert t005[0].location is not None and t005[0].location.file == __file__
    assert "bang" in t005[0].message and "traceback" in t005[0].extra
    plan = plan_from_dict(t005[0].extra["plan"])  # type: ignore[arg-type]
    assert isinstance(plan, RequestPlan) and plan.body == b"!"


def test_hang_is_t006_and_the_run_goes_on() -> None:
    import time

    def app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        if environ["REQUEST_METHOD"] == "PUT":
            time.sleep(3)
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"ok"]

    harness = make_harness(app, "wsgi", timeout=0.2)
    done: list[int] = []
    try:
        options = AppRunOptions(target="x:app", examples=30, max_time=15)
        violations = check_app(harness, options, progress=lambda n, planned: done.append(n))
    finally:
        harness.close()
    assert [v.code for v in violations] == ["T006"]
    assert done[-1] == 30  # every example ran: a hang costs its time limit, not the run
    assert violations[0].location is not None and violations[0].location.file == __file__


def test_nondeterministic_app_is_not_blamed() -> None:
    import itertools

    counter = itertools.count()

    def app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        body = environ["wsgi.input"].read()
        start_response("200 OK", [("Content-Type", "text/plain"), ("Date", str(next(counter)))])
        return [b"%d %d" % (len(body), next(counter))]  # a counter in the body: every answer differs

    harness = make_harness(app, "wsgi", timeout=2)
    try:
        assert check_app(harness, AppRunOptions(target="x:app", examples=100, max_time=15)) == []
    finally:
        harness.close()


def test_examine_rejects_unknown_difference() -> None:
    harness = make_harness(importlib.import_module("fixtures.apps.wsgi_correct").app, "wsgi")
    try:
        assert examine(harness, RequestPlan(method="POST", body=b"ab"), "D002", "split", harness.baseline) is None
    finally:
        harness.close()


def test_websocket_fixture_found_and_replayed() -> None:
    harness, violations = _run("asgi_ws_needs_client")
    try:
        assert [(v.code, v.signature) for v in violations] == [("D005", "client")], [v.one_line() for v in violations]
        [violation] = violations
        assert violation.exchange is not None and violation.exchange.scope_type == "websocket"
        payload: Any = violation.extra["replay"]
        assert payload["plan"]["kind"] == "websocket" and payload["plan"]["actions"] == [["close", 1000, ""]]
        plan = plan_from_dict(payload["plan"])
        delivery = harness.delivery_from_dict(payload["delivery"])
        assert examine(harness, plan, "D005", "client", delivery) is not None
        assert violation.location is not None and violation.location.file.endswith("asgi_ws_needs_client.py")
    finally:
        harness.close()


def test_disconnect_mid_body_hang_is_t006() -> None:
    app = importlib.import_module("fixtures.apps.asgi_ignores_disconnect").app
    harness = make_harness(app, "asgi", timeout=0.5)
    try:
        violations = check_app(harness, AppRunOptions(target="x:app", examples=120, max_time=20))
    finally:
        harness.close()
    assert [(v.code, v.signature) for v in violations] == [("T006", "disconnect")], [v.one_line() for v in violations]
    assert "disconnected halfway" in violations[0].message


def test_lint_finding_flows_through_with_replay() -> None:
    async def app(scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            raise RuntimeError("no lifespan")
        await receive()
        await send({"type": "http.response.start", "status": 200, "headers": [[b"X-Upper", b"1"]]})
        await send({"type": "http.response.body", "body": b"ok"})

    harness = make_harness(app, "asgi", timeout=2)
    try:
        violations = check_app(harness, AppRunOptions(target="x:app", examples=30, max_time=10))
        assert [v.code for v in violations] == ["A304"], [v.one_line() for v in violations]
        [violation] = violations
        assert violation.location is not None and violation.location.file == __file__
        payload: Any = violation.extra["replay"]
        assert payload["plan"]["target"] == "/" and payload["plan"]["method"] == "GET"
        delivery = harness.delivery_from_dict(payload["delivery"])
        plan = plan_from_dict(payload["plan"])
        assert examine(harness, plan, "A304", payload["signature"], delivery) is not None
        assert examine(harness, plan, "A304", "another-signature", delivery) is None
    finally:
        harness.close()


def test_public_check_app_function() -> None:
    from speccheck.app import check_app as public_check_app

    app = importlib.import_module("fixtures.apps.wsgi_needs_query_string").app
    violations = public_check_app(app, paths=["/", "GET:/search"], examples=40, target="fixtures.apps.x:app")
    assert [(v.code, v.signature) for v in violations] == [("D004", "empty_query")]
    assert violations[0].exchange is not None and "fixtures.apps.x:app" in violations[0].exchange.replay


def test_app_blocking_the_event_loop_stops_the_run_with_t006() -> None:
    import threading
    import time

    released = threading.Event()  # set once the run is over: the abandoned loop stops spinning

    async def app(scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            raise RuntimeError("no lifespan")
        await receive()
        if scope["method"] == "PUT":
            until = time.monotonic() + 6
            while time.monotonic() < until and not released.is_set():  # a CPU loop: never yields to the event loop
                pass
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})

    harness = make_harness(app, "asgi", timeout=0.3)
    started = time.monotonic()
    try:
        violations = check_app(harness, AppRunOptions(target="x:app", examples=200, max_time=20))
    finally:
        harness.close()
        released.set()  # (the later tests need the CPU this thread would burn for seconds)
    assert time.monotonic() - started < 10
    assert [(v.code, v.signature) for v in violations] == [("T006", "event-loop-blocked")]
    assert violations[0].location is not None and violations[0].location.file == __file__


def _lifespan_app(fail_shutdown: bool, startup_error: Exception | None) -> Any:
    """Starlette's way: lifespan.startup.failed only when the startup code raises, and
    shutdown.failed (here: always, when asked) from its shutdown code."""

    async def app(scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            await receive()
            if startup_error is not None:
                await send({"type": "lifespan.startup.failed", "message": str(startup_error)})
                return
            await send({"type": "lifespan.startup.complete"})
            await receive()
            await send({"type": f"lifespan.shutdown.{'failed' if fail_shutdown else 'complete'}"})
            return
        await receive()
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})

    return app


def test_lifespan_failed_events_under_spec_1_0() -> None:
    """A705: lifespan 1.0 (no spec_version) has no *.failed events. The driver tries the
    other spec_versions in extra lifespan runs: a shutdown.failed sent to any server is found;
    an app that sends startup.failed only when its startup fails is clean while it starts."""
    from speccheck.app import check_app as public_check_app

    found = public_check_app(_lifespan_app(True, None), "asgi", examples=5, max_time=2.0)
    assert [v.code for v in found] == ["A705"] and found[0].extra["when"] == "setup"
    assert public_check_app(_lifespan_app(False, None), "asgi", examples=5, max_time=2.0) == []
    refused = public_check_app(_lifespan_app(False, RuntimeError("db down")), "asgi", examples=5, max_time=2.0)
    assert [v.code for v in refused] == ["A705"]


def test_extra_lifespan_runs_follow_the_main_one_unless_its_shutdown_hung() -> None:
    import asyncio

    def app_seeing(scopes: list[str | None], hang_on_shutdown: bool) -> Any:
        async def app(scope: Any, receive: Any, send: Any) -> None:
            if scope["type"] == "lifespan":
                scopes.append(scope["asgi"].get("spec_version"))
                await receive()
                await send({"type": "lifespan.startup.complete"})
                await receive()
                if hang_on_shutdown:
                    await asyncio.sleep(30)
                await send({"type": "lifespan.shutdown.complete"})
                return
            await receive()
            await send({"type": "http.response.start", "status": 204, "headers": []})
            await send({"type": "http.response.body", "body": b""})

        return app

    from speccheck.app import check_app as public_check_app

    seen: list[str | None] = []
    assert public_check_app(app_seeing(seen, False), "asgi", examples=3, max_time=2.0, timeout=0.3) == []
    assert seen == ["2.0", None, "1.0"]  # the run's own lifespan, then spec_version left out and "1.0"
    seen.clear()
    assert public_check_app(app_seeing(seen, True), "asgi", examples=3, max_time=2.0, timeout=0.3) == []
    assert seen == ["2.0"]
