"""Request sent vs ASGI scope and http.request messages observed by the probe (rules
S111-S118). Where the spec leaves room (an absent raw_path, an uppercased method) every
allowed choice passes.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote_to_bytes

from speccheck.server._findings import Finding, show
from speccheck.server._oracle_common import (
    body_of,
    grouped,
    header_signature,
    path_variants,
    wire_headers,
)
from speccheck.traffic import RequestPlan

__all__ = ["ASGI_CODES", "check_asgi_request"]

ASGI_CODES = frozenset({"S111", "S112", "S113", "S114", "S115", "S116", "S117", "S118", "S119"})  # S119: refusals


def check_asgi_request(req: RequestPlan, obs: dict[str, Any], root: str = "") -> list[Finding]:
    """``root``: the prefix the server was told to mount the app at (``--root-path``)."""
    scope: dict[str, Any] = obs.get("scope") or {}
    out: list[Finding] = []
    # www.rst: "root_path -- The root path this application is mounted at; same as SCRIPT_NAME in WSGI."
    if root and scope.get("root_path") != root:
        out.append(
            Finding("S120", "root_path is not the mount prefix", show(scope.get("root_path")), show(root), "S120")
        )
    # "method (Unicode string) -- The HTTP method name, uppercased."
    # Methods are case-sensitive (RFC 9110 9.1): the method as sent, or uppercased, both pass.
    if scope.get("method") not in (req.method, req.method.upper()):
        out.append(
            Finding("S111", "scope['method'] is not the method sent", show(scope.get("method")), show(req.method))
        )
    # "path -- ... with percent-encoded sequences and UTF-8 byte sequences decoded into characters."
    try:
        expected_path: str | None = unquote_to_bytes(req.raw_path).decode("utf-8")
    except UnicodeDecodeError:
        expected_path = None  # the spec does not say what to do with invalid UTF-8
    root = str(scope.get("root_path") or "")
    path = scope.get("path")
    # An absolute-form target (RFC 9112 3.2.2) may reach the app whole: ASGI defines path as
    # the "HTTP request target excluding any query string", worded so on purpose (asgiref
    # PR #74: servers "pass on the full request-target (minus query string)"). A legal
    # variant, like raw_path holding the same target's bytes; only a refusal is S119.
    authority = "http://" + (req.host or b"").decode("latin-1") if req.absolute else ""
    if expected_path is not None:
        allowed = path_variants(expected_path) | path_variants(root + expected_path)
        if authority:
            allowed |= {authority + expected_path, root + authority + expected_path}
        if path not in allowed:
            out.append(
                Finding("S112", "scope['path'] is not the decoded request path", show(path), show(expected_path))
            )
    # "raw_path -- The original HTTP path component ... unmodified. Optional"
    raw_path = scope.get("raw_path")
    sent_path = req.raw_path.decode("latin-1")
    # With root_path set, uvicorn puts it in front of raw_path as it does for path (its model:
    # a proxy stripped the prefix before the server got the request): accepted like path.
    allowed_raw = {sent_path, authority + sent_path, root + sent_path, root + authority + sent_path}
    if raw_path is not None and raw_path not in allowed_raw:
        out.append(
            Finding("S113", "scope['raw_path'] differs from the path bytes sent", show(raw_path), show(sent_path))
        )
    # "query_string (byte string) -- URL portion after the ?, percent-encoded."
    query = scope.get("query_string")
    if query != req.query_string.decode("latin-1"):
        out.append(
            Finding(
                "S114",
                "scope['query_string'] is not the raw query",
                show(query),
                show(req.query_string.decode("latin-1")),
            )
        )
    out += _asgi_headers(req, scope)
    # "http_version -- One of "1.0", "1.1" or "2"."
    version = scope.get("http_version")
    if version not in ("1.0", "1.1", "2") or (req.http_version in ("1.0", "1.1") and version != req.http_version):
        out.append(Finding("S116", "scope['http_version'] is wrong", show(version), show(req.http_version)))
    # "scheme -- Optional (but must not be empty); default is "http"."
    if "scheme" in scope and scope.get("scheme") != "http":
        out.append(Finding("S118", "scope['scheme'] is wrong for plain TCP", show(scope.get("scheme")), "'http'"))
    out += _asgi_body(req, obs)
    return out


def _asgi_headers(req: RequestPlan, scope: dict[str, Any]) -> list[Finding]:
    # "Order of header values must be preserved from the original HTTP request; order of
    # header names is not important. Duplicates are possible and must be preserved"
    got: dict[bytes, list[bytes]] = {}
    for pair in scope.get("headers") or ():
        name, value = str(pair[0]).encode("latin-1"), str(pair[1]).encode("latin-1")
        got.setdefault(name.lower(), []).append(value)
    out: list[Finding] = []
    for name, values in grouped(wire_headers(req)).items():
        if got.get(name, []) != values:
            observed = got.get(name)
            what = "missing" if observed is None else "changed"
            if observed is not None and len(values) > 1 and len(observed) == 1:
                what = "merged"
            out.append(
                Finding(
                    "S115",
                    f"request header {name.decode('latin-1')} {what} in scope['headers']",
                    show(observed),
                    show(values),
                    signature=header_signature(name, [v.decode("latin-1") for v in values], what),
                )
            )
    return out


def _asgi_body(req: RequestPlan, obs: dict[str, Any]) -> list[Finding]:
    if "body" not in obs:
        return []
    body = body_of(obs)
    if not obs.get("body_complete"):
        last = (obs.get("receive") or [{}])[-1]
        return [
            Finding(
                "S117",
                "the request body never completed (no http.request with more_body=False)",
                show(last),
                f"{len(req.body)} bytes",
                signature="incomplete",
            )
        ]
    if body != req.body:
        return [
            Finding(
                "S117",
                "the http.request bodies do not add up to the body sent",
                f"{len(body)} bytes {show(body[:40])}",
                f"{len(req.body)} bytes {show(req.body[:40])}",
                signature=req.framing,
            )
        ]
    return []
