"""The WebSocket phase of an ASGI server run: hypothesis-generated sessions plus a few fixed
scenarios (the app closing with a code and reason, denying before accept, a custom denial
response), sent by a real client (``speccheck.client._ws``) to the probe
(``asgi_checks._probe_ws``), then compared: the client's view vs the app's view.

``run_websocket(session, cfg, proc, probe_dir)`` runs after the HTTP exchanges (bounded:
a few seconds); ``speccheck.server._ws_oracle.check_session`` is the pure oracle per session.
"""

from __future__ import annotations

import contextlib
import json
import os
import time
from dataclasses import dataclass
from typing import Any

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import seed as hypothesis_seed

from speccheck._errors import UsageError
from speccheck._violations import Exchange, Violation
from speccheck.client._ws import run_session
from speccheck.server._findings import Finding
from speccheck.server._plans import ID_HEADER
from speccheck.server._support import RunSession, ServerRun, _rule
from speccheck.server._ws_oracle import ECHO, ProbePlan, check_session
from speccheck.server._ws_rules import WS_CODES
from speccheck.targets import ServerProcess
from speccheck.traffic import Abort, Close, SendBytes, SendText, WebSocketPlan, websocket_sessions

__all__ = ["ProbePlan", "check_session", "run_websocket", "sample_sessions"]

DEFAULT_SESSIONS = 12
_PHASE_BUDGET = 20.0  # seconds for the whole phase at most
_OBS_WAIT = 3.0
_MAX_WAITS = 2
_NO_PROBE = 0.5  # seconds without any observation file: the probe never ran


@dataclass
class _Case:
    plan: WebSocketPlan
    probe: ProbePlan


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
        # Fragmented (RFC 6455 5.4): a character cut across frames, a ping in the middle,
        # empty fragments; each must reach the app as one whole message.
        _Case(
            WebSocketPlan(
                b"/ws/fragments",
                (),
                (),
                (
                    SendText("caf\u00e9 \U0001f600!", (3, 4, 7, 9), b"mid"),
                    SendBytes(b"\x00" * 300, (0, 100, 100)),
                    Close(),
                ),
            ),
            ProbePlan(),
        ),
        _Case(WebSocketPlan(b"/ws/deny", (), (), (Close(),)), ProbePlan(mode="deny")),
        _Case(WebSocketPlan(b"/ws/deny-response", (), (), (Close(),)), ProbePlan(mode="deny-response")),
    ]
    return fixed + cases


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
    actions = ", ".join(
        type(a).__name__ + (f"(cuts={list(a.cuts)})" if isinstance(a, (SendText, SendBytes)) and a.cuts else "")
        for a in plan.actions
    )
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
    began = time.monotonic()
    try:
        _run(session, cfg, proc, probe_dir)
    finally:
        cfg.timings["websocket_seconds"] = time.monotonic() - began


def _run(session: RunSession, cfg: ServerRun, proc: ServerProcess, probe_dir: str) -> None:
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
        answered = result.status or result.handshake_problem or result.error.startswith("handshake")
        obs = _wait_obs(probe_dir, ident, _OBS_WAIT if answered else 0.2)
        if obs is not None and _plain_http(obs):
            return  # no WebSocket support: not applicable, nothing marked checked
        exchange = _exchange(case.plan, proc.base_url)
        checked = checked or obs is not None
        waits += bool(result.timed_out) or (obs is not None and not obs.get("final"))
        findings = check_session(case.plan, case.probe, result, obs)
        if result.timed_out and not (result.timed_out == ECHO and any(f.code == "S521" for f in findings)):
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
