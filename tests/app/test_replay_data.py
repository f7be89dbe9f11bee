"""Plans and deliveries survive the JSON report byte for byte; bad payloads are usage errors."""

from __future__ import annotations

import json
import shlex

import pytest

from asgi_checks._driver import ASGIDelivery
from speccheck._errors import UsageError
from speccheck.app._replay_data import MAX_INLINE, plan_from_dict, plan_to_dict, replay_command, replay_payload
from speccheck.traffic import RequestPlan
from speccheck.traffic._websocket import Abort, Close, Ping, SendBytes, SendText, WebSocketPlan
from wsgi_checks._driver import WSGIDelivery


def test_request_plan_round_trip_every_byte() -> None:
    plan = RequestPlan(
        method="PATCH",
        target=b"/%FF/\xc3\xa9?a=%00",
        headers=((b"X-Bin", bytes(range(0x80, 0x100))),),
        body=bytes(range(256)),
        framing="chunked",
        http_version="1.0",
        host=None,
    )
    data = json.loads(json.dumps(plan_to_dict(plan)))
    assert plan_from_dict(data) == plan


def test_websocket_plan_round_trip() -> None:
    plan = WebSocketPlan(
        target=b"/ws?x=1",
        headers=((b"x-a", b"1"),),
        subprotocols=("chat",),
        actions=(SendText("h\u00e9"), SendBytes(b"\x00\xff"), Ping(b"p"), Close(None, ""), Abort()),
    )
    assert plan_from_dict(json.loads(json.dumps(plan_to_dict(plan)))) == plan


def test_deliveries_round_trip_and_validate() -> None:
    for delivery in (WSGIDelivery(split=(3, 1), script_name=False), ASGIDelivery(split=(0, 2), raw_path="none")):
        assert type(delivery).from_dict(json.loads(json.dumps(delivery.to_dict()))) == delivery
    with pytest.raises(UsageError, match="raw_path"):
        ASGIDelivery.from_dict({"raw_path": "maybe"})
    with pytest.raises(UsageError, match="split"):
        WSGIDelivery.from_dict({"split": [0]})
    with pytest.raises(UsageError, match="client"):
        ASGIDelivery.from_dict({"client": "yes"})


def test_bad_plans_are_usage_errors() -> None:
    bad: object
    for bad in ([], {"target": 5}, {"headers": "x"}, {"body": "\u20ac"}, {"kind": "websocket", "actions": [["jump"]]}):
        with pytest.raises(UsageError):
            plan_from_dict(bad)  # type: ignore[arg-type]


def test_replay_line_inline_or_from_report() -> None:
    short = replay_payload(
        "asgi", "D001", "split", RequestPlan(method="POST", body=b"ab"), ASGIDelivery(split=(0,)).to_dict()
    )
    line = replay_command("pkg.mod:app", short)
    assert shlex.split(line)[:3] == ["speccheck", "replay", "pkg.mod:app"]
    assert json.loads(shlex.split(line)[4]) == short
    long = replay_payload("wsgi", "W603", "input.readinto", RequestPlan(method="POST", body=b"x" * MAX_INLINE), {})
    assert (
        replay_command("pkg.mod:app", long, "out/run.json")
        == "speccheck replay out/run.json --finding W603:input.readinto"
    )
