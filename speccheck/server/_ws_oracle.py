"""The WebSocket oracle: one session's client view (``WsResult``) against the probe's view
(its observation) and what the probe was told to do (``ProbePlan``). Pure: no I/O.

Spec: https://asgi.readthedocs.io/en/latest/specs/www.html#websocket (asgi-www 2.5).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote_to_bytes

from speccheck.client._ws import ECHO, WsResult
from speccheck.server._findings import Finding, show
from speccheck.server._oracle_request import _grouped, _header_signature, path_variants
from speccheck.traffic import Abort, Close, SendBytes, SendText, WebSocketPlan

__all__ = ["ECHO", "ProbePlan", "check_scope", "check_session"]


@dataclass(frozen=True)
class ProbePlan:
    """What the probe does in one session (written as ``ws-<id>.json``)."""

    mode: str = "echo"  # echo | deny | deny-response
    subprotocol: str | None = None
    headers: tuple[tuple[str, str], ...] = ()
    close_after: int | None = None
    close_code: int = 1000
    close_reason: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "mode": self.mode,
            "subprotocol": self.subprotocol,
            "headers": [list(h) for h in self.headers],
            "close_after": self.close_after,
            "close_code": self.close_code,
            "close_reason": self.close_reason,
        }


def _sha(data: bytes) -> str:
    return hashlib.sha1(data).hexdigest()


def _sent(plan: WebSocketPlan) -> list[tuple[str, bytes]]:
    out: list[tuple[str, bytes]] = []
    for action in plan.actions:
        if isinstance(action, SendText):
            out.append(("text", action.text.encode("utf-8")))
        elif isinstance(action, SendBytes):
            out.append(("bytes", action.data))
    return out


def _version(scope: dict[str, Any]) -> tuple[int, ...]:
    asgi = scope.get("asgi") or {}
    try:
        return tuple(int(p) for p in str(asgi.get("spec_version") or "2.0").split("."))
    except ValueError:
        return (2, 0)


def check_scope(plan: WebSocketPlan, scope: dict[str, Any]) -> list[Finding]:
    out: list[Finding] = []
    try:
        expected: str | None = unquote_to_bytes(plan.raw_path).decode("utf-8")
    except UnicodeDecodeError:
        expected = None  # the spec does not say what to do with invalid UTF-8
    root = str(scope.get("root_path") or "")
    path = scope.get("path")
    if expected is not None and path not in path_variants(expected) | path_variants(root + expected):
        out.append(Finding("S510", "websocket scope['path'] is not the decoded path", show(path), show(expected)))
    raw = scope.get("raw_path")
    if raw is not None and raw != plan.raw_path.decode("latin-1"):
        out.append(Finding("S511", "websocket scope['raw_path'] differs", show(raw), show(plan.raw_path)))
    query = scope.get("query_string")
    if (query or "") != plan.query_string.decode("latin-1"):
        out.append(Finding("S512", "websocket scope['query_string'] differs", show(query), show(plan.query_string)))
    subs = scope.get("subprotocols")
    if list(subs or []) != list(plan.subprotocols):
        out.append(Finding("S513", "websocket scope['subprotocols'] differ", show(subs), show(list(plan.subprotocols))))
    got: dict[bytes, list[bytes]] = {}
    for pair in scope.get("headers") or ():
        got.setdefault(str(pair[0]).encode("latin-1").lower(), []).append(str(pair[1]).encode("latin-1"))
    for name, values in _grouped(list(plan.headers)).items():
        if got.get(name) != values:
            what = "missing" if name not in got else "changed"
            sig = _header_signature(name, [v.decode("latin-1") for v in values], what)
            out.append(
                Finding(
                    "S514", f"handshake header {name.decode('latin-1')} {what}", show(got.get(name)), show(values), sig
                )
            )
    if "scheme" in scope and scope.get("scheme") != "ws":
        out.append(
            Finding("S515", "websocket scope['scheme'] is wrong for plain TCP", show(scope.get("scheme")), "'ws'")
        )
    return out


def check_frames(result: WsResult) -> list[Finding]:
    """The RFC 6455 rules the server's frames broke (S533-S542), once per rule and session."""
    out: list[Finding] = []
    seen: set[str] = set()
    for code, detail in result.frame_errors:
        if code not in seen:
            seen.add(code)
            out.append(Finding(code, f"the server sent {detail}", detail[:120], "frames as RFC 6455 requires", code))
    return out


def _fragmented(plan: WebSocketPlan) -> bool:
    return any(isinstance(a, (SendText, SendBytes)) and a.cuts for a in plan.actions)


def check_session(plan: WebSocketPlan, probe: ProbePlan, result: WsResult, obs: dict[str, Any] | None) -> list[Finding]:
    """Every finding of one session: the client's ``result`` against the probe's ``obs``."""
    out: list[Finding] = check_frames(result)
    cut = result.timed_out or result.error or result.closed_by_server_first  # pongs may be owed no more
    if result.pings > len(result.pongs) and not cut:
        # "WebSocket protocol servers should handle PING/PONG messages themselves"
        observed = f"{len(result.pongs)} pong(s) for {result.pings} ping(s)"
        out.append(Finding("S532", "a ping got no pong", observed, "a pong for every ping"))
    if obs is None:
        return out
    scope: dict[str, Any] = obs.get("scope") or {}
    received: list[dict[str, Any]] = list(obs.get("receive") or [])
    if received and received[0].get("type") != "websocket.connect":
        out.append(
            Finding(
                "S516",
                "first websocket event is not websocket.connect",
                show(received[0].get("type")),
                "'websocket.connect'",
            )
        )
    out += check_scope(plan, scope)
    denied = obs.get("denied")
    if denied == "close" and result.status != 403:
        out.append(
            Finding(
                "S527", "websocket.close before accept was not answered with 403", f"HTTP {result.status}", "HTTP 403"
            )
        )
    if denied == "response" and (result.status != 401 or result.reject_body != b"speccheck denied"):
        observed = f"HTTP {result.status} {result.reject_body[:40]!r}"
        out.append(
            Finding(
                "S531", "the app's denial response did not reach the client", observed, "HTTP 401 b'speccheck denied'"
            )
        )
    accepted = obs.get("accepted") and not denied
    if accepted and (not result.accepted or result.handshake_problem) and not result.timed_out:
        # RFC 6455 4.2.2: to accept, the server answers 101 with Upgrade, Connection and
        # "|Sec-WebSocket-Accept| ... the base64-encoded SHA-1 of the concatenation of the
        # |Sec-WebSocket-Key| ... with the string "258EAFA5-E914-47DA-95CA-C5AB0DC85B11""
        observed = result.handshake_problem or (f"HTTP {result.status}" if result.status else result.error)
        out.append(Finding("S543", "the app accepted but the handshake response is not a valid 101", observed, "101"))
    if denied or not result.accepted:
        return out
    if result.subprotocol != probe.subprotocol:
        out.append(
            Finding(
                "S530",
                "accepted subprotocol not in the handshake response",
                show(result.subprotocol),
                show(probe.subprotocol),
            )
        )
    if obs.get("accept_headers"):
        have = {(n.lower(), v) for n, v in result.headers}
        for name, value in probe.headers:
            if (name.encode("latin-1"), value.encode("latin-1")) not in have:
                out.append(
                    Finding(
                        "S529",
                        f"accept header {name} missing from the handshake response",
                        "",
                        f"{name}: {value}",
                        name,
                    )
                )
    sent = _sent(plan)[: result.sent]  # what the client got to send before the session ended
    data = [m for m in received if m.get("type") == "websocket.receive"]
    expect = sent[: probe.close_after] if probe.close_after is not None else sent
    got = [(m.get("kind"), m.get("sha")) for m in data]
    want = [(k, _sha(p)) for k, p in expect]
    bad_kind = [m for m in data if bool(m.get("text_set")) == bool(m.get("bytes_set"))]
    if (
        got[: len(want)] != want or (probe.close_after is None and len(got) != len(want)) or bad_kind
    ) and not result.timed_out:
        observed = f"{len(got)} messages {[k for k, _ in got][:8]}"
        some = " (some sent fragmented)" if _fragmented(plan) else ""
        out.append(
            Finding(
                "S520",
                f"client messages reached the app changed, lost, duplicated or reordered{some}",
                observed,
                f"{len(want)} messages {[k for k, _ in want][:8]}",
                f"changed, lost, duplicated or reordered{some}",
            )
        )
    echoes = [(k, _sha(p)) for k, p in result.messages]
    lost = result.timed_out == ECHO and len(got) > len(echoes)  # the app sent it: the server lost it
    if echoes != want[: len(echoes)] or lost or (len(echoes) < len(want) and not result.timed_out and not result.error):
        what = "lost" if lost or echoes == want[: len(echoes)] else "changed or reordered"
        nxt = expect[len(echoes)] if lost and len(expect) > len(echoes) else None
        detail = f" (next: {nxt[0]} of {len(nxt[1])} bytes)" if nxt else ""
        out.append(
            Finding(
                "S521",
                f"a message the app sent was {what} on the way to the client{detail}",
                f"{len(echoes)} messages",
                f"{len(want)} messages",
                f"{what}{detail}",
            )
        )
    disconnect = next((m for m in received if m.get("type") == "websocket.disconnect"), None)
    ending = plan.actions[-1] if plan.actions else None
    if result.failed:
        ending = Abort()  # we failed the connection over a bad frame: our planned close never went out
    if probe.close_after is not None and obs.get("app_closed"):
        if result.failed:
            pass  # we stopped reading at a bad frame (S533-S542): the close frame is not judged here
        elif result.close_code != probe.close_code:
            out.append(
                Finding(
                    "S522",
                    "the client got another close code than the app sent",
                    show(result.close_code),
                    show(probe.close_code),
                )
            )
        elif obs.get("close_reason_sent") and result.close_reason != probe.close_reason:
            out.append(
                Finding(
                    "S523",
                    "the close reason the app sent did not reach the client",
                    show(result.close_reason),
                    show(probe.close_reason),
                )
            )
    elif isinstance(ending, Close) and not result.timed_out:
        if disconnect is None:
            out.append(
                Finding("S526", "no websocket.disconnect after the client's close", "none", "websocket.disconnect")
            )
        elif ending.code is None and disconnect.get("code") != 1005:
            out.append(
                Finding(
                    "S525",
                    "close frame without code: disconnect code is not 1005",
                    show(disconnect.get("code")),
                    "1005",
                )
            )
        elif ending.code is not None and disconnect.get("code") != ending.code:
            out.append(
                Finding(
                    "S524",
                    "the client's close code did not reach the app",
                    show(disconnect.get("code")),
                    show(ending.code),
                )
            )
    elif isinstance(ending, Abort) and disconnect is None:
        out.append(
            Finding(
                "S526",
                "no websocket.disconnect after the client dropped the connection",
                "none",
                "websocket.disconnect",
            )
        )
    late = obs.get("late_send")
    if late and _version(scope) >= (2, 4) and not late.get("oserror"):
        raised = late.get("raised") or "nothing"
        out.append(
            Finding(
                "S528",
                "send() after websocket.disconnect did not raise an OSError subclass",
                show(raised),
                "an OSError subclass",
                str(raised),
            )
        )
    return out
