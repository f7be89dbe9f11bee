"""Generated malformed requests for the reject phase: ``speccheck.traffic.sample_malformed``
turns legal requests (any method, target and headers ``requests()`` draws) into ones
broken in exactly one labelled way, and each kind is judged by the same rule as its
fixed case in ``_reject.py``. The fixed table gives every kind once, in its simplest
form; these add variety (other values, positions, targets and bodies) for the same rules.

What RFC 9110/9112 lets a server do about each kind is in ``speccheck/traffic/_malformed.py``;
the judges accept every allowed reaction, so only delivering the broken message as if it
were sound is a finding.
"""

from __future__ import annotations

import base64
from typing import Any

from speccheck.client import WireResponse
from speccheck.server._findings import Finding, show
from speccheck.server._reject import (
    Judge,
    RejectCase,
    delivered,
    header_value,
    host_rule,
    invalid_chunk,
    unknown_version,
)
from speccheck.traffic import MalformedKind, MalformedRequest, sample_malformed

__all__ = ["generated_cases"]

_IDS = b"{ids}"


def _chunked_alone(base_body: bytes) -> Judge:
    """RFC 9112 6.1: a server "MAY reject a request that contains both Content-Length and
    Transfer-Encoding or process such a request in accordance with the Transfer-Encoding
    alone": the app gets nothing, or exactly the chunked-decoded body."""

    def judge(obs: dict[str, Any] | None, resp: WireResponse) -> list[Finding]:
        if obs is None or any(str(e).startswith("read:") for e in obs.get("errors", ())):
            return []
        body = base64.b64decode(obs.get("body") or "")
        if body == base_body:
            return []
        return [
            Finding(
                "S302",
                "a request with Content-Length and Transfer-Encoding was not framed by Transfer-Encoding alone",
                show(body),
                f"{show(base_body)} (chunked decoded) or a rejection",
                signature="S302",
            )
        ]

    return judge


def _unfolded(value: str) -> bool:
    return "\r" not in value and "\n" not in value and value[:5] == "first" and value[5:].lstrip(" \t") == "second"


def _fold_replaced(obs: dict[str, Any] | None, resp: WireResponse) -> list[Finding]:
    # RFC 9112 5.2: reject with 400, "or replace each received obs-fold with one or more SP
    # octets prior to interpreting the field value". The value sent is "first" CRLF SP "second".
    if obs is None:
        return []
    value = header_value(obs, "x-folded")
    if value is not None and _unfolded(value):
        return []
    return [
        Finding(
            "S408",
            "a header with obs-fold reached the app without the fold replaced by spaces",
            show(value),
            "'first second' (fold as SP), or a 400",
            signature="S408",
        )
    ]


def _judge(req: MalformedRequest, interface: str) -> tuple[str, Judge, bool] | None:
    """(rule code, judge, follow-up request?) for one generated request, or None when no
    rule judges that kind on this interface."""
    kind: MalformedKind = req.kind
    if kind == "content-length-and-chunked":
        return "S302", _chunked_alone(req.base.body), True
    if kind == "conflicting-content-lengths":
        return "S401", delivered("S401", "a request with two different Content-Length values"), False
    if kind == "invalid-content-length":
        return "S407", delivered("S407", "a request with an invalid Content-Length"), False
    if kind == "bad-chunk-size":
        return "S402", invalid_chunk, False
    if kind == "missing-host":
        return "S403", host_rule("S403", "an HTTP/1.1 request without Host", lambda hosts: not hosts, "no Host"), False
    if kind == "whitespace-before-colon":
        return "S404", delivered("S404", "a request with whitespace before a header colon"), False
    if kind == "malformed-http-version":
        return "S405", delivered("S405", "a request line with a malformed HTTP version"), False
    if kind == "unsupported-http-version":
        # Only ASGI constrains what reaches the app (http_version "1.0", "1.1" or "2").
        return ("S116", unknown_version, False) if interface == "asgi" else None
    return "S408", _fold_replaced, False  # obs-fold


def _template(data: bytes) -> bytes | None:
    """The request with the id/plan header lines' placeholder right after the request line."""
    end = data.find(b"\r\n")
    if end < 0 or _IDS in data:
        return None
    return data[: end + 2] + _IDS + data[end + 2 :]


def generated_cases(seed: int, interface: str, count: int = 18) -> tuple[RejectCase, ...]:
    """``count`` generated malformed requests as reject cases (kinds without a judge on
    this interface are dropped), the same for the same seed."""
    cases: list[RejectCase] = []
    for number, req in enumerate(sample_malformed(count, seed)):
        judged = _judge(req, interface)
        template = _template(req.data)
        if judged is None or template is None:
            continue
        code, judge, follow_up = judged
        cases.append(RejectCase(code, f"generated-{req.kind}-{number}", template, judge, follow_up=follow_up))
    return tuple(cases)
