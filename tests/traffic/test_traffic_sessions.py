"""websocket_sessions() and lifespan_runs(): plans are well-formed. WebSocket plans are
played through wsproto (a real RFC 6455 implementation), client to server, in memory."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from wsproto import ConnectionType, WSConnection
from wsproto import events as ws
from wsproto.frame_protocol import CloseReason

from speccheck import UsageError
from speccheck.client._frames import encode_frame
from speccheck.client._ws import message_frames
from speccheck.traffic import (
    Abort,
    Close,
    LifespanPlan,
    Ping,
    SendBytes,
    SendText,
    WebSocketPlan,
    is_field_value,
    is_origin_form,
    is_sendable_close_code,
    is_token,
    lifespan_runs,
    plan_from_dict,
    plan_to_dict,
    websocket_sessions,
)

SETTINGS = settings(max_examples=100, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])


def _pump(sender: WSConnection, receiver: WSConnection, data: bytes) -> list[ws.Event]:
    receiver.receive_data(data)
    return list(receiver.events())


def play(plan: WebSocketPlan) -> list[ws.Event]:
    """Handshake and every action through wsproto; returns what the server side saw."""
    client, server = WSConnection(ConnectionType.CLIENT), WSConnection(ConnectionType.SERVER)
    request = ws.Request(
        host="127.0.0.1",
        target=plan.target.decode("ascii"),
        subprotocols=list(plan.subprotocols),
        extra_headers=list(plan.headers),
    )
    (opened,) = _pump(client, server, client.send(request))
    assert isinstance(opened, ws.Request)
    assert opened.target == plan.target.decode("ascii")
    assert opened.subprotocols == list(plan.subprotocols)
    chosen = plan.subprotocols[0] if plan.subprotocols else None
    (accepted,) = _pump(server, client, server.send(ws.AcceptConnection(subprotocol=chosen)))
    assert isinstance(accepted, ws.AcceptConnection)
    seen: list[ws.Event] = []
    for action in plan.actions:
        if isinstance(action, (SendText, SendBytes)) and action.cuts:
            # Fragments are written by our client's own framing, read by wsproto's server.
            for opcode, payload, fin in message_frames(action):
                seen += _pump(client, server, encode_frame(opcode, payload, fin=fin))
        elif isinstance(action, SendText):
            seen += _pump(client, server, client.send(ws.TextMessage(data=action.text)))
        elif isinstance(action, SendBytes):
            seen += _pump(client, server, client.send(ws.BytesMessage(data=action.data)))
        elif isinstance(action, Ping):
            seen += _pump(client, server, client.send(ws.Ping(payload=action.payload)))
        elif isinstance(action, Close):
            code = CloseReason.NO_STATUS_RCVD if action.code is None else action.code
            seen += _pump(client, server, client.send(ws.CloseConnection(code=code, reason=action.reason)))
        else:
            assert isinstance(action, Abort)
    return seen


def _whole(seen: list[ws.Event], kind: type[ws.TextMessage] | type[ws.BytesMessage]) -> list[Any]:
    """The messages of ``kind`` in ``seen``, each joined from its frames."""
    out: list[Any] = []
    part: Any = None
    for event in seen:
        if isinstance(event, kind):
            part = event.data if part is None else part + event.data
            if event.message_finished:
                out.append(part)
                part = None
    assert part is None
    return out


def test_some_plans_are_fragmented() -> None:
    seen: list[tuple[int, bool]] = []

    @settings(max_examples=200, deadline=None, database=None)
    @given(websocket_sessions(max_message=100))
    def collect(plan: WebSocketPlan) -> None:
        for a in plan.actions:
            if isinstance(a, (SendText, SendBytes)):
                seen.append((len(a.cuts), a.ping is not None))

    collect()
    assert any(n == 0 for n, _ in seen) and any(n > 1 for n, _ in seen) and any(p for _, p in seen)


def test_fragmented_actions_survive_serialisation() -> None:
    plan = WebSocketPlan(actions=(SendText("h\u00e9", (1, 2), b"p"), SendBytes(b"ab", (0,)), SendText("x"), Abort()))
    assert plan_from_dict(plan_to_dict(plan)) == plan


@SETTINGS
@given(websocket_sessions(max_message=5000))
def test_websocket_plans_are_well_formed_and_play_through_wsproto(plan: WebSocketPlan) -> None:
    assert is_origin_form(plan.target)
    assert len(set(plan.subprotocols)) == len(plan.subprotocols)
    assert all(is_token(p.encode("ascii")) for p in plan.subprotocols)
    for name, value in plan.headers:
        assert is_token(name) and is_field_value(value)
        assert not name.lower().startswith(b"sec-websocket-")
        assert name.lower() not in (b"host", b"upgrade", b"connection", b"origin")
    *body, last = plan.actions
    assert isinstance(last, (Close, Abort))
    assert not any(isinstance(a, (Close, Abort)) for a in body)
    if isinstance(last, Close):
        if last.code is None:
            assert last.reason == ""
        else:
            assert is_sendable_close_code(last.code)
            assert len(last.reason.encode("utf-8")) <= 123

    for action in body:
        if isinstance(action, (SendText, SendBytes)):
            size = len(action.text.encode("utf-8")) if isinstance(action, SendText) else len(action.data)
            assert list(action.cuts) == sorted(action.cuts) and all(0 <= c <= size for c in action.cuts)
            assert action.ping is None or (action.cuts and len(action.ping) <= 125)

    seen = play(plan)
    # The server saw each message whole (fragments joined), in order, byte for byte.
    texts, blobs = _whole(seen, ws.TextMessage), _whole(seen, ws.BytesMessage)
    pings = [e.payload for e in seen if isinstance(e, ws.Ping)]
    assert texts == [a.text for a in body if isinstance(a, SendText)]
    assert blobs == [a.data for a in body if isinstance(a, SendBytes)]
    interleaved = [a.ping for a in body if isinstance(a, (SendText, SendBytes)) and a.cuts and a.ping is not None]
    assert sorted(pings) == sorted([a.payload for a in body if isinstance(a, Ping)] + interleaved)
    closes = [e for e in seen if isinstance(e, ws.CloseConnection)]
    if isinstance(last, Close):
        assert len(closes) == 1
        expected = CloseReason.NO_STATUS_RCVD if last.code is None else last.code
        assert closes[0].code == expected
        assert (closes[0].reason or "") == last.reason
    else:
        assert closes == []


@SETTINGS
@given(websocket_sessions(paths=["/ws/"], max_message=10, max_actions=2))
def test_websocket_restrictions(plan: WebSocketPlan) -> None:
    assert plan.target.startswith(b"/ws/")
    assert len(plan.actions) <= 3
    for action in plan.actions:
        if isinstance(action, SendText):
            assert len(action.text.encode("utf-8")) <= 10
        if isinstance(action, SendBytes):
            assert len(action.data) <= 10


@pytest.mark.parametrize(
    ("code", "sendable"),
    [(999, False), (1000, True), (1003, True), (1004, False), (1005, False), (1006, False), (1007, True),
     (1011, True), (1012, False), (1015, False), (2999, False), (3000, True), (4999, True), (5000, False)],
)  # fmt: skip
def test_close_codes(code: int, sendable: bool) -> None:
    assert is_sendable_close_code(code) is sendable


@pytest.mark.parametrize("kwargs", [{"max_message": -1}, {"max_actions": -2}, {"paths": ["nope"]}])
def test_websocket_bad_arguments(kwargs: dict[str, object]) -> None:
    with pytest.raises(UsageError):
        websocket_sessions(**kwargs)  # type: ignore[arg-type]


@SETTINGS
@given(lifespan_runs())
def test_lifespan_plans_are_consistent(plan: LifespanPlan) -> None:
    assert plan.startup in ("complete", "failed", "raise-on-scope", "raise-on-startup")
    if plan.startup == "complete":
        assert plan.shutdown in ("complete", "failed", "raise")
        assert plan.failing_phase == (None if plan.shutdown == "complete" else "shutdown")
    else:
        assert plan.shutdown is None  # no shutdown phase after a startup that did not complete
        assert plan.failing_phase == "startup"
    if plan.startup.startswith("raise"):
        assert plan.state == ()
    assert plan.server_should_exit is (plan.startup == "failed")
    assert plan.message is None or isinstance(plan.message, str)
    state = plan.state_dict()
    assert len(state) == len(plan.state)
    assert all(isinstance(k, str) and k for k in state)


def test_lifespan_strategy_reaches_every_outcome() -> None:
    seen: set[tuple[str, str | None]] = set()

    @settings(max_examples=300, deadline=None, database=None)
    @given(lifespan_runs())
    def collect(plan: LifespanPlan) -> None:
        seen.add((plan.startup, plan.shutdown))

    collect()
    assert seen >= {
        ("complete", "complete"),
        ("complete", "failed"),
        ("complete", "raise"),
        ("failed", None),
        ("raise-on-scope", None),
        ("raise-on-startup", None),
    }
