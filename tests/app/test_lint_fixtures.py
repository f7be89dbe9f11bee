"""Issue 5: every app-side broken fixture of the lint tables (fixtures/wsgi/table.py,
fixtures/asgi/cases.py) is found by app mode alone, with bounded examples and time and a
fixed seed; each correct twin stays silent.

App mode only knows the app: it gets no scope or request from the fixture. What the
fixture's scope holds (an extension advertised, a spec_version, a websocket route, a
lifespan scope) app mode must reach by itself through its legal deliveries.

The ASGI fixtures are scripts that do the same thing under any scope type; a real app
dispatches on ``scope["type"]``. Each one is put in a dispatcher that runs the script for
the scope type of its fixture and correct reference code for the others (a correct
lifespan loop, the `hello` app), as an app under test would look.
"""

from __future__ import annotations

from typing import Any

import pytest

from fixtures.asgi.apps import hello, lifespan_app
from fixtures.asgi.cases import OPEN_FILES, PAIRS
from fixtures.wsgi import apps as wsgi_apps
from fixtures.wsgi.table import CASES
from speccheck import get_rule
from speccheck._errors import UsageError
from speccheck._rules import Side
from speccheck.app import check_app
from speccheck.app._harness import make_harness
from speccheck.app._load import detect_interface, discover_routes, parse_paths
from speccheck.app._runner import AppRunOptions
from speccheck.app._runner import check_app as run_app
from speccheck.app._strategies import Route

# Rules whose fixture needs a server feature the reference driver does not offer, with why.
SKIPS: dict[str, str] = {}


SEED = 0
EXAMPLES = 50  # for a broken fixture (all are found with seeds 0-3)
TWIN_EXAMPLES = 30  # for a correct twin
# A websocket fixture needs a session that reaches its script (some need a given subprotocol
# offered): the broken ones get more examples; the run stops as soon as the rule is found.
WS_EXAMPLES = 200
MAX_TIME = 4.0


def _app_side(code: str) -> bool:
    return get_rule(code).side is Side.APP and code not in SKIPS


def _select(code: str) -> tuple[str, ...] | None:
    """Opt-in rules (default=False in the catalogue) are selected, as a user would."""
    if get_rule(code).default:
        return None
    return (*(r.code for r in _all_default()), code)


def _all_default() -> list[Any]:
    from speccheck import all_rules

    return [r for r in all_rules() if r.default]


# -- WSGI -----------------------------------------------------------------------------------
WSGI = [(code, bad.app, good.app) for code, (bad, good) in CASES.items() if _app_side(code)]


def _check(app: Any, interface: str, code: str, examples: int, paths: list[str] | None = None) -> list[str]:
    """`check_app` for a broken fixture (``examples == EXAMPLES``): the run stops exploring
    once ``code`` is found, as the rest of the examples cannot take it back; for a twin:
    the whole run. Same seed, same examples, same time limit either way."""
    if examples not in (EXAMPLES, WS_EXAMPLES):
        found = check_app(
            app,
            interface,
            paths=paths,
            examples=examples,
            max_time=MAX_TIME,
            seed=SEED,
            timeout=2.0,
            select=_select(code),
        )
        return [v.code for v in found]
    app, interface = detect_interface(app, interface)  # as check_app does
    harness = make_harness(app, interface, timeout=2.0, select=_select(code))
    options = AppRunOptions(
        routes=discover_routes(app) + parse_paths(paths) or [Route(b"/")],
        examples=examples,
        max_time=MAX_TIME,
        seed=SEED,
        stop_on=frozenset({code}),
    )
    try:
        return [v.code for v in run_app(harness, options)]
    finally:
        harness.close()


def _wsgi(app: Any, code: str, examples: int = EXAMPLES) -> list[str]:
    return _check(app, "wsgi", code, examples)


# Correct twins that raise by design (PEP 3333: start_response(exc_info) re-raises once the
# headers are out, and the app lets it propagate): the crash is reported (T005), nothing else.
RAISES_BY_DESIGN = {wsgi_apps.error_after_headers}


# True findings on twins that are correct for their one fixture request only:
WSGI_TWIN_ALSO: dict[str, set[str]] = {
    # `echo` reads CONTENT_LENGTH with one read(n); read(n) may return fewer bytes (io.RawIOBase
    # semantics, PEP 3333 #input-and-error-streams), which a split delivery shows (D002)
    "W601": {"D002"},
    # `file_response` uses wsgi.file_wrapper unconditionally; the PEP makes it optional (D004)
    "W605": {"D004"},
}


@pytest.mark.parametrize(("code", "bad", "good"), WSGI, ids=[c for c, _, _ in WSGI])
def test_wsgi_fixture_found_twin_clean(code: str, bad: Any, good: Any) -> None:
    assert code in _wsgi(bad, code)
    expected = {"T005"} if good in RAISES_BY_DESIGN else set()
    found = _wsgi(good, code, TWIN_EXAMPLES)
    assert expected <= set(found) <= expected | WSGI_TWIN_ALSO.get(code, set()), found


# -- ASGI -----------------------------------------------------------------------------------
def _lifespan_spec(scope: Any) -> tuple[int, ...]:
    """A lifespan scope's spec_version ("Optional; if missing defaults to "1.0"")."""
    return tuple(int(part) for part in str((scope.get("asgi") or {}).get("spec_version", "1.0")).split("."))


def _wants(case: Any) -> Any:
    """What of its fixture's scope the script was written for: the extensions it uses, the
    method (H102 is about HEAD), the subprotocols it supports, the lifespan spec_version
    (its *.failed events came with 2.0). The dispatcher runs the script only where the
    server offers that, as an app checking its scope does."""
    scope = case.scope if isinstance(case.scope, dict) else {}
    extensions = set(scope.get("extensions") or {})
    method = scope.get("method", "GET")
    protocols = set(scope.get("subprotocols") or ())
    lifespan = _lifespan_spec(scope) if scope.get("type") == "lifespan" else (1, 0)

    def applies(scope: Any) -> bool:
        if not extensions <= set(scope.get("extensions") or {}):
            return False
        if scope.get("type") == "lifespan" and _lifespan_spec(scope) < lifespan:
            return False
        if method != "GET" and scope.get("method") != method:
            return False
        return protocols <= set(scope.get("subprotocols") or ())

    return applies


def _dispatch(case: Any) -> Any:
    """A realistic app around a fixture script: the script for its scope type (where it
    applies), correct code (a lifespan loop, the `hello` app) for the rest."""
    kind, script, applies = _kind(case), case.app, _wants(case)

    async def app(scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == kind and applies(scope):
            await script(scope, receive, send)
        elif scope["type"] == "lifespan":
            await lifespan_app(scope, receive, send)
        else:
            await hello(scope, receive, send)

    return app


def _kind(case: Any) -> str:
    scope = case.scope
    return str(scope.get("type")) if isinstance(scope, dict) else "http"


# Correct twins that depend on something no server offers: their check is skipped, with why.
TWIN_SKIPS: dict[str, str] = {
    "A301": "the twin sends http.fullflush under a made-up 'fullflush' extension no server implements",
}

# Findings app mode makes on a correct twin of the lint table that are true: the twin is
# correct for the one scope of its fixture, app mode varies what the spec leaves open.
TWIN_ALSO: dict[str, set[str]] = {
    # accept "headers" came with spec 2.1, close "reason" with 2.3: the twins send them to any server
    "A419": {"A701"},
    "A422": {"A702"},
    "A702": {"A702"},
}
# Correct twins whose lifespan startup fails by design: app mode cannot run them (UsageError).
STARTUP_FAILS = {"A513", "A514", "A705"}

ASGI = [(code, bad, good) for code, bad, good in PAIRS if _app_side(code)]


def _asgi(case: Any, code: str, examples: int = EXAMPLES) -> list[str]:
    kind = _kind(case)
    # The shape of the callable is the point of A101/A102: no dispatcher around those.
    app = case.app if code in ("A101", "A102") else _dispatch(case)
    paths = ["WS:/ws"] if kind == "websocket" else None
    if kind == "websocket" and examples == EXAMPLES:
        examples = WS_EXAMPLES
    return _check(app, "asgi", code, examples, paths)


@pytest.fixture
def _close_leaked_files() -> Any:
    yield
    while OPEN_FILES:
        OPEN_FILES.pop().close()  # the A613 fixture leaves its file open on purpose


@pytest.mark.usefixtures("_close_leaked_files")
@pytest.mark.parametrize(("code", "bad", "good"), ASGI, ids=[c for c, _, _ in ASGI])
def test_asgi_fixture_found_twin_clean(code: str, bad: Any, good: Any) -> None:
    assert code in _asgi(bad, code)
    if code in TWIN_SKIPS:
        return
    if code in STARTUP_FAILS:
        with pytest.raises(UsageError, match="did not start"):
            _asgi(good, code, TWIN_EXAMPLES)
        return
    assert set(_asgi(good, code, TWIN_EXAMPLES)) <= TWIN_ALSO.get(code, set())


def test_every_skip_names_its_reason() -> None:
    skipped = set(SKIPS) | set(TWIN_SKIPS)
    assert skipped and all(len(reason) > 20 for reason in {**SKIPS, **TWIN_SKIPS}.values())
    assert skipped <= {code for code in CASES} | {code for code, _, _ in PAIRS}


def test_a_lifespan_finding_is_reported_without_a_request_to_replay() -> None:
    """A startup that breaks the protocol is a finding (not "the app did not start"); it
    came from no request, so it has no replay line and names the lifespan exchange."""
    case = next(bad for code, bad, _ in PAIRS if code == "A511")
    found = check_app(_dispatch(case), "asgi", examples=5, max_time=2.0, seed=SEED, timeout=2.0)
    assert [v.code for v in found] == ["A511"]
    violation = found[0]
    assert "replay" not in violation.extra and violation.extra["when"] == "setup"
    assert violation.exchange is not None and violation.exchange.scope_type == "lifespan"
