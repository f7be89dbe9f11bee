"""Pipelining (S315, S316): several complete requests (GET, POST with a Content-Length
body, HEAD, POST with a chunked body, GET) in one write on one connection, responses
read strictly in order.

RFC 9112 9.3.2: "A server MAY process a sequence of pipelined requests in parallel if
they all have safe methods, but it MUST send the corresponding responses in the same
order that the requests were received." Each response must carry its own request's id;
the requests and responses are judged by the ordinary oracles (S1xx, S2xx) as well.
A server may close the connection after a response that says so (RFC 9112 9.6), or at
any time (9.5: "A client, server, or proxy MAY close the transport connection at any
time"; 9.3.2: clients "SHOULD retry unanswered requests"): requests left unanswered by a
closed connection are not a finding. One left unanswered on an open connection is.
"""

from __future__ import annotations

from typing import Any

from speccheck.client import WireResponse
from speccheck.client._raw import RawStream
from speccheck.server._conn_support import CaseResult, ConnContext
from speccheck.server._findings import Finding, show
from speccheck.server._oracle_request import check_asgi_request, check_wsgi_request
from speccheck.server._oracle_response import Previous, check_response
from speccheck.server._plans import ID_HEADER
from speccheck.server._responses import BY_NAME
from speccheck.traffic import RequestPlan

__all__ = ["PIPELINE", "pipeline"]

# Plans with one body chunk and a Content-Length: servers keep such connections open
# (a body of unknown length makes some close after it, which ends the pipeline early).
PIPELINE: tuple[tuple[RequestPlan, str], ...] = (
    (RequestPlan(method="GET", target=b"/pipe/0"), "with-length"),
    (
        RequestPlan(method="POST", target=b"/pipe/1", headers=((b"Content-Type", b"text/plain"),), body=b"one body"),
        "created",
    ),
    (
        RequestPlan(
            method="POST", target=b"/pipe/2", body=b"chunked pipelined body", framing="chunked", chunks=(7, 15)
        ),
        "not-found",
    ),
    (RequestPlan(method="GET", target=b"/pipe/3?q=5"), "with-length"),
    # HEAD last: a server that sends content after HEAD (S204) spoils only what follows it.
    (RequestPlan(method="HEAD", target=b"/pipe/4"), "with-length"),
)


def _request_findings(ctx: ConnContext, req: RequestPlan, obs: dict[str, Any]) -> list[Finding]:
    return check_wsgi_request(req, obs) if ctx.interface == "wsgi" else check_asgi_request(req, obs)


def pipeline(ctx: ConnContext) -> CaseResult:
    result = CaseResult()
    sent: list[tuple[RequestPlan, str, str, bytes]] = []
    for number, (plain, plan) in enumerate(PIPELINE):
        ident = ctx.ident(f"p{number}")
        req, raw = ctx.request(plain, ident, plan)
        sent.append((req, ident, plan, raw))
    everything = b"".join(raw for *_, raw in sent)
    idents = [ident for _, ident, _, _ in sent]
    try:
        stream = RawStream(ctx.cfg.host, ctx.proc.port, timeout=ctx.timeout)
    except OSError:
        return result
    try:
        if not stream.send(everything):
            return result
        prev: Previous | None = None
        for number, (req, ident, plan, _raw) in enumerate(sent):
            head = req.method == "HEAD"
            resp = stream.read_response(head=head, timeout=ctx.timeout, reused=number > 0)
            exchange = ctx.exchange(req, everything)
            extra: dict[str, object] = {
                "exchange_id": ident,
                "response_plan": plan,
                "pipelined": f"request {number + 1} of {len(sent)}",
                "request": everything[:4096].decode("latin-1"),
                "response": resp.raw[:4096].decode("latin-1"),
            }
            found, go_on = _judge(ctx, result, number, idents, req, ident, plan, resp, prev)
            result.findings += [(f, exchange, extra) for f in found]
            if not go_on:
                break
            prev = Previous(ident, head=head, status=resp.status, plan=BY_NAME[plan])
        else:
            result.notes["pipeline"] = f"all {len(sent)} pipelined requests answered in order"
    finally:
        stream.close()
    return result


def _judge(
    ctx: ConnContext,
    result: CaseResult,
    number: int,
    idents: list[str],
    req: RequestPlan,
    ident: str,
    plan: str,
    resp: WireResponse,
    prev: Previous | None,
) -> tuple[list[Finding], bool]:
    """The findings about response ``number`` and whether to read the next one."""
    if resp.outcome == "ok":
        got_ids = resp.header_values(ID_HEADER.encode())
        got = got_ids[0].decode("latin-1") if got_ids else None
        if number >= 1 or got != ident:
            # judged once a second response came on the connection (a server that closes
            # after every response, as announced, never sees a pipeline) or a wrong one did
            result.checked |= {"S315", "S316"}
        if got == ident:
            obs = ctx.observe(ident, True)
            found = _request_findings(ctx, req, obs) if obs is not None else []
            found += check_response(req, ident, BY_NAME[plan], resp, obs, prev, ctx.interface)
            if not resp.keep_alive:
                result.notes["pipeline"] = f"the connection closed as announced after response {number + 1}"
            return found, resp.keep_alive
        if got in idents:
            what = f"the response to request {idents.index(got) + 1} came in place of request {number + 1}'s"
        else:
            what = f"a {resp.status} response that belongs to no request came in place of request {number + 1}'s"
        return [
            Finding(
                "S315",
                f"pipelined responses out of order: {what}",
                f"{resp.status}, id {show(got)}",
                f"the response to {ident}",
                signature="out-of-order" if got in idents else "not-its-response",
            )
        ], False
    if resp.outcome == "invalid":
        return check_response(req, ident, BY_NAME[plan], resp, None, prev, ctx.interface), False
    if resp.outcome == "timeout" and ctx.proc.alive() and not resp.raw:
        if not ctx.responsive():
            return [ctx.hung(f"pipelined request {number + 1} got no response")], False
        result.checked.add("S316")
        return [
            Finding(
                "S316",
                f"pipelined request {number + 1} of {len(idents)} got no response within {ctx.timeout:g} s "
                "while the connection stayed open",
                f"{number} response(s), then nothing",
                f"{len(idents)} responses, in order",
                signature="lost",
            )
        ], False
    if resp.outcome in ("closed", "reset") and ctx.proc.alive() and number >= 1:
        result.notes["pipeline"] = f"the connection closed without notice after {number} response(s)"
    return [], False
