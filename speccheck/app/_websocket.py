"""WebSocket sessions under the reference ASGI driver.

The driver plays the server side of ASGI www's WebSocket protocol for one
`WebSocketPlan`: ``websocket.connect`` first; after the app's ``websocket.accept`` the
client's messages as ``websocket.receive``; the client's close or abort as
``websocket.disconnect`` (code 1005 for a Close frame without a status, 1006 for an
abort, RFC 6455 7.1.5); ``send()`` after the disconnect raises an `OSError` subclass.
https://asgi.readthedocs.io/en/latest/specs/www.html#websocket

The outcome is folded into an `Answer` (status 101 if accepted, 403 if the app closed
before accepting; the body is the transcript of what the app sent, then its close
code) so the differential check and the reports treat it like an HTTP answer.
"""

from __future__ import annotations

import asyncio
from typing import Any

from asgi_checks._driver import ASGIDelivery, ClientDisconnected, build_scope
from speccheck._errors import UsageError
from speccheck._violations import Exchange
from speccheck.app._answer import Answer
from speccheck.traffic import RequestPlan
from speccheck.traffic._websocket import Abort, Close, Ping, SendBytes, SendText, WebSocketAction, WebSocketPlan

__all__ = ["WebSocketSession", "run_session", "ws_exchange", "ws_plan_from_dict", "ws_plan_to_dict", "ws_scope"]

Message = dict[str, Any]


def ws_scope(plan: WebSocketPlan, delivery: ASGIDelivery, state: dict[str, Any] | None) -> dict[str, Any]:
    """The websocket scope: the HTTP scope's keys (same optional-key choices) plus subprotocols."""
    http = RequestPlan(method="GET", target=plan.target, headers=plan.headers, framing="none")
    scope = build_scope(http, delivery, state)
    scope["type"] = "websocket"
    scope["scheme"] = "ws"
    del scope["method"]
    scope["headers"] = [
        [b"host", b"127.0.0.1"],
        [b"connection", b"Upgrade"],
        [b"upgrade", b"websocket"],
        [b"sec-websocket-version", b"13"],
        [b"sec-websocket-key", b"dGhlIHNhbXBsZSBub25jZQ=="],
        *([[b"sec-websocket-protocol", ", ".join(plan.subprotocols).encode()]] if plan.subprotocols else []),
        *[[n.lower(), v] for n, v in plan.headers],
    ]
    scope["subprotocols"] = list(plan.subprotocols)
    if delivery.response_extensions:
        # extensions.rst WebSocket Denial Response: the app may answer the handshake with an
        # HTTP response instead of accepting, when the server advertises it.
        scope["extensions"] = {"websocket.http.response": {}}
    return scope


class WebSocketSession:
    """receive() and send() of one websocket connection scope."""

    def __init__(self, plan: WebSocketPlan, reason_key: bool) -> None:
        self.actions = list(plan.actions)
        self.reason_key = reason_key  # "reason" in websocket.disconnect came with spec 2.5
        self.connected = False
        self.stage = "connecting"  # connecting -> open | denying -> closed
        self.changed = asyncio.Event()
        self.gone_code: int | None = None
        self.transcript: list[bytes] = []
        self.close_code: int | None = None
        self.headers: list[tuple[str, str]] = []
        self.denial: int | None = None  # the status of a denial response

    def _disconnect(self, code: int, reason: str = "") -> Message:
        message: Message = {"type": "websocket.disconnect", "code": code}
        if self.reason_key:
            message["reason"] = reason
        return message

    async def receive(self) -> Message:
        await asyncio.sleep(0)  # an app polling receive() in a loop still lets the time limit fire
        if not self.connected:
            self.connected = True
            return {"type": "websocket.connect"}
        while self.stage in ("connecting", "denying"):  # nothing more until the app accepts or closes
            self.changed.clear()
            await self.changed.wait()
        if self.gone_code is not None:
            return self._disconnect(self.gone_code)
        if self.stage == "closed":  # the client answers the app's close
            self.gone_code = self.close_code or 1000
            return self._disconnect(self.gone_code)
        while self.actions:
            action = self.actions.pop(0)
            if isinstance(action, SendText):
                return {"type": "websocket.receive", "text": action.text}
            if isinstance(action, SendBytes):
                return {"type": "websocket.receive", "bytes": action.data}
            if isinstance(action, Close):
                self.gone_code = 1005 if action.code is None else action.code
                return self._disconnect(self.gone_code, action.reason)
            if isinstance(action, Abort):
                self.gone_code = 1006
                return self._disconnect(1006)
            # Ping: answered by the server itself, the app never sees it
        self.gone_code = 1006
        return self._disconnect(1006)

    async def send(self, message: Message) -> None:
        if self.gone_code is not None:
            raise ClientDisconnected("the websocket client has gone")
        kind = message.get("type")
        if kind == "websocket.accept" and self.stage == "connecting":
            self.stage = "open"
            self.headers = [("subprotocol", str(message.get("subprotocol")))] + [
                (bytes(n).decode("latin-1").lower(), bytes(v).decode("latin-1")) for n, v in message.get("headers", ())
            ]
            self.changed.set()
        elif kind == "websocket.send" and self.stage == "open":
            text, data = message.get("text"), message.get("bytes")
            self.transcript.append(
                b"T" + str(text).encode("utf-8", "replace") if text is not None else b"B" + bytes(data or b"")
            )
        elif kind == "websocket.close" and self.stage in ("connecting", "open"):
            self.close_code = int(message.get("code", 1000))
            self.stage = "closed"
            self.changed.set()
        elif kind == "websocket.http.response.start" and self.stage == "connecting":
            self.stage = "denying"
            self.denial = int(message["status"])
            self.headers = [
                (bytes(n).decode("latin-1").lower(), bytes(v).decode("latin-1")) for n, v in message.get("headers", ())
            ]
        elif kind == "websocket.http.response.body" and self.stage == "denying":
            self.transcript.append(b"H" + bytes(message.get("body", b"")))
            if not message.get("more_body", False):
                self.stage = "closed"
                self.changed.set()

    def answer(self) -> Answer:
        status = self.denial or (101 if self.headers else 403)
        body = b"\x00".join(self.transcript) + b"|close=%d" % (self.close_code or 0)
        return Answer(status, tuple(self.headers), body)


def _action_to_list(action: WebSocketAction) -> list[Any]:
    if isinstance(action, SendText):
        return ["text", action.text]
    if isinstance(action, SendBytes):
        return ["bytes", action.data.decode("latin-1")]
    if isinstance(action, Ping):
        return ["ping", action.payload.decode("latin-1")]
    if isinstance(action, Close):
        return ["close", action.code, action.reason]
    return ["abort"]


def _action_from_list(item: Any) -> WebSocketAction:
    try:
        kind = item[0]
        if kind == "text":
            return SendText(str(item[1]))
        if kind == "bytes":
            return SendBytes(str(item[1]).encode("latin-1"))
        if kind == "ping":
            return Ping(str(item[1]).encode("latin-1"))
        if kind == "close":
            return Close(None if item[1] is None else int(item[1]), str(item[2]))
        if kind == "abort":
            return Abort()
    except (IndexError, TypeError, ValueError, UnicodeEncodeError):
        pass
    raise UsageError(f"a websocket action must be like ['text', 'hi'] or ['close', 1000, ''], got {item!r}")


def ws_plan_to_dict(plan: WebSocketPlan) -> dict[str, Any]:
    return {
        "kind": "websocket",
        "target": plan.target.decode("latin-1"),
        "headers": [[n.decode("latin-1"), v.decode("latin-1")] for n, v in plan.headers],
        "subprotocols": list(plan.subprotocols),
        "actions": [_action_to_list(a) for a in plan.actions],
    }


def ws_plan_from_dict(data: dict[str, Any]) -> WebSocketPlan:
    try:
        return WebSocketPlan(
            target=str(data.get("target", "/")).encode("latin-1"),
            headers=tuple((str(n).encode("latin-1"), str(v).encode("latin-1")) for n, v in data.get("headers", ())),
            subprotocols=tuple(str(p) for p in data.get("subprotocols", ())),
            actions=tuple(_action_from_list(a) for a in data.get("actions", ())),
        )
    except (TypeError, ValueError, UnicodeEncodeError):
        raise UsageError("a websocket plan needs target, headers [[name, value]], subprotocols and actions") from None


def ws_exchange(plan: WebSocketPlan, replay: str = "") -> Exchange:
    return Exchange(
        interface="asgi",
        scope_type="websocket",
        target=plan.target.decode("latin-1"),
        headers=tuple((n.decode("latin-1"), v.decode("latin-1")) for n, v in plan.headers),
        replay=replay,
    )


async def run_session(
    app: Any, plan: WebSocketPlan, delivery: ASGIDelivery, state: dict[str, Any], timeout: float
) -> Answer:
    """One websocket session, bounded by ``timeout``; app faults come back in the `Answer`."""
    from asgi_checks._driver import _task_location
    from speccheck.app._answer import raised

    session = WebSocketSession(plan, reason_key=delivery.spec_version >= "2.5")
    scope = ws_scope(plan, delivery, state)
    task = asyncio.ensure_future(app(scope, session.receive, session.send))
    done, _ = await asyncio.wait({task}, timeout=timeout)
    if not done:
        location = _task_location(task)
        task.cancel()
        await asyncio.wait({task}, timeout=1.0)
        return Answer(hung=True, location=location)
    exc = task.exception()
    if exc is not None and not isinstance(exc, ClientDisconnected):
        return raised(exc)
    return session.answer()
