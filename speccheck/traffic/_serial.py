"""Plans as JSON-safe dicts, and back: how a plan crosses a process boundary (to a probe
app inside a server's worker, into a report, into a replay file).

Bytes become latin-1 text (lossless, one char per byte, readable for ASCII); every dict
carries a ``"plan"`` tag naming its type.
"""

from __future__ import annotations

from typing import Any

from speccheck._errors import UsageError
from speccheck.traffic._lifespan import LifespanPlan, StateValue
from speccheck.traffic._plans import RequestPlan
from speccheck.traffic._websocket import Abort, Close, Ping, SendBytes, SendText, WebSocketAction, WebSocketPlan

__all__ = ["plan_from_dict", "plan_to_dict"]

Plan = RequestPlan | WebSocketPlan | LifespanPlan


def _b(data: bytes) -> str:
    return data.decode("latin-1")


def _u(text: str) -> bytes:
    return text.encode("latin-1")


def _pairs(headers: tuple[tuple[bytes, bytes], ...]) -> list[list[str]]:
    return [[_b(n), _b(v)] for n, v in headers]


def _unpairs(items: list[list[str]]) -> tuple[tuple[bytes, bytes], ...]:
    return tuple((_u(n), _u(v)) for n, v in items)


def _fragments(action: SendText | SendBytes) -> dict[str, Any]:
    """Only a fragmented message carries ``cuts`` (and ``ping``): older dicts stay valid."""
    if not action.cuts:
        return {}
    return {"cuts": list(action.cuts), "ping": None if action.ping is None else _b(action.ping)}


def _action_to_dict(action: WebSocketAction) -> dict[str, Any]:
    if isinstance(action, SendText):
        return {"action": "text", "text": action.text, **_fragments(action)}
    if isinstance(action, SendBytes):
        return {"action": "bytes", "data": _b(action.data), **_fragments(action)}
    if isinstance(action, Ping):
        return {"action": "ping", "payload": _b(action.payload)}
    if isinstance(action, Close):
        return {"action": "close", "code": action.code, "reason": action.reason}
    return {"action": "abort"}


def _action_from_dict(data: dict[str, Any]) -> WebSocketAction:
    kind = data["action"]
    cuts = tuple(int(c) for c in data.get("cuts") or ())
    ping = None if data.get("ping") is None else _u(data["ping"])
    if kind == "text":
        return SendText(data["text"], cuts, ping)
    if kind == "bytes":
        return SendBytes(_u(data["data"]), cuts, ping)
    if kind == "ping":
        return Ping(_u(data["payload"]))
    if kind == "close":
        return Close(data["code"], data["reason"])
    if kind == "abort":
        return Abort()
    raise UsageError(f"unknown WebSocket action {kind!r}")


def plan_to_dict(plan: Plan) -> dict[str, Any]:
    """A JSON-safe dict for a ``RequestPlan``, ``WebSocketPlan`` or ``LifespanPlan``."""
    if isinstance(plan, RequestPlan):
        return {
            "plan": "request",
            "method": plan.method,
            "target": _b(plan.target),
            "headers": _pairs(plan.headers),
            "body": _b(plan.body),
            "framing": plan.framing,
            "http_version": plan.http_version,
            "host": None if plan.host is None else _b(plan.host),
            "chunks": list(plan.chunks),
            **({"absolute": True} if plan.absolute else {}),  # older dicts stay valid
        }
    if isinstance(plan, WebSocketPlan):
        return {
            "plan": "websocket",
            "target": _b(plan.target),
            "headers": _pairs(plan.headers),
            "subprotocols": list(plan.subprotocols),
            "actions": [_action_to_dict(a) for a in plan.actions],
        }
    if isinstance(plan, LifespanPlan):
        return {
            "plan": "lifespan",
            "startup": plan.startup,
            "shutdown": plan.shutdown,
            "message": plan.message,
            "state": [[k, v] for k, v in plan.state],
        }
    raise UsageError(f"plan must be a RequestPlan, WebSocketPlan or LifespanPlan, got {type(plan).__name__}")


def plan_from_dict(data: dict[str, Any]) -> Plan:
    """The plan ``plan_to_dict`` made this dict from."""
    kind = data.get("plan")
    try:
        if kind == "request":
            host = data["host"]
            return RequestPlan(
                data["method"],
                _u(data["target"]),
                _unpairs(data["headers"]),
                _u(data["body"]),
                data["framing"],
                data["http_version"],
                None if host is None else _u(host),
                tuple(data["chunks"]),
                bool(data.get("absolute", False)),
            )
        if kind == "websocket":
            return WebSocketPlan(
                _u(data["target"]),
                _unpairs(data["headers"]),
                tuple(data["subprotocols"]),
                tuple(_action_from_dict(a) for a in data["actions"]),
            )
        if kind == "lifespan":
            state: tuple[tuple[str, StateValue], ...] = tuple((str(k), v) for k, v in data["state"])
            return LifespanPlan(data["startup"], data["shutdown"], data["message"], state)
    except (KeyError, TypeError, ValueError) as exc:
        raise UsageError(f"not a {kind} plan dict: {exc!r}") from exc
    raise UsageError(f"data['plan'] must be 'request', 'websocket' or 'lifespan', got {kind!r}")
