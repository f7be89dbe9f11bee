"""The reaction phase of a server run (rules S210-S214, S304-S307): a few exchanges of
its own, each on a fresh connection, run in parallel after the generated exchanges.

ASGI: receive() after the response (S210); a client that closes while the app waits,
then send() anyway (S211-S213); an app that raises mid-body (S304, S305); an app that
sends its own Transfer-Encoding (S214). WSGI: an iterable that raises mid-body (S305,
and close() must follow: S306); a slow body the client abandons (close(): S307).
``_faults`` adds an ASGI app raising before its response (S304), an app returning without
any response (S215) and a late start_response(exc_info) in WSGI (W302/W303); ``_trailers``
adds ASGI response trailers where the server advertises them (S308, S309).
"""

from __future__ import annotations

import select
import socket
import time
from typing import TYPE_CHECKING

from speccheck.client import WireConnection, WireResponse
from speccheck.server._faults import FAULTS, exc_info_late, no_response, raise_before_start
from speccheck.server._findings import Finding
from speccheck.server._oracle_reaction import (
    DISCONNECT,
    check_abort,
    check_app_te,
    check_late_receive,
    check_raise,
    spec_version,
)
from speccheck.server._plans import write_plan
from speccheck.server._reaction_case import Case
from speccheck.server._responses import REACTION
from speccheck.server._trailers import TRAILER_PLANS, trailers

if TYPE_CHECKING:
    from speccheck.server._exchanges import Exchanges

__all__ = ["run_reactions"]

_PLAN = {p.name: p for p in REACTION}
_CLOSE_GRACE = 2.0  # close() comes after the response; allow for a loaded machine
_OPEN_WAIT = 1.0  # how long a connection may stay open after a broken response
_ABORT_AFTER = 0.5  # the client abandons the slow WSGI body after this long (or its first bytes)


# --- ASGI --------------------------------------------------------------------------------
def late_receive(ex: Exchanges) -> None:
    case = Case(ex, "late", _PLAN["late-receive"])
    conn = WireConnection(ex.cfg.host, ex.proc.port, timeout=ex.cfg.exchange_timeout)
    try:
        resp = conn.request(case.raw)
        case.response = resp.raw
        obs = case.wait_obs("late_receive", 3.0) if resp.outcome == "ok" else None  # connection kept open
    finally:
        conn.close()
    if obs is None:
        return  # no verdict: the app never got to its late receive() (or was cancelled)
    case.report(check_late_receive(obs), obs)
    ex.session.mark_checked({"S210"})


def abort(ex: Exchanges) -> None:
    plan = _PLAN["abort-hold"]
    case = Case(ex, "abort", plan)
    try:
        sock = socket.create_connection((ex.cfg.host, ex.proc.port), timeout=2.0)
    except OSError:
        return
    try:
        sock.sendall(case.raw)
        started = case.wait_obs("holding", 3.0)  # the app runs and waits in receive()
    finally:
        sock.close()
    if started is None:
        return
    obs = case.wait_obs("late_send", plan.hold + 6.0)
    if obs is None:
        return
    case.report(check_abort(obs), obs)
    codes = {"S211"}
    if (obs.get("held") or {}).get("type") == DISCONNECT:
        codes.add("S213")
        if spec_version(obs) >= (2, 4):
            codes.add("S212")
    ex.session.mark_checked(codes)


def app_te(ex: Exchanges) -> None:
    case = Case(ex, "te", _PLAN["app-te"])
    conn = WireConnection(ex.cfg.host, ex.proc.port, timeout=ex.cfg.exchange_timeout)
    try:
        first = conn.request(case.raw, drain=True, timeout=min(2.0, ex.cfg.exchange_timeout))
        case.response = first.raw
        second = (
            conn.request(b"GET / HTTP/1.1\r\nHost: speccheck\r\n\r\n", timeout=min(2.0, ex.cfg.exchange_timeout))
            if first.keep_alive
            else WireResponse("closed")
        )
    finally:
        conn.close()
    if first.outcome in ("refused", "timeout") and not first.raw:
        return
    case.report(check_app_te(first, second))
    ex.session.mark_checked({"S214"})


# --- both --------------------------------------------------------------------------------
def raise_mid_body(ex: Exchanges) -> None:
    case = Case(ex, "raise", _PLAN["raise-mid-body"])
    resp, kept = case.exchange(open_wait=_OPEN_WAIT)
    if not resp.raw:
        return  # refused or silent: not this phase's business
    sent = "".join(case.plan.body[: case.plan.raise_after or 0]).encode("latin-1")
    case.report(check_raise(resp, case.plan.status, ex.interface, kept, sent))
    ex.session.mark_checked({"S305", "S304"} if ex.interface == "asgi" else {"S305"})
    if ex.interface == "wsgi" and ex.proc.alive():
        if not case.wait_closed(_CLOSE_GRACE):
            # PEP 3333: close() "upon completion of the current request, whether the request
            # was completed normally, or terminated early due to an application error during iteration"
            case.report(
                [Finding("S306", "close() was never called after the iterable raised", "no close()", "close()")]
            )
        ex.session.mark_checked({"S306"})


# --- WSGI --------------------------------------------------------------------------------
def slow_abort(ex: Exchanges) -> None:
    plan = _PLAN["slow-body"]
    case = Case(ex, "slow", plan)
    try:
        sock = socket.create_connection((ex.cfg.host, ex.proc.port), timeout=2.0)
    except OSError:
        return
    got = b""
    try:
        sock.sendall(case.raw)
        readable, _, _ = select.select([sock], [], [], _ABORT_AFTER)
        if readable:
            try:
                got = sock.recv(1024)
            except OSError:
                pass
    finally:
        sock.close()  # the browser goes away in the middle of the body
    case.response = got
    if not ex.proc.alive():
        return
    # PEP 3333: close() is due "whether the request was completed normally, or terminated
    # early due to ... an early disconnect of the browser". A server that goes on iterating
    # finishes within pause * chunks; then close() is due anyway.
    if not case.wait_closed(plan.pause * len(plan.body) + _CLOSE_GRACE + 1.0):
        case.report(
            [
                Finding(
                    "S307", "close() was never called after the client dropped the connection", "no close()", "close()"
                )
            ]
        )
    ex.session.mark_checked({"S307"})


_ASGI_STEPS = (
    (late_receive, {"S210"}),
    (abort, {"S211", "S212", "S213"}),
    (app_te, {"S214"}),
    (raise_mid_body, {"S304", "S305"}),
    (raise_before_start, {"S304"}),
    (trailers, {"S308", "S309"}),
    (no_response, {"S215", "S208"}),
)
_WSGI_STEPS = (
    (raise_mid_body, {"S305", "S306"}),
    (slow_abort, {"S307"}),
    (exc_info_late, {"W302", "W303"}),
    (no_response, {"S215", "S208"}),
)


def run_reactions(ex: Exchanges) -> None:
    """All reaction exchanges of this interface, in parallel (each costs its own waits)."""
    enabled = getattr(ex.session, "enabled", None)  # the rule selection, where the session has one
    steps = [
        step
        for step, codes in (_ASGI_STEPS if ex.interface == "asgi" else _WSGI_STEPS)
        if enabled is None or codes & set(enabled)
    ]
    if not steps:
        return
    for plan in REACTION + FAULTS + TRAILER_PLANS:
        write_plan(ex.dir, plan)
    started = time.monotonic()
    ex._parallel(lambda i: steps[i](ex), len(steps), 15.0)
    ex.cfg.timings["reactions_seconds"] = time.monotonic() - started
