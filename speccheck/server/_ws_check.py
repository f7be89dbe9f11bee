"""The WebSocket phase of an ASGI server run: hypothesis-generated sessions plus a few fixed
scenarios (the app closing with a code and reason, denying before accept, a custom denial
response), sent by a real client (``speccheck.client._ws``) to the probe
(``asgi_checks._probe_ws``), then compared: the client's view vs the app's view.

``run_websocket(session, cfg, proc, probe_dir)`` runs after the HTTP exchanges (bounded:
a few seconds); ``check_session(...)`` is the pure oracle over one session.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote_to_bytes

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import seed as hypothesis_seed

from speccheck._errors import UsageError
from speccheck._violations import Exchange, Violation
from speccheck.client._ws import WsResult, run_session
from speccheck.server._findings import Finding, show
from speccheck.server._oracle_request import _grouped, _header_signature, path_variants
from speccheck.server._plans import ID_HEADER
from speccheck.server._support import RunSession, ServerRun, _rule
from speccheck.server._ws_rules import WS_CODES
from speccheck.targets import ServerProcess
from speccheck.traffic import Abort, Close, SendBytes, SendText, WebSocketPlan, websocket_sessions

__all__ = ["ProbePlan", "check_session", "run_websocket", "sample_sessions"]

DEFAULT_SESSIONS = 12
_PHASE_BUDGET = 20.0  # seconds for the whole phase at most
_OBS_WAIT = 3.0
_MAX_WAITS = 2
_NO_PROBE = 0.5  # seconds without any observation file: the probe never ran
_ECHO = "an echoed message"  # what the client waits for after each send


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


@dataclass
class _Case:
    plan: WebSocketPlan
    probe: ProbePlan
    findings: list[Finding] = field(default_factory=list)


def sample_sessions(count: int, seed: int) -> list[WebSocketPlan]:
    """``count`` sessions from ``websocket_sessions()``, deterministic for ``seed``."""
    found: list[WebSocketPlan] = []

    @hypothesis_seed(seed)
    @settings(
        max_examples=count,
        database=None,
        deadline=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(websocket_sessions(max_message=70_000, max_actions=6))
    def collect(plan: WebSocketPlan) -> None:
        found.append(plan)

    collect()
    return found[:count]


def _cases(plans: list[WebSocketPlan]) -> list[_Case]:
    cases = []
    for index, plan in enumerate(plans):
        sub = plan.subprotocols[-1] if plan.subprotocols and index % 2 == 0 else None
        headers = (("x-speccheck-accept", f"v{index}"),) if index % 3 == 0 else ()
        cases.append(_Case(plan, ProbePlan(subprotocol=sub, headers=headers)))
    fixed = [
        _Case(
            WebSocketPlan(b"/ws/app-close?x=1", (), (), (SendText("one"), SendText("two"), Close())),
            ProbePlan(close_after=1, close_code=4321, close_reason="speccheck bye"),
        ),
        _Case(
            WebSocketPlan(
                b"/ws/no-code/caf%C3%A9?q=%20",
                ((b"x-speccheck-extra", b"one"),),
                ("chat", "v2.speccheck"),
                (SendBytes(b"\x00\xff"), Close(None, "")),
            ),
            ProbePlan(subprotocol="v2.speccheck", headers=(("x-speccheck-accept", "fixed"),)),
        ),
        _Case(WebSocketPlan(b"/ws/abort", (), (), (SendText("x"), SendText(""), Abort())), ProbePlan()),
        _Case(WebSocketPlan(b"/ws/deny", (), (), (Close(),)), ProbePlan(mode="deny")),
        _Case(WebSocketPlan(b"/ws/deny-response", (), (), (Close(),)), ProbePlan(mode="deny-response")),
    ]
    return fixed + cases


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


def check_session(plan: WebSocketPlan, probe: ProbePlan, result: WsResult, obs: dict[str, Any] | None) -> list[Finding]:
    """Every finding of one session: the client's ``result`` against the probe's ``obs``."""
    out: list[Finding] = []
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
        out.append(
            Finding(
                "S520",
                "client messages reached the app changed, lost, duplicated or reordered",
                observed,
                f"{len(want)} messages {[k for k, _ in want][:8]}",
            )
        )
    echoes = [(k, _sha(p)) for k, p in result.messages]
    lost = result.timed_out == _ECHO and len(got) > len(echoes)  # the app sent it: the server lost it
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
    if probe.close_after is not None and obs.get("app_closed"):
        if result.close_code != probe.close_code:
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


def _plain_http(obs: dict[str, Any]) -> bool:
    """The observation of an ``http`` scope: the server handed the upgrade request to the app
    as plain HTTP, i.e. it does not do WebSocket (allowed: then these rules do not apply)."""
    return (obs.get("scope") or {}).get("type") == "http"


def _wait_obs(directory: str, ident: str, wait: float = _OBS_WAIT) -> dict[str, Any] | None:
    """The probe's final observation, or the last partial one if the session never ended
    on the app's side within ``wait`` seconds (then the missing events are findings)."""
    path = os.path.join(directory, f"{ident}.obs.json")
    end = time.monotonic() + wait
    last: dict[str, Any] | None = None
    try:
        while True:
            # Read without removing: the probe may replace the file with a newer one meanwhile.
            try:
                with open(path, encoding="utf-8") as f:
                    last = json.load(f)
            except (OSError, ValueError):
                pass
            now = time.monotonic()
            if (last is not None and (last.get("final") or _plain_http(last))) or now >= end:
                return last
            if last is None and now >= end - wait + _NO_PROBE:
                return None  # the probe writes after websocket.connect: nothing at all means no probe
            time.sleep(0.005)
    finally:
        with contextlib.suppress(OSError):
            os.unlink(path)


def _exchange(plan: WebSocketPlan, base_url: str) -> Exchange:
    headers = tuple((n.decode("latin-1"), v.decode("latin-1")) for n, v in plan.headers)
    actions = ", ".join(type(a).__name__ for a in plan.actions)
    return Exchange(
        interface="asgi",
        scope_type="websocket",
        method="GET",
        target=plan.target.decode("latin-1"),
        headers=headers,
        base_url=base_url.replace("http://", "ws://"),
        replay=f"websocket session: subprotocols={list(plan.subprotocols)} actions=[{actions}]",
    )


def _report_lint(session: RunSession, obs: dict[str, Any] | None, exchange: Exchange) -> None:
    """Server-side findings of the ASGI lint wrapped around the probe (A4xx scope and event
    checks), with this session as their reproduction."""
    for item in (obs or {}).get("lint") or ():
        try:
            violation = Violation.from_dict(item)
        except (UsageError, KeyError, ValueError, TypeError):
            continue
        violation.exchange = exchange
        session.report(violation)


def run_websocket(session: RunSession, cfg: ServerRun, proc: ServerProcess, probe_dir: str) -> None:
    """Run the WebSocket sessions against a running ASGI target; report findings and hangs."""
    count = DEFAULT_SESSIONS if session.examples is None else max(0, min(DEFAULT_SESSIONS, session.examples))
    cases = _cases(sample_sessions(count, session.seed) if count else [])
    end = min(time.monotonic() + _PHASE_BUDGET, session.deadline)
    checked = False
    pong_wait = 1.0
    waits = 0  # sessions that ran into a timeout: a hanging server stops the phase early
    for index, case in enumerate(cases):
        if time.monotonic() >= end or not proc.alive() or waits >= _MAX_WAITS:
            break
        ident = f"ws{os.getpid()}x{index}"
        with open(os.path.join(probe_dir, f"ws-{ident}.json"), "w", encoding="utf-8") as f:
            json.dump(case.probe.to_dict(), f)
        timeout = min(2.0, cfg.exchange_timeout)
        ids = ((ID_HEADER.encode(), ident.encode()),)
        result = run_session(cfg.host, proc.port, case.plan, extra_headers=ids, timeout=timeout, pong_wait=pong_wait)
        if result.pings > len(result.pongs):
            pong_wait = 0.05  # found once: later sessions need not wait a second per ping
        obs = _wait_obs(probe_dir, ident, _OBS_WAIT if result.status else 0.2)
        if obs is not None and _plain_http(obs):
            return  # no WebSocket support: not applicable, nothing marked checked
        exchange = _exchange(case.plan, proc.base_url)
        checked = checked or obs is not None
        waits += bool(result.timed_out) or (obs is not None and not obs.get("final"))
        findings = check_session(case.plan, case.probe, result, obs)
        if result.timed_out and not (result.timed_out == _ECHO and any(f.code == "S521" for f in findings)):
            findings.append(
                Finding(
                    "T003",
                    f"no answer from the server: waited {timeout:g} s for {result.timed_out}",
                    result.timed_out,
                    "an answer",
                    f"websocket {result.timed_out}",
                )
            )
        _report_lint(session, obs, exchange)
        for finding in findings:
            session.report(
                Violation(
                    _rule(finding.code),
                    finding.message,
                    observed=finding.observed,
                    expected=finding.expected,
                    exchange=exchange,
                    signature=finding.signature or finding.message,
                )
            )
    if checked:
        session.mark_checked(WS_CODES)
