"""Judging the reaction exchanges (rules S210-S214, S304-S307): what the probe saw after
a response or a client abort, and what the wire showed after the app raised mid-body or
sent its own Transfer-Encoding. Pure functions: the I/O is in ``_reactions``."""

from __future__ import annotations

from typing import Any

from speccheck.client import WireResponse
from speccheck.server._findings import Finding, show

__all__ = [
    "DISCONNECT",
    "check_abort",
    "check_app_te",
    "check_late_receive",
    "check_raise",
    "spec_version",
]

DISCONNECT = "http.disconnect"
TE_BODY = b"hello world"


def spec_version(obs: dict[str, Any]) -> tuple[int, ...]:
    """scope["asgi"]["spec_version"] as a tuple; "2.0" when missing (www.rst: "Optional;
    if missing assume 2.0")."""
    asgi = (obs.get("scope") or {}).get("asgi") or {}
    raw = asgi.get("spec_version") if isinstance(asgi, dict) else None
    try:
        return tuple(int(p) for p in str(raw or "2.0").split("."))
    except ValueError:
        return (2, 0)


def check_late_receive(obs: dict[str, Any]) -> list[Finding]:
    # www.rst, Disconnect - receive event: "Sent to the application if receive is called
    # after a response has been sent or after the HTTP connection has been closed."
    late = obs.get("late_receive") or {}
    kind = str(late.get("type") or "")
    if kind == DISCONNECT:
        return []
    return [
        Finding(
            "S210",
            "receive() after the complete response did not return http.disconnect",
            "no message within 2 s" if kind == "timeout" else show(kind),
            DISCONNECT,
            signature=kind or "none",
        )
    ]


def check_abort(obs: dict[str, Any]) -> list[Finding]:
    """The app waited in receive() while the client closed the connection, then send()."""
    held = obs.get("held") or {}
    kind = str(held.get("type") or "")
    if kind != DISCONNECT:
        # The same sentence, its "after the HTTP connection has been closed" half.
        return [
            Finding(
                "S211",
                "no http.disconnect after the client closed the connection",
                "no message within 3 s" if kind == "timeout" else show(kind),
                DISCONNECT,
                signature=kind or "none",
            )
        ]
    late = obs.get("late_send") or {}
    raised = str(late.get("raised") or "")
    if raised == "timeout":
        # asgi.rst, Error Handling: "If no error condition is specified, the send awaitable
        # callable should act as a no-op" -- or, since 2.4, raise (www.rst); never hang.
        return [
            Finding(
                "S213",
                "send() after http.disconnect hung",
                "no return within 2 s",
                "an OSError subclass raised, or a no-op",
                signature="hang",
            )
        ]
    # www.rst, Disconnected Client - send exception: "If send() is called on a closed
    # connection the server should raise a server-specific subclass of OSError. ... (it
    # was introduced in spec version 2.4)." Older servers may no-op (asgi.rst).
    if spec_version(obs) >= (2, 4) and not late.get("oserror"):
        return [
            Finding(
                "S212",
                f"send() after http.disconnect {'raised ' + raised if raised else 'returned normally'}"
                f" on a server claiming spec_version {'.'.join(map(str, spec_version(obs)))}",
                show(late.get("mro") or raised or "no exception"),
                "a subclass of OSError",
                signature=raised or "no-op",
            )
        ]
    return []


def framed(resp: WireResponse) -> bool:
    """The response said where it ends (chunked or Content-Length), so its end claims completeness."""
    te = b",".join(resp.header_values(b"transfer-encoding")).lower()
    return b"chunked" in te or bool(resp.header_values(b"content-length"))


def check_raise(
    resp: WireResponse, status: int, interface: str, kept_open: bool, sent: bytes = b"part1"
) -> list[Finding]:
    """The app started a ``status`` response, sent ``sent`` of its body and raised."""
    out: list[Finding] = []
    relayed = resp.status == status and resp.body.startswith(sent)  # the app's response, not an error page
    if resp.outcome == "ok" and relayed and framed(resp):
        # PEP 3333, Error Handling: the server "can then trap this (fatal) exception and
        # abort the response"; RFC 9112 7.1: a chunked body ends with the last-chunk, and
        # 8: a message short of its Content-Length is incomplete -- a server that sends the
        # terminator (or frames the partial body as whole) makes a broken response look complete.
        out.append(
            Finding(
                "S305",
                "the app raised mid-body and the response still ended like a complete one",
                f"{resp.status}, {len(resp.body)} bytes {show(resp.body[:40])}, then a proper end",
                "the connection closed without the last chunk",
                signature=interface,
            )
        )
    stuck = resp.outcome == "timeout" and resp.status == status  # the partial response, then nothing
    if interface == "asgi" and ((resp.outcome == "ok" and kept_open) or stuck):
        # asgi.rst, Error Handling: servers "must terminate the application instance and
        # its associated connection if this happens".
        observed = (
            f"{len(resp.body)} bytes of the {status} response, then the connection open and silent ({resp.error})"
            if stuck
            else f"a complete {resp.status} response, then the connection still open after 1 s"
        )
        out.append(
            Finding(
                "S304",
                "the app raised mid-body and the server kept the connection open",
                observed,
                "the connection closed",
                signature="stuck" if stuck else "kept-open",
            )
        )
    return out


def check_app_te(first: WireResponse, second: WireResponse) -> list[Finding]:
    """The ASGI app sent ``transfer-encoding: chunked`` with a plain body, then a plain
    request followed on the same connection."""
    # www.rst, Response Start: "You may send a Transfer-Encoding header in this message,
    # but the server must ignore it. Servers handle Transfer-Encoding themselves".
    problem = ""
    if first.outcome != "ok":
        problem = f"{first.outcome}: {first.error}"
    elif first.body != TE_BODY:
        problem = f"content {show(first.body[:60])}"
    elif first.trailing:
        problem = f"bytes after the response {show(first.trailing[:60])}"
    elif second.outcome == "invalid":
        problem = f"the next response on the connection is unparsable: {second.error}"
    if not problem:
        return []
    return [
        Finding(
            "S214",
            "the app's Transfer-Encoding header was not ignored: the response is broken",
            problem,
            f"a well-framed response with content {show(TE_BODY)}",
            signature=first.outcome if first.outcome != "ok" else "content",
        )
    ]
