"""App faults the server must handle, run with the reaction phase (each on its own connection).

ASGI: the app raises before it starts a response: asgi.rst, Error Handling, servers "must
terminate the application instance and its associated connection if this happens" -- an
error page is fine, a connection kept open for the next request is not (S304).
Both: the app returns without any response: the client must not be left hanging (S215).
WSGI: after the first body block went out the app calls start_response(..., exc_info):
PEP 3333, "if exc_info is provided, and the HTTP headers have already been sent,
start_response must raise an error, and should re-raise using the exc_info tuple" --
the lint around the probe judges the call (W302, W303).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from speccheck.server._findings import Finding, show
from speccheck.server._plans import ResponsePlan
from speccheck.server._reaction_case import Case

if TYPE_CHECKING:
    from speccheck.server._exchanges import Exchanges

__all__ = ["FAULTS", "exc_info_late", "no_response", "raise_before_start"]

FAULTS: tuple[ResponsePlan, ...] = (
    ResponsePlan("raise-before-start", body=("never sent",), fault="before-start"),
    ResponsePlan("exc-info-late", body=("part1", "part2"), raise_after=1, fault="exc-info"),
    ResponsePlan("no-response", body=("never sent",), fault="no-response"),
)
_PLAN = {p.name: p for p in FAULTS}
_OPEN_WAIT = 1.0  # how long a connection may stay open after the server's answer


def raise_before_start(ex: Exchanges) -> None:
    case = Case(ex, "before", _PLAN["raise-before-start"])
    resp, kept = case.exchange(open_wait=_OPEN_WAIT)
    if resp.outcome == "refused" or not ex.proc.alive():
        return
    stuck = resp.outcome == "timeout" and not resp.raw
    if kept or stuck:
        observed = (
            "no response and the connection open and silent"
            if stuck
            else f"a {resp.status} response, then the connection still open after {_OPEN_WAIT:g} s"
        )
        finding = Finding(
            "S304",
            "the app raised before starting its response and the server kept the connection open",
            observed,
            "the connection closed (after an error response, if any)",
            signature="before-start:stuck" if stuck else "before-start:kept-open",
        )
        case.report([finding])
    ex.session.mark_checked({"S304"})


def no_response(ex: Exchanges) -> None:
    """The app returns without a response (ASGI: no http.response.start; WSGI: an iterable
    without start_response). Any end is fine -- an error response, a closed connection --
    but the client must not be left waiting (S215), and whatever the server sends must be
    HTTP (S208: gunicorn's sync worker was seen writing the status line ``HTTP/1.1 None``)."""
    case = Case(ex, "noresp", _PLAN["no-response"])
    wait = min(5.0, ex.cfg.exchange_timeout)
    resp, _ = case.exchange(wait)
    if resp.outcome == "refused" or not ex.proc.alive():
        return
    if resp.outcome == "timeout" and not resp.raw:
        finding = Finding(
            "S215",
            "the app returned without a response and the client got nothing, the connection still open",
            f"no bytes within {wait:g} s",
            "an error response or a closed connection",
            signature="S215",
        )
        case.report([finding])
    elif resp.outcome == "invalid":
        # RFC 9112 4: status-line = HTTP-version SP status-code SP [ reason-phrase ]
        finding = Finding(
            "S208",
            f"the answer to an app that returned without a response is not valid HTTP: {resp.error}",
            show(resp.raw[:120]),
            "a valid HTTP/1.1 response (e.g. 500), or a closed connection",
            signature="no-response",
        )
        case.report([finding])
    ex.session.mark_checked({"S215"})


def exc_info_late(ex: Exchanges) -> None:
    case = Case(ex, "excinfo", _PLAN["exc-info-late"])
    case.exchange()
    obs = case.wait_obs("exc_info_call", 3.0)  # reports the lint's W302/W303 findings
    if obs is None:
        return  # the iterable never got past its first block: no verdict
    ex.session.mark_checked({"W302"} if obs["exc_info_call"] == "returned" else {"W302", "W303"})
