"""The WebSocket oracle on hand-made observations: what the spec leaves open is accepted, and
each version-gated rule is only applied to servers that claim the version."""

from __future__ import annotations

import hashlib
from typing import Any

from speccheck.client._ws import WsResult
from speccheck.server._ws_oracle import ProbePlan, check_session
from speccheck.traffic import Abort, Close, SendText, WebSocketPlan

PLAN = WebSocketPlan(b"/chat/caf%C3%A9?x=1", ((b"x-a", b"1"),), ("chat",), (SendText("hi"), Close(4000, "bye")))


def _msg(text: str) -> dict[str, Any]:
    data = text.encode()
    sha = hashlib.sha1(data).hexdigest()
    return {"type": "websocket.receive", "text_set": True, "bytes_set": False, "kind": "text", "len": 2, "sha": sha}


def obs(spec: str = "2.4", code: int | None = 4000, **extra: Any) -> dict[str, Any]:
    scope = {
        "type": "websocket",
        "asgi": {"version": "3.0", "spec_version": spec},
        "scheme": "ws",
        "path": "/chat/café",
        "raw_path": "/chat/caf%C3%A9",
        "query_string": "x=1",
        "headers": [["host", "h"], ["x-a", "1"]],
        "subprotocols": ["chat"],
    }
    receive = [{"type": "websocket.connect"}, _msg("hi"), {"type": "websocket.disconnect", "code": code}]
    return {"scope": scope, "receive": receive, "final": True, **extra}


def result(**extra: Any) -> WsResult:
    fields: dict[str, Any] = {"status": 101, "messages": [("text", b"hi")], "sent": 1, "close_code": 4000}
    return WsResult(**(fields | extra))


def codes(plan: WebSocketPlan, probe: ProbePlan, res: WsResult, ob: dict[str, Any]) -> set[str]:
    return {f.code for f in check_session(plan, probe, res, ob)}


def test_a_correct_session_is_silent() -> None:
    assert codes(PLAN, ProbePlan(), result(), obs(late_send={"raised": "X", "oserror": True})) == set()


def test_optional_scope_keys_may_be_missing() -> None:
    ob = obs()
    for key in ("scheme", "raw_path"):
        del ob["scope"][key]
    assert codes(PLAN, ProbePlan(), result(), ob) == set()


def test_abort_accepts_any_disconnect_code() -> None:
    """asgi-www fixes 1005 only for a close frame without a code; after a dropped connection
    the code is the server's choice (1005 or RFC 6455's 1006 alike)."""
    plan = WebSocketPlan(b"/chat/caf%C3%A9?x=1", ((b"x-a", b"1"),), ("chat",), (SendText("hi"), Abort()))
    for code in (1005, 1006, 1000):
        assert codes(plan, ProbePlan(), result(close_code=None), obs(code=code)) == set()
    ob = obs()
    ob["receive"].pop()
    assert codes(plan, ProbePlan(), result(close_code=None), ob) == {"S526"}


def test_close_without_code_wants_1005() -> None:
    plan = WebSocketPlan(b"/chat/caf%C3%A9?x=1", ((b"x-a", b"1"),), ("chat",), (SendText("hi"), Close(None, "")))
    assert codes(plan, ProbePlan(), result(), obs(code=1005)) == set()
    assert codes(plan, ProbePlan(), result(), obs(code=1000)) == {"S525"}


def test_send_after_close_is_only_checked_from_spec_2_4() -> None:
    quiet = {"raised": "", "oserror": False}
    assert codes(PLAN, ProbePlan(), result(), obs("2.3", late_send=quiet)) == set()
    assert codes(PLAN, ProbePlan(), result(), obs("2.4", late_send=quiet)) == {"S528"}


def test_accept_headers_only_when_the_probe_sent_them() -> None:
    """The probe sends accept headers only to servers claiming 2.1+ (``accept_headers``)."""
    probe = ProbePlan(headers=(("x-b", "2"),))
    assert codes(PLAN, probe, result(), obs("2.0")) == set()
    assert codes(PLAN, probe, result(), obs("2.1", accept_headers=True)) == {"S529"}
    assert codes(PLAN, probe, result(headers=[(b"x-b", b"2")]), obs("2.1", accept_headers=True)) == set()


def test_message_type_and_order() -> None:
    ob = obs()
    ob["receive"][1] = {**ob["receive"][1], "kind": "bytes"}
    assert codes(PLAN, ProbePlan(), result(), ob) == {"S520"}
    assert codes(PLAN, ProbePlan(), result(messages=[("bytes", b"hi")]), obs()) == {"S521"}


def test_denial() -> None:
    plan = WebSocketPlan(b"/chat/caf%C3%A9?x=1", ((b"x-a", b"1"),), ("chat",), (Close(),))
    denied = obs(denied="close")
    denied["receive"] = denied["receive"][:1]
    assert codes(plan, ProbePlan(mode="deny"), WsResult(status=403), denied) == set()
    assert codes(plan, ProbePlan(mode="deny"), WsResult(status=101), denied) == {"S527"}
