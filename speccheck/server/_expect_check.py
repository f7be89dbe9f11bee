"""``Expect: 100-continue`` cases (S310-S314), each on its own raw connection.

The client sends the request head, waits a bounded time for a 100 or a final response,
then sends the body (also when nothing came: PEP 3333 lets a server wait for it, "This
is suboptimal, and is not recommended", and RFC 9110 10.1.1 lets a client send it
without waiting) and reads the final response strictly. Which of PEP 3333's three ways
a server takes is recorded in the findings' extra, never judged.
"""

from __future__ import annotations

import base64
from typing import Any

from speccheck.client import WireResponse
from speccheck.client._raw import Early, RawStream
from speccheck.server._conn_support import CaseResult, ConnContext
from speccheck.server._findings import Finding, show
from speccheck.server._oracle_response import check_response
from speccheck.server._plans import ID_HEADER
from speccheck.server._responses import BY_NAME
from speccheck.traffic import RequestPlan

__all__ = ["CONTINUE_WAIT", "expect_http10", "expect_read", "expect_unread"]

CONTINUE_WAIT = 1.0  # how long the client waits for 100 Continue before sending the body anyway
_STRAY_WAIT = 0.25  # after a final response: a 1xx arriving now belongs to no request
_BODY = b"speccheck expect body \xe9\x00 " * 48
_EXPECT = ((b"Expect", b"100-continue"),)
_EARLY = {
    "1xx": "a 1xx before the body was sent",
    "final": "the final response before the body was sent",
    "nothing": f"nothing within {CONTINUE_WAIT:g} s: the client sent the body on its own",
    "closed": "the connection closed before the body was sent",
}


def _is_1xx(data: bytes) -> bool:
    line = data.split(b"\r\n", 1)[0].split(b" ")
    return len(line) >= 2 and line[0].startswith(b"HTTP/") and line[1][:1] == b"1" and len(line[1]) == 3


def _exchange(ctx: ConnContext, stream: RawStream, raw: bytes, body_len: int) -> tuple[Early, WireResponse, bool]:
    """Send the head, wait for 100 or a final response, send the body, read the final
    response. Returns what came before the body, the response, and whether the body went out."""
    head = raw[: len(raw) - body_len]
    body = raw[len(raw) - body_len :]
    if not stream.send(head):
        return "closed", WireResponse("reset", error=stream.error), False
    early = stream.wait_early(CONTINUE_WAIT)
    resp: WireResponse | None = None
    if early == "final":
        # Read the whole final response before sending the body: a server that closes now
        # must not have our body bytes in its buffer turn its close into a reset.
        resp = stream.read_response(timeout=ctx.timeout)
    sent = early != "closed" and stream.send(body)
    if resp is None:
        resp = stream.read_response(timeout=ctx.timeout)
    return early, resp, sent


def _body_finding(ctx: ConnContext, obs: dict[str, Any], sent: bytes, expect: bool) -> Finding | None:
    if "body" not in obs:
        return None
    got = base64.b64decode(obs.get("body") or "")
    if got == sent and obs.get("body_complete"):
        return None
    if ctx.interface == "wsgi":
        code = "S310" if expect else "S107"
        what = "wsgi.input"
    else:
        code, what = "S117", "the http.request messages"
    return Finding(
        code,
        f"{what} did not yield the body sent after an Expect: 100-continue head",
        f"{len(got)} bytes {show(got[:40])}{'' if obs.get('body_complete') else ' (incomplete)'}",
        f"{len(sent)} bytes {show(sent[:40])}",
        signature="expect-body",
    )


def _no_final(ctx: ConnContext, early: Early, resp: WireResponse) -> Finding | None:
    """No final response while the connection stays open: after a 100, S311; without
    one, a hang (T003). A closed connection is not judged (RFC 9110 10.1.1 excepts a
    connection "closed prematurely"); a server that stopped answering everyone is T003."""
    if resp.outcome != "timeout" or not ctx.proc.alive():
        return None
    if not ctx.responsive():
        return ctx.hung("an Expect: 100-continue request got no final response")
    if early == "1xx" or resp.informational:
        return Finding(
            "S311",
            f"100 Continue was sent, then no final response within {ctx.timeout:g} s after the body",
            resp.error,
            "a final response",
            signature="no-final",
        )
    return Finding(
        "T003",
        f"no response to an Expect: 100-continue request within {ctx.timeout:g} s after its body",
        resp.error,
        "a complete response",
        signature="expect-hung",
    )


def _judge_final(
    ctx: ConnContext, result: CaseResult, req: RequestPlan, ident: str, plan: str, early: Early, resp: WireResponse
) -> tuple[list[Finding], dict[str, Any] | None]:
    """Findings about the final response and the body the app got (not yet wrapped)."""
    found: list[Finding] = []
    from_probe = resp.outcome == "ok" and resp.header_values(ID_HEADER.encode()) == [ident.encode()]
    obs = ctx.observe(ident, from_probe)
    expect11 = req.http_version == "1.1"
    if obs is not None:
        finding = _body_finding(ctx, obs, req.body, expect11)
        if finding is not None:
            found.append(finding)
    elif resp.outcome == "ok" and not from_probe and expect11 and ctx.interface == "wsgi":
        found.append(
            Finding(
                "S310",
                f"the server answered {resp.status} itself: the request never reached the app",
                f"{resp.status} {show(resp.reason)}",
                "the app's response (plan " + plan + ")",
                signature=f"expect-not-delivered:{resp.status}",
            )
        )
    if expect11 and ctx.interface == "wsgi" and (obs is not None or resp.outcome == "ok"):
        result.checked.add("S310")
    missing = _no_final(ctx, early, resp)
    if missing is not None:
        found.append(missing)
    if early == "1xx" or resp.informational:
        result.checked.add("S311")
    if from_probe:
        found += check_response(req, ident, BY_NAME[plan], resp, obs, None, ctx.interface)
    return found, obs


def _stray(ctx: ConnContext, result: CaseResult, stream: RawStream, resp: WireResponse, unread: bool) -> Finding | None:
    """RFC 9110 15: interim responses come before the final one. With no request
    outstanding, a 1xx now would be taken for an answer to the client's next request."""
    if resp.outcome != "ok" or not resp.keep_alive:
        return None
    extra = stream.stray(_STRAY_WAIT)
    result.checked.add("S313")
    if _is_1xx(extra):
        return Finding(
            "S313",
            "a 1xx response arrived after the final response to an Expect: 100-continue request",
            show(extra[:60]),
            "nothing until the next request",
            signature="1xx-after-final",
        )
    if extra and unread:
        # A response nobody asked for, once the body arrived: the body was taken for a request.
        return Finding(
            "S314",
            "after an Expect: 100-continue request with an unread body, a response came for no request",
            show(extra[:60]),
            "nothing until the next request",
            signature="expect-unread:unasked",
        )
    if extra:
        resp.trailing = extra  # judged like any bytes after a response (S206)
    return None


def _case(
    ctx: ConnContext, name: str, version: str, plan: str
) -> tuple[CaseResult, RawStream | None, RequestPlan, bytes, WireResponse, Early]:
    result = CaseResult()
    ident = ctx.ident(name)
    req = RequestPlan(
        method="POST", target=f"/expect/{name}".encode(), headers=_EXPECT, body=_BODY, http_version=version
    )
    req, raw = ctx.request(req, ident, plan)
    try:
        stream = RawStream(ctx.cfg.host, ctx.proc.port, timeout=ctx.timeout)
    except OSError as exc:
        return result, None, req, raw, WireResponse("refused", error=str(exc)), "closed"
    early, resp, sent = _exchange(ctx, stream, raw, len(req.body))
    result.notes[f"expect_{name}"] = _EARLY[early] + ("" if sent else " (the body could not be sent)")
    exchange = ctx.exchange(req, raw)
    extra: dict[str, object] = {
        "exchange_id": ident,
        "response_plan": plan,
        "request": raw[:4096].decode("latin-1"),
        "response": resp.raw[:4096].decode("latin-1"),
    }
    found, _obs = _judge_final(ctx, result, req, ident, plan, early, resp)
    if version == "1.1":
        stray = _stray(ctx, result, stream, resp, unread=not BY_NAME[plan].read_body)
        if stray is not None:
            found.append(stray)
        if resp.trailing:
            found += [f for f in check_response(req, ident, BY_NAME[plan], resp, None, None, ctx.interface)]
    result.findings += [(f, exchange, extra) for f in found]
    return result, stream, req, raw, resp, early


def expect_read(ctx: ConnContext) -> CaseResult:
    """HTTP/1.1, the app reads the body: it must get exactly that body, and the client a
    final response (after a 100, RFC 9110 10.1.1), with no 1xx after it."""
    result, stream, *_ = _case(ctx, "read", "1.1", "with-length")
    if stream is not None:
        stream.close()
    return result


def expect_http10(ctx: ConnContext) -> CaseResult:
    """HTTP/1.0 with Expect: RFC 9110 15.2, no 1xx to an HTTP/1.0 client."""
    result, stream, req, raw, resp, early = _case(ctx, "http10", "1.0", "with-length")
    if stream is not None:
        stream.close()
    if early == "1xx" or resp.informational:
        statuses: list[object] = list(resp.informational) or ["1xx"]
        finding = Finding(
            "S312",
            "a 1xx response was sent to an HTTP/1.0 request with Expect: 100-continue",
            show(statuses),
            "no 1xx, the final response only",
            signature="1xx-to-http10",
        )
        extra: dict[str, object] = {
            "request": raw[:4096].decode("latin-1"),
            "response": resp.raw[:4096].decode("latin-1"),
        }
        result.findings.append((finding, ctx.exchange(req, raw), extra))
    if early == "1xx" or resp.informational or resp.outcome == "ok":
        result.checked.add("S312")
    return result


def expect_unread(ctx: ConnContext) -> CaseResult:
    """HTTP/1.1, the app answers without reading the body. The body is part of the
    message whatever the server answered (RFC 9112 6.3): a server that keeps the
    connection must read past it; the next request must get its own response."""
    result, stream, req, raw, resp, _early = _case(ctx, "unread", "1.1", "unread")
    if stream is None:
        return result
    try:
        if resp.outcome != "ok":
            return result
        result.checked.add("S314")
        if any(f.code == "S314" for f, _, _ in result.findings):
            return result  # a response for no request already showed it
        if not resp.keep_alive or stream.eof:
            result.notes["expect_unread_after"] = "the connection was closed after the response"
            return result
        after_id = ctx.ident("after")
        _after, after_raw = ctx.request(RequestPlan(method="GET", target=b"/expect/after"), after_id, "plain")
        if not stream.send(after_raw):
            result.notes["expect_unread_after"] = "the connection was closed after the response"
            return result
        nxt = stream.read_response(timeout=ctx.timeout, reused=True)
        from_probe = nxt.outcome == "ok" and nxt.header_values(ID_HEADER.encode()) == [after_id.encode()]
        ctx.observe(after_id, from_probe)  # the probe's file, if any, is not needed
        if from_probe or nxt.outcome in ("closed", "reset"):
            result.notes["expect_unread_after"] = (
                "the next request got its response" if from_probe else "the connection closed at the next request"
            )
            return result
        if nxt.outcome == "timeout" and not ctx.responsive():
            finding = ctx.hung("the request after an Expect: 100-continue request got no response")
            result.findings.append(
                (finding, ctx.exchange(req, raw), {"request": (raw + after_raw)[:4096].decode("latin-1")})
            )
            return result
        if nxt.outcome == "ok":
            got = nxt.header_values(ID_HEADER.encode())
            observed = f"{nxt.status} {show(nxt.reason)}, id {show(got[0] if got else None)}"
        else:
            observed = f"{nxt.outcome}: {nxt.error}"
        finding = Finding(
            "S314",
            "the request after an Expect: 100-continue request with an unread body did not get its own response",
            observed,
            f"the response to {after_id} (or the connection closed)",
            signature=f"expect-unread:{nxt.outcome}",
        )
        extra: dict[str, object] = {
            "exchange_id": ctx.ident("unread"),
            "request": (raw + after_raw)[:4096].decode("latin-1"),
            "response": (resp.raw + nxt.raw)[:4096].decode("latin-1"),
        }
        result.findings.append((finding, ctx.exchange(req, raw), extra))
        return result
    finally:
        stream.close()
