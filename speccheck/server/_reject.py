"""Requests a server must not hand to the application as they are (rules S301-S302,
S401-S406), each sent once on its own connection.

RFC 9112 often allows more than one reaction: answer 400 and close, or just close; for
CL+TE, reject or process by Transfer-Encoding alone. Every allowed reaction passes;
only delivering the malformed message to the app (or, for CL+TE, framing it by
Content-Length or keeping the connection open afterwards) is a finding.
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from speccheck.client import WireConnection, WireResponse
from speccheck.server._findings import Finding, show
from speccheck.server._plans import ID_HEADER, PLAN_HEADER

__all__ = [
    "CASES",
    "Judge",
    "RejectCase",
    "delivered",
    "header_value",
    "host_rule",
    "invalid_chunk",
    "request_line_target",
    "request_line_version",
    "run_case",
    "unknown_version",
]

Judge = Callable[[dict[str, Any] | None, WireResponse], list[Finding]]


@dataclass(frozen=True, slots=True)
class RejectCase:
    code: str
    name: str
    template: bytes  # {ids} is replaced by the id and plan header lines
    judge: Judge
    follow_up: bool = False  # send a second request on the connection afterwards
    # the rule a second request answered on the same connection breaks, and why it must close
    close_rule: tuple[str, str] = ("S301", "a request with Content-Length and Transfer-Encoding")

    def raw(self, ident: str) -> bytes:
        ids = f"{ID_HEADER}: {ident}\r\n{PLAN_HEADER}: plain\r\n".encode("latin-1")
        return self.template.replace(b"{ids}", ids)


def delivered(code: str, what: str) -> Judge:
    def judge(obs: dict[str, Any] | None, resp: WireResponse) -> list[Finding]:
        if obs is None:
            return []
        status = str(resp.status) if resp.outcome == "ok" else resp.outcome
        return [
            Finding(
                code,
                f"{what} reached the application",
                f"delivered to the app; response {status}",
                "400 Bad Request (or the connection closed), app not called",
                signature=code,
            )
        ]

    return judge


def _host_values(obs: dict[str, Any]) -> list[str] | None:
    """The Host evidence the app got: ASGI, every ``host`` header line; WSGI, HTTP_HOST
    (one value, duplicates joined with commas). None if the observation has neither shape."""
    env = obs.get("environ")
    if isinstance(env, dict):
        value = env.get("HTTP_HOST")
        return [] if value is None else [str(value)]
    scope = obs.get("scope")
    if isinstance(scope, dict):
        return [str(pair[1]) for pair in scope.get("headers") or () if str(pair[0]).lower() == "host"]
    return None


def host_rule(code: str, what: str, intact: Callable[[list[str]], bool], kept: str) -> Judge:
    """RFC 9112 3.2: "A server MUST respond with a 400 (Bad Request) status code to any
    HTTP/1.1 request message that lacks a Host header field and to any request message
    that contains more than one Host header field line". Behind a gateway the HTTP
    origin server is the gateway and the app together, and neither PEP 3333 nor ASGI
    says which of them answers the 400: a gateway that rejects passes, and so does one
    that delivers the request with the Host evidence intact (the app can answer 400).
    Only delivering it with the evidence changed -- a Host made up, a duplicate
    dropped -- takes that chance away from the app, and is a finding."""

    def judge(obs: dict[str, Any] | None, resp: WireResponse) -> list[Finding]:
        if obs is None:
            return []
        hosts = _host_values(obs)
        if hosts is None or intact(hosts):
            return []
        return [
            Finding(
                code,
                f"{what} reached the application with its Host lines changed",
                f"the app saw Host {show(hosts)}",
                f"a 400 (or a closed connection), or the request delivered with {kept}",
                signature=code,
            )
        ]

    return judge


def _both_hosts(hosts: list[str]) -> bool:
    if len(hosts) > 1:
        return True  # ASGI: both lines, as received
    return len(hosts) == 1 and "," in hosts[0]  # WSGI: joined, so the app sees two values


def invalid_chunk(obs: dict[str, Any] | None, resp: WireResponse) -> list[Finding]:
    # The app may already run when the bad chunk arrives (servers stream bodies); only a
    # body that ended cleanly, as if valid, is a finding.
    if obs is None or not obs.get("body_complete") or any(str(e).startswith("read:") for e in obs.get("errors", ())):
        return []
    body = base64.b64decode(obs.get("body") or "")
    return [
        Finding(
            "S402",
            "a body with an invalid chunk size reached the app as complete",
            show(body),
            "a 400, a closed connection, or a failing read",
            signature="S402",
        )
    ]


def _cl_te(obs: dict[str, Any] | None, resp: WireResponse) -> list[Finding]:
    if obs is None:
        return []
    body = base64.b64decode(obs.get("body") or "")
    if body.startswith(b"5\r\nh"):
        # RFC 9112 6.1: "process such a request in accordance with the Transfer-Encoding alone"
        return [
            Finding(
                "S302",
                "a request with Content-Length and Transfer-Encoding was framed by Content-Length",
                show(body),
                "b'hello' (chunked decoded) or a rejection",
                signature="S302",
            )
        ]
    return []


def header_value(obs: dict[str, Any], name: str) -> str | None:
    """The value the app got for request header ``name`` (lowercase): WSGI, its HTTP_
    variable; ASGI, the first such line of scope['headers']. None when it has none."""
    env = obs.get("environ")
    if isinstance(env, dict):
        value = env.get("HTTP_" + name.upper().replace("-", "_"))
        return value if isinstance(value, str) else None
    for pair in (obs.get("scope") or {}).get("headers") or ():
        if str(pair[0]).lower() == name:
            return str(pair[1])
    return None


def _obs_fold(obs: dict[str, Any] | None, resp: WireResponse) -> list[Finding]:
    # RFC 9112 5.2: a server "MUST either reject the message by sending a 400 (Bad Request) ...
    # or replace each received obs-fold with one or more SP octets prior to interpreting the
    # field value". Delivering it is fine when the fold became spaces.
    if obs is None:
        return []
    value = header_value(obs, "x-fold")
    if value is not None and "\r" not in value and "\n" not in value and value.startswith("a") and value.endswith("b"):
        return []
    return [
        Finding(
            "S408",
            "a header with obs-fold reached the app without the fold replaced by spaces",
            show(value),
            "'a b' (fold as SP), or a 400",
            signature="S408",
        )
    ]


def _ctl_kept(name: str, what: str) -> Judge:
    """RFC 9110 5.5: "a recipient of CR, LF, or NUL within a field value MUST either reject
    the message or replace each of those characters with SP"; RFC 9112 2.2 likewise for a
    bare CR. Delivered with the character replaced (or the field dropped) passes."""

    def judge(obs: dict[str, Any] | None, resp: WireResponse) -> list[Finding]:
        if obs is None:
            return []
        value = header_value(obs, name)
        if value is None or ("\x00" not in value and "\r" not in value):
            return []
        return [
            Finding(
                "S409",
                f"a header value with {what} reached the app with it",
                show(value),
                "a 400, or the character replaced with SP",
                signature=f"S409:{what}",
            )
        ]

    return judge


def _te_not_chunked(obs: dict[str, Any] | None, resp: WireResponse) -> list[Finding]:
    """RFC 9112 6.3: with a request Transfer-Encoding that does not end in chunked "the server
    MUST respond with the 400 (Bad Request) status code and then close the connection". A
    server may already have started the app when it finds out (ASGI servers start it at the
    end of the header section): only a request the app could take as sound is a finding --
    ASGI, a body that ended cleanly; WSGI, any delivery (no CONTENT_LENGTH reads as no body)."""
    if obs is None or any(str(e).startswith("read:") for e in obs.get("errors", ())):
        return []
    if "scope" in obs and not obs.get("body_complete"):
        return []
    status = str(resp.status) if resp.outcome == "ok" else resp.outcome
    return [
        Finding(
            "S410",
            "a request whose Transfer-Encoding does not end in chunked reached the application as a sound request",
            f"delivered to the app; response {status}",
            "400 Bad Request and the connection closed, the app not called (or its body read failing)",
            signature="S410",
        )
    ]


def unknown_version(obs: dict[str, Any] | None, resp: WireResponse) -> list[Finding]:
    # RFC 9110 15.6.6 lets a server answer 505 to a major version it does not support; one
    # that hands the request to an ASGI app must still say "1.0", "1.1" or "2" (ASGI www).
    if obs is None or "scope" not in obs:
        return []
    version = (obs.get("scope") or {}).get("http_version")
    if version in ("1.0", "1.1", "2"):
        return []
    return [
        Finding(
            "S116",
            "a request line with HTTP/3.0 reached the app with an http_version ASGI does not allow",
            show(version),
            "'1.0', '1.1' or '2' (or a 505)",
            signature="unknown-version",
        )
    ]


CASES: tuple[RejectCase, ...] = (
    RejectCase(
        "S401",
        "conflicting-content-length",
        b"POST /reject HTTP/1.1\r\nHost: 127.0.0.1\r\n{ids}Content-Length: 3\r\nContent-Length: 5\r\n\r\nabcde",
        delivered("S401", "a request with two different Content-Length values"),
    ),
    RejectCase(
        "S402",
        "invalid-chunk-size",
        b"POST /reject HTTP/1.1\r\nHost: 127.0.0.1\r\n{ids}Transfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n",
        invalid_chunk,
    ),
    RejectCase(
        "S403",
        "missing-host",
        b"GET /reject HTTP/1.1\r\n{ids}\r\n",
        host_rule("S403", "an HTTP/1.1 request without Host", lambda hosts: not hosts, "no Host"),
    ),
    RejectCase(
        "S404",
        "space-before-colon",
        b"GET /reject HTTP/1.1\r\nHost: 127.0.0.1\r\n{ids}x-bad : 1\r\n\r\n",
        delivered("S404", "a request with whitespace before a header colon"),
    ),
    RejectCase(
        "S405",
        "invalid-http-version",
        b"GET /reject HTTP/1.x\r\nHost: 127.0.0.1\r\n{ids}\r\n",
        delivered("S405", "a request line with a malformed HTTP version"),
    ),
    RejectCase(
        "S406",
        "duplicate-host",
        b"GET /reject HTTP/1.1\r\nHost: 127.0.0.1\r\nHost: example.com\r\n{ids}\r\n",
        host_rule("S406", "a request with two Host lines", _both_hosts, "both Host values"),
    ),
    RejectCase(
        "S407",
        "invalid-content-length",
        b"POST /reject HTTP/1.1\r\nHost: 127.0.0.1\r\n{ids}Content-Length: +5\r\n\r\nabcde",
        delivered("S407", "a request with an invalid Content-Length (+5)"),
    ),
    RejectCase(
        "S408",
        "obs-fold",
        b"GET /reject HTTP/1.1\r\nHost: 127.0.0.1\r\n{ids}x-fold: a\r\n b\r\n\r\n",
        _obs_fold,
    ),
    RejectCase(
        "S116",
        "unknown-http-version",
        b"GET /reject HTTP/3.0\r\nHost: 127.0.0.1\r\n{ids}\r\n",
        unknown_version,
    ),
    RejectCase(
        "S302",
        "content-length-and-chunked",
        b"POST /reject HTTP/1.1\r\nHost: 127.0.0.1\r\n{ids}Content-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n"
        b"5\r\nhello\r\n0\r\n\r\n",
        _cl_te,
        follow_up=True,
    ),
)

CASES += (
    RejectCase(
        "S409",
        "nul-in-field-value",
        b"GET /reject HTTP/1.1\r\nHost: 127.0.0.1\r\n{ids}x-nul: a\x00b\r\n\r\n",
        _ctl_kept("x-nul", "a NUL"),
    ),
    RejectCase(
        "S409",
        "bare-cr-in-field-value",
        b"GET /reject HTTP/1.1\r\nHost: 127.0.0.1\r\n{ids}x-cr: a\rb\r\n\r\n",
        _ctl_kept("x-cr", "a bare CR"),
    ),
    RejectCase(
        "S410",
        "transfer-encoding-not-chunked",
        b"POST /reject HTTP/1.1\r\nHost: 127.0.0.1\r\n{ids}Transfer-Encoding: gzip\r\n\r\nabcde",
        _te_not_chunked,
    ),
    RejectCase(
        "S411",
        "http10-transfer-encoding",
        b"POST /reject HTTP/1.0\r\nHost: 127.0.0.1\r\n{ids}Connection: keep-alive\r\nTransfer-Encoding: chunked\r\n\r\n"
        b"5\r\nhello\r\n0\r\n\r\n",
        lambda obs, resp: [],
        follow_up=True,
        close_rule=("S411", "an HTTP/1.0 request with Transfer-Encoding"),
    ),
)

REJECT_CODES = frozenset(
    {"S301", "S302", "S401", "S402", "S403", "S404", "S405", "S406", "S407", "S408", "S409", "S410", "S411"}
)
_FOLLOW_UP = b"GET /after HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"


def request_line_version(raw: bytes) -> str:
    """The version a raw request line claims ("1.1" for ``GET / HTTP/1.1``, "1.x" for a
    malformed ``HTTP/1.x``), for the report's exchange summary; "" when there is none."""
    line = raw.split(b"\r\n", 1)[0].split(b" ")
    if len(line) == 3 and line[2].startswith(b"HTTP/"):
        return line[2][5:].decode("latin-1")
    return ""


def request_line_target(raw: bytes) -> str:
    """The request target of a raw request line, for the report's exchange summary."""
    line = raw.split(b"\r\n", 1)[0].split(b" ")
    return line[1].decode("latin-1") if len(line) >= 2 else ""


def run_case(
    case: RejectCase,
    conn: WireConnection,
    ident: str,
    timeout: float,
    observe: Callable[[str, bool], dict[str, Any] | None],
) -> tuple[list[Finding], WireResponse]:
    """Send one malformed request on a fresh connection and judge the reaction."""
    resp = conn.request(case.raw(ident), timeout=timeout)
    obs = observe(ident, resp.outcome == "ok" and bool(resp.header_values(ID_HEADER.encode())))
    findings = case.judge(obs, resp)
    if case.follow_up and resp.outcome == "ok" and conn.sock is not None:
        # RFC 9112 6.1: "Regardless, the server MUST close the connection after responding to such a
        # request"; and for HTTP/1.0 with Transfer-Encoding, "close the connection after processing the message"
        after = conn.request(_FOLLOW_UP, timeout=min(timeout, 2.0))
        if after.outcome == "ok" and after.reused:
            code, what = case.close_rule
            findings.append(
                Finding(
                    code,
                    f"the connection stayed open after {what}",
                    f"a second request was answered {after.status}",
                    "the connection closed after the first response",
                    signature=code,
                )
            )
    conn.close()
    return findings, resp
