"""Response trailers (rules S308, S309), a step of the reaction phase (ASGI only).

extensions.rst, HTTP Trailers: a server that implements the extension puts
``http.response.trailers`` in ``scope["extensions"]``; the app then sets ``trailers=True``
in http.response.start and ends with an http.response.trailers message, and "The ASGI
server will only send the trailing headers in case the client has sent the ``TE: trailers``
header in the request." Over HTTP/1.1 they travel in the chunked trailer section (RFC 9112
7.1.2). Two exchanges, each on its own connection: one with ``TE: trailers`` (the fields
must arrive, S308), one without (they must not, S309). A server that does not advertise the
extension gets a plain response from the probe: both rules are then not applicable.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from speccheck.client import WireResponse
from speccheck.server._findings import Finding, show
from speccheck.server._plans import ResponsePlan
from speccheck.server._reaction_case import Case

if TYPE_CHECKING:
    from speccheck.server._exchanges import Exchanges

__all__ = ["TRAILER_PLANS", "check_no_te", "check_with_te", "trailers"]

TRAILER_PLANS: tuple[ResponsePlan, ...] = (
    ResponsePlan(
        "trailers",
        headers=(("content-type", "text/plain"), ("trailer", "x-speccheck-sum, x-speccheck-note")),
        body=("trailed ", "body"),
        trailers=(("x-speccheck-sum", "8a2f1c"), ("x-speccheck-note", "end of body")),
    ),
)
_PLAN = TRAILER_PLANS[0]
_TE = b"TE: trailers\r\nConnection: TE\r\n"  # RFC 9110 10.1.4: a TE sender also sends Connection: TE


def _fields(pairs: list[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
    return [(n.strip().lower(), v.strip()) for n, v in pairs]


def _text(fields: list[tuple[bytes, bytes]]) -> str:
    return show(", ".join(f"{n.decode('latin-1')}: {v.decode('latin-1')}" for n, v in fields) or "none")


def _expected(obs: dict[str, Any]) -> list[tuple[bytes, bytes]]:
    sent = (obs.get("trailers") or {}).get("sent") or []
    return _fields([(str(n).encode("latin-1"), str(v).encode("latin-1")) for n, v in sent])


def check_with_te(resp: WireResponse, obs: dict[str, Any]) -> list[Finding]:
    """The request carried TE: trailers; the app sent trailers=True, its body and its trailers."""
    # www.rst, Response Start: with trailers=True "the server must wait until it receives a
    # http.response.trailers message after the Response Body event"; extensions.rst: the
    # server sends the trailing headers when the client sent TE: trailers.
    expected = _expected(obs)
    got = _fields(resp.trailers)
    signature: str
    if resp.outcome != "ok":
        problem, signature = f"{resp.outcome}: {resp.error}", resp.outcome
    elif missing := [f for f in expected if f not in got]:
        chunked = b"chunked" in b",".join(resp.header_values(b"transfer-encoding")).lower()
        problem = f"trailer fields {_text(got)}; missing {_text(missing)}" + ("" if chunked else " (not chunked)")
        signature = "dropped" if chunked else "not-chunked"
    else:
        return []
    return [
        Finding(
            "S308",
            "the app's trailers did not reach a client that sent TE: trailers",
            problem,
            f"a complete chunked response with trailer fields {_text(expected)}",
            signature=signature,
        )
    ]


def check_no_te(resp: WireResponse, obs: dict[str, Any]) -> list[Finding]:
    """The request had no TE: trailers; the app sent trailers anyway (it may not know)."""
    # extensions.rst: "The ASGI server will only send the trailing headers in case the client
    # has sent the TE: trailers header in the request."
    leaked = [f for f in _fields(resp.trailers) if f in _expected(obs)]
    if resp.outcome != "ok" or not leaked:
        return []  # an incomplete response is other rules' business
    return [
        Finding(
            "S309",
            "trailer fields were sent to a client that did not send TE: trailers",
            f"trailer fields {_text(leaked)}",
            "no trailer fields",
            signature="sent",
        )
    ]


def _exchange(ex: Exchanges, name: str, te: bool) -> tuple[Case, WireResponse, dict[str, Any] | None]:
    case = Case(ex, name, _PLAN)
    if te:
        case.raw = case.raw[:-2] + _TE + b"\r\n"
    resp, _ = case.exchange()
    obs = case.wait_obs("trailers", 3.0) if resp.outcome != "refused" else None
    return case, resp, obs


def trailers(ex: Exchanges) -> None:
    codes: set[str] = set()
    for name, te, judge, code in (("trte", True, check_with_te, "S308"), ("trno", False, check_no_te, "S309")):
        case, resp, obs = _exchange(ex, name, te)
        if obs is None or not (obs.get("trailers") or {}).get("advertised"):
            continue  # no verdict, or the extension is absent: not applicable
        case.report(judge(resp, obs), obs)
        codes.add(code)
    if codes:
        ex.session.mark_checked(codes)
