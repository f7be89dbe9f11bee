"""A pipelined request after one that says ``Connection: close`` (S317).

RFC 9112 9.6: "A server that receives a "close" connection option MUST initiate closure
of the connection after it sends the final response to the request that contained the
"close" connection option. [...] The server MUST NOT process any further requests
received on that connection." Three requests go out in one write, the second with
``Connection: close``; the third must not reach the app (the probe would note it) nor
be answered. Whether the server closes at once or after a moment is not judged.
"""

from __future__ import annotations

import time

from speccheck.client._raw import RawStream
from speccheck.server._conn_support import CaseResult, ConnContext
from speccheck.server._findings import Finding, show
from speccheck.server._plans import ID_HEADER, read_observation
from speccheck.traffic import RequestPlan

__all__ = ["pipeline_close"]

_AFTER_WAIT = 0.5  # how long the third request is given to show up at the app
_CLOSE = ((b"Connection", b"close"),)


def pipeline_close(ctx: ConnContext) -> CaseResult:
    result = CaseResult()
    plans = (
        RequestPlan(method="GET", target=b"/close/0"),
        RequestPlan(method="GET", target=b"/close/1", headers=_CLOSE),
        RequestPlan(method="GET", target=b"/close/2"),
    )
    idents = [ctx.ident(f"k{number}") for number in range(len(plans))]
    raws = [ctx.request(req, ident, "with-length") for req, ident in zip(plans, idents, strict=True)]
    everything = b"".join(raw for _, raw in raws)
    try:
        stream = RawStream(ctx.cfg.host, ctx.proc.port, timeout=ctx.timeout)
    except OSError:
        return result
    try:
        if not stream.send(everything):
            return result
        first = stream.read_response(timeout=ctx.timeout)
        ctx.observe(idents[0], False)
        ours = first.header_values(ID_HEADER.encode()) == [idents[0].encode()]
        if first.outcome != "ok" or not ours or not first.keep_alive:
            return result  # not a kept-alive first exchange: the request saying close never counted
        # The client breaks RFC 9112 9.6 on purpose ("A client that sends a "close" connection
        # option MUST NOT send further requests on that connection"): how the server answers
        # the request that said close is therefore not judged, only that it processes no more.
        second = stream.read_response(timeout=ctx.timeout, reused=True)
        ctx.observe(idents[1], False)
        if second.outcome == "ok" and second.header_values(ID_HEADER.encode()) != [idents[1].encode()]:
            result.notes["pipeline_close_answer"] = f"the request with Connection: close was answered {second.status}"
        result.checked.add("S317")
        after = (second.raw if second.outcome != "ok" else b"") + stream.stray(_AFTER_WAIT)
        obs = read_observation(ctx.probe_dir, idents[2])
        deadline = time.monotonic() + _AFTER_WAIT
        while obs is None and time.monotonic() < deadline:
            time.sleep(0.01)
            obs = read_observation(ctx.probe_dir, idents[2])
        answered = idents[2].encode() in second.raw + after
        result.notes["pipeline_close"] = (
            "the connection closed after the response to Connection: close"
            if stream.eof
            else "the connection stayed open after the response to Connection: close"
        )
        if obs is None and not answered:
            return result
        what = ("reached the app" + (" and was answered" if answered else "")) if obs is not None else "was answered"
        finding = Finding(
            "S317",
            f"a pipelined request after one with Connection: close {what}",
            show(after[:80]) if after else "the probe app was called for it",
            "the connection closed after the response to the request with Connection: close",
            signature="processed-after-close",
        )
        extra: dict[str, object] = {
            "exchange_id": idents[2],
            "request": everything[:4096].decode("latin-1"),
            "response": after[:4096].decode("latin-1"),
        }
        result.findings.append((finding, ctx.exchange(raws[1][0], everything), extra))
        return result
    finally:
        stream.close()
