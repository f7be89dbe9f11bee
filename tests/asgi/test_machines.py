"""The transition tables are complete and consistent: every target state is a known
state, every code is an ASGI rule, every state is reachable from the start."""

from __future__ import annotations

import itertools

import pytest

from asgi_checks import HTTP_RECEIVE, HTTP_SEND, LIFESPAN, RULES, WEBSOCKET
from asgi_checks._machines import (
    HTTP_STATES,
    LIFESPAN_DEFAULT,
    WEBSOCKET_DEFAULT,
    Table,
    http_send_error,
    step,
)

CODES = {r.code for r in RULES}
HTTP_EVENTS = sorted({event for _, event in HTTP_SEND} | {"s.trailers", "s.trailers_end", "s.pathsend_t"})


def reachable(table: Table, start: str) -> set[str]:
    seen, todo = {start}, [start]
    while todo:
        state = todo.pop()
        for (source, _), (target, _) in table.items():
            if source == state and target not in seen:
                seen.add(target)
                todo.append(target)
    return seen


@pytest.mark.parametrize(
    ("table", "start"), [(HTTP_RECEIVE, "request"), (HTTP_SEND, "fresh"), (WEBSOCKET, "wait"), (LIFESPAN, "wait")]
)
def test_states_reachable_and_codes_known(table: Table, start: str) -> None:
    states = {s for s, _ in table} | {t for t, _ in table.values()}
    assert reachable(table, start) == states
    assert {code for _, code in table.values() if code} <= CODES


def test_http_receive_is_total() -> None:
    states = {s for s, _ in HTTP_RECEIVE}
    for state, event in itertools.product(states, ("r.request", "r.request_end", "r.disconnect")):
        assert (state, event) in HTTP_RECEIVE


def test_http_send_errors_for_every_missing_pair() -> None:
    assert set(HTTP_STATES) == {s for s, _ in HTTP_SEND} | {t for t, _ in HTTP_SEND.values()}
    for state, event, promised in itertools.product(HTTP_STATES, HTTP_EVENTS, (True, False)):
        if (state, event) not in HTTP_SEND:
            assert http_send_error(state, event, promised) in CODES


@pytest.mark.parametrize(("table", "defaults"), [(WEBSOCKET, WEBSOCKET_DEFAULT), (LIFESPAN, LIFESPAN_DEFAULT)])
def test_step_defaults_cover_every_event(table: Table, defaults: dict[str, str]) -> None:
    states = {s for s, _ in table} | {t for t, _ in table.values()}
    assert {event for _, event in table} <= set(defaults)
    assert set(defaults.values()) <= CODES
    for state, event in itertools.product(states, defaults):
        next_state, code = step(table, defaults, state, event)
        assert next_state in states
        assert code is None or code in CODES


def test_legal_paths() -> None:
    state = "fresh"
    for event in (
        "s.debug",
        "s.start",
        "s.early_hint",
        "s.body",
        "s.push",
        "s.zerocopy",
        "s.body_end_t",
        "s.trailers",
        "s.trailers_end",
    ):
        state, code = HTTP_SEND[(state, event)]
        assert code is None
    assert state == "done"
    state = "wait"
    for event in ("r.connect", "s.accept", "r.receive", "s.send", "s.close", "r.disconnect", "s.send"):
        state, code = step(WEBSOCKET, WEBSOCKET_DEFAULT, state, event)
        assert code is None, event
    state = "wait"
    for event in ("r.startup", "s.startup", "r.shutdown", "s.shutdown"):
        state, code = step(LIFESPAN, LIFESPAN_DEFAULT, state, event)
        assert code is None
    assert state == "stopped"
