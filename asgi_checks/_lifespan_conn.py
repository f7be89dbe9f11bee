"""The lifespan connection: startup / shutdown events and their answers, per the
`LIFESPAN` table. Raising from the app is the spec's opt-out, never a finding.

https://asgi.readthedocs.io/en/latest/specs/lifespan.html
"""

from __future__ import annotations

from typing import Any

from asgi_checks._conn import Connection
from asgi_checks._machines import LIFESPAN, LIFESPAN_DEFAULT, step
from asgi_checks._scope import spec_version

__all__ = ["LifespanConnection"]

_ANSWER = {"starting": "startup", "stopping": "shutdown"}
_RECEIVE = {"lifespan.startup": "r.startup", "lifespan.shutdown": "r.shutdown"}
_SEND = {
    "lifespan.startup.complete": "s.startup",
    "lifespan.startup.failed": "s.startup",
    "lifespan.shutdown.complete": "s.shutdown",
    "lifespan.shutdown.failed": "s.shutdown",
}


class LifespanConnection(Connection):
    __slots__ = ()

    def __init__(self, sink: Any, scope: dict[str, Any], receive: Any, send: Any) -> None:
        super().__init__(sink, scope, receive, send, "wait")

    async def receive(self) -> Any:
        msg = await self._receive()
        kind = self.check_shape(msg, incoming=True)
        if kind is None:
            return msg
        event = _RECEIVE.get(kind)
        if event is None:
            self.report("A502", "unexpected event type from receive()", observed=kind, signature=kind)
            return msg
        state = self.state
        self.state, code = step(LIFESPAN, LIFESPAN_DEFAULT, state, event)
        if code is not None:
            self.report(code, f"{kind} delivered out of order", observed=f"{kind} in state {state}", signature=state)
        return msg

    async def send(self, msg: Any) -> None:
        self.invalid = False
        kind = self.check_shape(msg, incoming=False)
        if kind is not None:
            self._on_send(kind, msg)
        await self._send(msg)
        if self.invalid:
            self.forwarded(msg)

    def _on_send(self, kind: str, msg: dict[str, Any]) -> None:
        event = _SEND.get(kind)
        if event is None:
            self.report("A511", "unknown lifespan event type", observed=kind, signature=kind)
            return
        if kind.endswith(".failed"):
            message = msg.get("message")
            if message is not None and type(message) is not str:
                self.report("A514", f"{kind} message is not a str", observed=repr(message)[:40])
            if spec_version(self.scope, (1, 0)) < (2, 0):
                self.report("A705", f"{kind} sent to a lifespan 1.0 server", observed=kind)
        state = self.state
        self.state, code = step(LIFESPAN, LIFESPAN_DEFAULT, state, event)
        self.flag(code, f"{kind} does not answer a pending lifespan event", observed=f"{kind} in state {state}")

    def finish(self, failed: bool) -> None:
        if not failed and self.state == "wait":
            # https://asgi.readthedocs.io/en/latest/specs/main.html#protocol-specifications
            self.report("A515", "the app returned from a lifespan scope without raising or receiving", where=None)
        elif not failed and self.state in ("starting", "stopping"):
            self.report("A513", f"the app returned without answering lifespan.{_ANSWER[self.state]}", where=None)
