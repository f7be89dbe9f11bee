"""Response planned vs bytes received (rules S201-S208), and what a broken or missing
response means (T003/T004).

The server may add headers (Date, Server, framing), choose Content-Length or chunked,
lowercase names and join duplicate values with commas (RFC 9110 5.3); it must not lose
or alter the app's own fields, status or content, must send no content after HEAD,
1xx, 204 and 304, and must keep the connection's framing sound whatever the app does.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from speccheck._http import content_forbidden
from speccheck.client import WireResponse
from speccheck.server._findings import Finding, show
from speccheck.server._plans import ID_HEADER, ResponsePlan
from speccheck.server._responses import WRONG
from speccheck.traffic import RequestPlan

__all__ = ["RESPONSE_CODES", "WSGI_RESPONSE_CODES", "Previous", "check_response"]

RESPONSE_CODES = frozenset({"S201", "S202", "S203", "S204", "S205", "S206", "S207", "S208"})
WSGI_RESPONSE_CODES = frozenset({"S209"})
_NOT_RELAYED = frozenset({"content-length", "transfer-encoding", "connection", "keep-alive"})
_INJECTED = b"x-injected"


class Previous:
    """The exchange that came before on the same connection (blamed for leaked bytes)."""

    __slots__ = ("exchange", "head", "ident", "plan", "status")

    def __init__(self, ident: str, head: bool, status: int, plan: ResponsePlan, exchange: Any = None) -> None:
        self.ident = ident
        self.head = head
        self.status = status
        self.plan = plan
        self.exchange = exchange  # () -> (Exchange, extra): details for a finding about it, built on demand


def _declared(plan: ResponsePlan) -> int | None:
    for name, value in plan.headers:
        if name.lower() == "content-length" and value.isdigit():
            return int(value)
    return None


# The excess of each wrong plan whose Content-Length is smaller than its body: bytes that
# start with one of these are that app's overrun, whichever exchange they surface after.
_OVERRUNS = tuple(p.body_bytes[n:] for p in WRONG for n in [_declared(p)] if n is not None and n < len(p.body_bytes))


def _overrun(data: bytes, interface: str) -> Finding | None:
    """The app said Content-Length N and produced more: the app broke the rule first (H103).
    PEP 3333 asks the server only that it "should not transmit more bytes to the client
    than the header allows" (S209, a SHOULD); the ASGI spec gives the server no duty here,
    so on ASGI it is the app's finding alone (a legal variant for the server)."""
    if not any(data.startswith(tail) for tail in _OVERRUNS):
        return None
    return Finding(
        "S209" if interface == "wsgi" else "",
        "bytes past an app's too-small Content-Length reached the wire",
        show(data[:60]),
        "at most Content-Length bytes",
        signature="overrun",
    )


def _leak(head: bool, status: int, plan: ResponsePlan, data: bytes, where: str, interface: str = "wsgi") -> Finding:
    sample = show(data[:60])
    overrun = _overrun(data, interface)
    if overrun is not None:
        return overrun
    if head:
        # RFC 9110 9.3.2: "the server MUST NOT send content in the response" to HEAD. The
        # probe produces its body for HEAD too, like any app that does not special-case
        # HEAD (H102 is advice only): dropping it is the server's job, as gunicorn, uvicorn
        # and hypercorn do. Bytes the server made itself (an error page, a chunk
        # terminator) are told apart from the app's body relayed.
        relayed = any(chunk and chunk.encode("latin-1") in data for chunk in plan.body)
        kind = "app content relayed" if relayed else "server's own content"
        return Finding(
            "S204",
            f"content bytes followed the response to HEAD {where} ({kind})",
            sample,
            "no content",
            signature=kind,
        )
    if content_forbidden(status):
        # RFC 9110 6.4.1: 1xx, 204 and 304 responses do not include content.
        return Finding(
            "S205",
            f"content bytes followed a {status} response {where}",
            sample,
            "no content",
            signature=f"{status}:{plan.name}",
        )
    # RFC 9112 6.3: the framing must say where the message ends; bytes past it start the next response.
    return Finding(
        "S206",
        f"bytes past the end of a {status} response (plan {plan.name}) {where}",
        sample,
        "the next response or nothing",
        signature=f"plan:{plan.name}",
    )


def check_response(
    req: RequestPlan,
    ident: str,
    plan: ResponsePlan,
    resp: WireResponse,
    obs: dict[str, Any] | None,
    prev: Previous | None,
    interface: str = "wsgi",
) -> list[Finding]:
    out = _check_response(req, ident, plan, resp, obs, prev, interface)
    return [f for f in out if f.code]  # an empty code: the app's fault, nothing for the server


def _check_response(
    req: RequestPlan,
    ident: str,
    plan: ResponsePlan,
    resp: WireResponse,
    obs: dict[str, Any] | None,
    prev: Previous | None,
    interface: str,
) -> list[Finding]:
    head = req.method == "HEAD"
    out: list[Finding] = []
    crlf = "crlf" in plan.wrong
    if crlf and _INJECTED in resp.raw.split(b"\r\n\r\n", 1)[0].lower().replace(b": ", b":"):
        lines = resp.raw.split(b"\r\n\r\n", 1)[0].lower().split(b"\n")
        if any(line.lstrip(b"\r").startswith(_INJECTED) for line in lines):
            # RFC 9110 5.5: CR/LF in a field value "are invalid and dangerous"; a server
            # must reject or neutralise them, never emit them as a line break.
            out.append(
                Finding(
                    "S207",
                    "a line break in an app header value reached the wire as a new header",
                    show(resp.raw[:200]),
                    "the header rejected, or CR/LF replaced",
                    signature=plan.name,
                )
            )
    if resp.outcome == "invalid":
        if resp.reused and prev is not None:
            leak = _leak(
                prev.head, prev.status, prev.plan, resp.raw, "(seen as an unparsable next response)", interface
            )
            out.append(replace(leak, previous=True))
        elif not out:
            out.append(
                Finding(
                    "S208",
                    f"unparsable response: {resp.error}",
                    show(resp.raw[:200]),
                    "a valid HTTP/1.1 response",
                    signature=plan.name if plan.wrong else resp.error[:60],
                )
            )
        return out
    if resp.outcome == "closed" and resp.raw and obs is not None and not obs.get("errors") and not plan.wrong:
        if plan.raise_after is None and not head:
            # The app finished its body; the server cut the response short.
            out.append(
                Finding(
                    "S203",
                    "the connection closed before the app's whole body was sent",
                    f"{resp.error}",
                    f"{len(plan.body_bytes)} bytes",
                    signature=f"{plan.name}:truncated",
                )
            )
        return out
    if resp.outcome != "ok":
        return out
    if resp.trailing:
        out.append(_leak(head, resp.status, plan, resp.trailing, "on the same connection", interface))
    got_ids = resp.header_values(ID_HEADER.encode())
    if got_ids and got_ids[0].decode("latin-1") != ident:
        out.append(
            Finding(
                "S206",
                "the response belongs to another request (the connection desynchronised)",
                show(got_ids[0]),
                show(ident),
                signature="wrong-response",
            )
        )
        return out
    if obs is None or obs.get("errors") or plan.wrong or plan.raise_after is not None:
        return out
    # RFC 9110 15: the status code the app chose is the one the client must see.
    if resp.status != plan.status:
        out.append(
            Finding(
                "S201",
                "the status on the wire differs from the app's",
                str(resp.status),
                str(plan.status),
                signature=f"{plan.status}->{resp.status}",
            )
        )
        return out
    out += _headers(plan, resp, ident)
    if not head and not content_forbidden(plan.status) and resp.body != plan.body_bytes:
        out.append(
            Finding(
                "S203",
                "the content on the wire differs from the app's body",
                f"{len(resp.body)} bytes {show(resp.body[:40])}",
                f"{len(plan.body_bytes)} bytes {show(plan.body_bytes[:40])}",
                signature=plan.name,
            )
        )
    return out


def _headers(plan: ResponsePlan, resp: WireResponse, ident: str) -> list[Finding]:
    # RFC 9110 5.3: field lines with one name may be combined into one comma-separated
    # line, in order; nothing else may change about the app's own fields.
    planned: dict[str, list[str]] = {}
    for name, value in (*plan.headers, (ID_HEADER, ident)):
        lower = name.lower()
        if lower in _NOT_RELAYED:
            continue
        if plan.status == 304 and lower not in ("etag", ID_HEADER):
            continue  # RFC 9110 15.4.5: a 304 may leave out representation metadata
        planned.setdefault(lower, []).append(value)
    wire: dict[str, list[str]] = {}
    for raw_name, raw_value in resp.headers:
        wire.setdefault(raw_name.decode("latin-1").lower(), []).append(raw_value.decode("latin-1"))
    out: list[Finding] = []
    for name, values in planned.items():
        got = wire.get(name)
        if got == values or (got is not None and len(got) == 1 and got[0] in (",".join(values), ", ".join(values))):
            continue
        out.append(
            Finding(
                "S202",
                f"response header {name} {'missing' if got is None else 'altered'} on the wire",
                show(got),
                show(values),
                signature=f"{plan.name}:{name}",
            )
        )
    return out
