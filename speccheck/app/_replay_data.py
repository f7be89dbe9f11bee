"""Plans and deliveries as JSON-safe data, so a report alone can replay a finding.

Bytes are written as latin-1 text (every byte maps to one code point, so the round
trip is exact and printable requests stay readable).
"""

from __future__ import annotations

import json
import shlex
from typing import Any

from speccheck._errors import UsageError
from speccheck.traffic import RequestPlan
from speccheck.traffic._websocket import WebSocketPlan

__all__ = ["plan_from_dict", "plan_to_dict", "replay_command", "replay_payload"]

MAX_INLINE = 3000  # longer payloads are replayed from the JSON report instead


def _text(data: bytes) -> str:
    return data.decode("latin-1")


def _bytes(text: object, name: str) -> bytes:
    if not isinstance(text, str):
        raise UsageError(f"plan field {name!r} must be a string, got {text!r}")
    try:
        return text.encode("latin-1")
    except UnicodeEncodeError:
        raise UsageError(f"plan field {name!r} must hold only latin-1 characters (one per byte)") from None


def plan_to_dict(plan: RequestPlan | WebSocketPlan) -> dict[str, Any]:
    if isinstance(plan, WebSocketPlan):
        from speccheck.app._websocket import ws_plan_to_dict

        return ws_plan_to_dict(plan)
    return {
        "method": plan.method,
        "target": _text(plan.target),
        "headers": [[_text(n), _text(v)] for n, v in plan.headers],
        "body": _text(plan.body),
        "framing": plan.framing,
        "http_version": plan.http_version,
        "host": None if plan.host is None else _text(plan.host),
    }


def plan_from_dict(data: dict[str, Any]) -> RequestPlan | WebSocketPlan:
    if not isinstance(data, dict):
        raise UsageError(f"a plan must be a JSON object, got {data!r}")
    if data.get("kind") == "websocket":
        from speccheck.app._websocket import ws_plan_from_dict

        return ws_plan_from_dict(data)
    try:
        headers = tuple((_bytes(n, "headers"), _bytes(v, "headers")) for n, v in data.get("headers", ()))
    except (TypeError, ValueError):
        raise UsageError("plan field 'headers' must be a list of [name, value] pairs") from None
    host = data.get("host", "127.0.0.1")
    return RequestPlan(
        method=str(data.get("method", "GET")),
        target=_bytes(data.get("target", "/"), "target"),
        headers=headers,
        body=_bytes(data.get("body", ""), "body"),
        framing=data.get("framing", "content-length"),
        http_version=str(data.get("http_version", "1.1")),
        host=None if host is None else _bytes(host, "host"),
    )


def replay_payload(
    interface: str, code: str, signature: str, plan: RequestPlan | WebSocketPlan, delivery: dict[str, Any]
) -> dict[str, Any]:
    return {
        "interface": interface,
        "rule": code,
        "signature": signature,
        "plan": plan_to_dict(plan),
        "delivery": delivery,
    }


def replay_command(target: str, payload: dict[str, Any], report_path: str = "reports/speccheck.json") -> str:
    """``speccheck replay`` line for one finding: inline if short, else via the JSON report."""
    text = json.dumps(payload, separators=(",", ":"), ensure_ascii=True)
    if len(text) <= MAX_INLINE:
        return f"speccheck replay {shlex.quote(target)} --plan {shlex.quote(text)}"
    finding = f"{payload['rule']}:{payload['signature']}" if payload.get("signature") else str(payload["rule"])
    return f"speccheck replay {shlex.quote(report_path)} --finding {shlex.quote(finding)}"
