"""Request sent vs environ/scope observed by the probe (rules S101-S118).

Each check cites its spec sentence; where the spec leaves room (dropping headers with
'_' in the name, joining duplicates with "," or ", ", an absent CONTENT_LENGTH for an
empty body, an absent raw_path) every allowed choice passes.
"""

from __future__ import annotations

import base64
from typing import Any
from urllib.parse import unquote_to_bytes

from speccheck.server._findings import Finding, show
from speccheck.traffic import RequestPlan

__all__ = ["ASGI_CODES", "WSGI_CODES", "check_asgi_request", "check_wsgi_request", "wire_headers"]

WSGI_CODES = frozenset({"S101", "S102", "S103", "S104", "S105", "S106", "S107", "S108", "S109"})
ASGI_CODES = frozenset({"S111", "S112", "S113", "S114", "S115", "S116", "S117", "S118"})


def wire_headers(req: RequestPlan) -> list[tuple[bytes, bytes]]:
    """Every header line the request carries, in order, as sent."""
    return [*req.framing_headers(), *req.headers]


# Field names common enough to get a finding of their own; any other name is folded
# into one finding per kind of damage, so random names do not flood the report.
_KNOWN = frozenset(
    b"host accept accept-encoding accept-language authorization cache-control cookie origin range referer "
    b"user-agent x-forwarded-for x-forwarded-host x-forwarded-proto forwarded x-request-id x-speccheck-id "
    b"x-speccheck-plan content-type content-length transfer-encoding".split()
)


def _header_signature(name: bytes, values: list[str], what: str) -> str:
    """What makes two header findings distinct: the kind of field (a name with '_', a
    non-ASCII value, a duplicate) before its name, so one server habit is one finding
    however many random names the generator drew; a well-known name otherwise."""
    if b"_" in name:
        return f"name with '_' {what}"
    if any(ord(c) > 0x7E for v in values for c in v):
        return f"non-ASCII value {what}"
    if len(values) > 1:
        return f"duplicate field {what}"
    if name.lower() in _KNOWN:
        return f"{name.decode('latin-1').lower()} {what}"
    return f"other field {what}"


# Proxy headers a server may drop from an untrusted peer (waitress does by default): they
# would let any client spoof its address/scheme. PEP 3333's "should correspond" is a
# SHOULD, and this is the kind of valid reason RFC 2119 leaves room for.
_PROXY = frozenset(
    b"forwarded x-forwarded-for x-forwarded-host x-forwarded-proto x-forwarded-port x-forwarded-by".split()
)


def _grouped(headers: list[tuple[bytes, bytes]]) -> dict[bytes, list[bytes]]:
    out: dict[bytes, list[bytes]] = {}
    for name, value in headers:
        out.setdefault(name.lower(), []).append(value)
    return out


def _body_of(obs: dict[str, Any]) -> bytes:
    return base64.b64decode(obs.get("body") or "")


def _remove_dot_segments(path: str) -> str:
    # RFC 3986 5.2.4
    out: list[str] = []
    for segment in path.split("/")[1:]:
        if segment == "..":
            if out:
                out.pop()
        elif segment != ".":
            out.append(segment)
    tail = "/" if path.endswith(("/.", "/..")) else ""
    return "/" + "/".join(out) + tail


def path_variants(path: str) -> set[str]:
    """The decoded path, plus the normalisations servers apply for safety and that we
    accept: leading "//" collapsed to "/" (CPython's http.server does it against open
    redirects) and dot-segments removed (RFC 3986 5.2.4)."""
    variants = {path, _remove_dot_segments(path)}
    if path.startswith("//"):
        collapsed = "/" + path.lstrip("/")
        variants |= {collapsed, _remove_dot_segments(collapsed)}
    return variants


# --- WSGI ---------------------------------------------------------------------------------


def check_wsgi_request(req: RequestPlan, obs: dict[str, Any]) -> list[Finding]:
    env: dict[str, Any] = obs.get("environ") or {}
    out: list[Finding] = []
    # PEP 3333 environ-variables: "REQUEST_METHOD: The HTTP request method"
    if env.get("REQUEST_METHOD") != req.method:
        out.append(
            Finding("S101", "REQUEST_METHOD is not the method sent", show(env.get("REQUEST_METHOD")), show(req.method))
        )
    # PEP 3333 unicode-issues + CGI: PATH_INFO is the URL-decoded path, bytes decoded as ISO-8859-1.
    expected_path = unquote_to_bytes(req.raw_path).decode("latin-1")
    got_path = str(env.get("SCRIPT_NAME") or "") + str(env.get("PATH_INFO") or "")
    if got_path not in path_variants(expected_path):
        out.append(
            Finding(
                "S102", "SCRIPT_NAME + PATH_INFO is not the decoded request path", show(got_path), show(expected_path)
            )
        )
    # "QUERY_STRING: The portion of the request URL that follows the '?', if any. May be empty or absent."
    query = req.query_string.decode("latin-1")
    got_query = env.get("QUERY_STRING")
    if (got_query or "") != query:
        out.append(Finding("S103", "QUERY_STRING is not the raw query", show(got_query), show(query)))
    out += _wsgi_headers(req, env)
    out += _wsgi_content(req, env)
    # "SERVER_PROTOCOL: The version of the protocol the client used to send the request."
    protocol = f"HTTP/{req.http_version}"
    if env.get("SERVER_PROTOCOL") != protocol:
        out.append(
            Finding("S106", "SERVER_PROTOCOL is not the version sent", show(env.get("SERVER_PROTOCOL")), protocol)
        )
    if env.get("wsgi.url_scheme") != "http":
        out.append(
            Finding("S108", "wsgi.url_scheme is wrong for plain TCP", show(env.get("wsgi.url_scheme")), "'http'")
        )
    out += _wsgi_body(req, obs)
    return out


def _wsgi_headers(req: RequestPlan, env: dict[str, Any]) -> list[Finding]:
    # "The presence or absence of these variables should correspond with the presence or
    # absence of the appropriate HTTP header in the request." Headers whose name contains
    # '_' may be dropped (they collide with '-' after the CGI mapping): never required.
    out: list[Finding] = []
    groups = _grouped(wire_headers(req))
    keys: dict[str, list[bytes]] = {}
    for name in groups:
        keys.setdefault("HTTP_" + name.decode("latin-1").upper().replace("-", "_"), []).append(name)
    for key, names in keys.items():
        if len(names) > 1 or b"_" in names[0]:
            continue
        name = names[0]
        if name in (b"content-type", b"content-length", b"transfer-encoding"):
            continue
        values = [v.decode("latin-1") for v in groups[name]]
        got = env.get(key)
        allowed = {values[0]} if len(values) == 1 else {",".join(values), ", ".join(values)}
        if name == b"cookie" and len(values) > 1:
            # Cookie lines are joined with "; " (RFC 9113 8.2.3; RFC 6265 5.4 uses "; " as the
            # cookie-string separator), not with "," (RFC 9110 5.3 lets a field opt out).
            allowed |= {";".join(values), "; ".join(values)}
        if got is None and name in _PROXY:
            continue  # dropped unless the peer is a trusted proxy (waitress): a reasoned SHOULD exception
        if got not in allowed:
            what = "missing" if got is None else "mangled"
            out.append(
                Finding(
                    "S104" if got is None else "S109",
                    f"request header {name.decode('latin-1')} {what} in {key}",
                    show(got),
                    " or ".join(show(a) for a in sorted(allowed)),
                    signature=_header_signature(name, values, what),
                )
            )
    return out


def _wsgi_content(req: RequestPlan, env: dict[str, Any]) -> list[Finding]:
    # "CONTENT_TYPE / CONTENT_LENGTH: The contents of any Content-Type / Content-Length
    # fields in the HTTP request. May be empty or absent."
    out: list[Finding] = []
    types = [v for n, v in req.headers if n.lower() == b"content-type"]
    if len(types) == 1 and env.get("CONTENT_TYPE") != types[0].decode("latin-1"):
        out.append(
            Finding(
                "S105",
                "CONTENT_TYPE is not the request's Content-Type",
                show(env.get("CONTENT_TYPE")),
                show(types[0].decode("latin-1")),
                signature="CONTENT_TYPE",
            )
        )
    length = env.get("CONTENT_LENGTH")
    if length not in (None, "") and length != str(len(req.body)):
        out.append(
            Finding(
                "S105",
                "CONTENT_LENGTH is not the length of the request body",
                show(length),
                show(str(len(req.body))),
                signature="CONTENT_LENGTH",
            )
        )
    elif length in (None, "") and req.framing == "content-length" and req.body:
        out.append(
            Finding(
                "S105",
                "CONTENT_LENGTH is missing although the request had a Content-Length",
                show(length),
                show(str(len(req.body))),
                signature="CONTENT_LENGTH-missing",
            )
        )
    return out


def _wsgi_body(req: RequestPlan, obs: dict[str, Any]) -> list[Finding]:
    # PEP 3333 input-and-error-streams: wsgi.input yields the request body.
    if obs.get("body_unread") or "body" not in obs:
        return []
    errors = [e for e in obs.get("errors", ()) if str(e).startswith("read:")]
    body = _body_of(obs)
    if errors:
        return [
            Finding(
                "S107",
                "reading wsgi.input raised for a valid request",
                show(errors[0]),
                "the body bytes",
                signature="raised",
            )
        ]
    if not obs.get("body_complete") or body != req.body:
        return [
            Finding(
                "S107",
                "wsgi.input did not yield the body sent",
                f"{len(body)} bytes {show(body[:40])}",
                f"{len(req.body)} bytes {show(req.body[:40])}",
                signature=req.framing,
            )
        ]
    return []


# --- ASGI ---------------------------------------------------------------------------------


def check_asgi_request(req: RequestPlan, obs: dict[str, Any]) -> list[Finding]:
    scope: dict[str, Any] = obs.get("scope") or {}
    out: list[Finding] = []
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
    if expected_path is not None and path not in path_variants(expected_path) | path_variants(root + expected_path):
        out.append(Finding("S112", "scope['path'] is not the decoded request path", show(path), show(expected_path)))
    # "raw_path -- The original HTTP path component ... unmodified. Optional"
    raw_path = scope.get("raw_path")
    if raw_path is not None and raw_path != req.raw_path.decode("latin-1"):
        out.append(
            Finding(
                "S113",
                "scope['raw_path'] differs from the path bytes sent",
                show(raw_path),
                show(req.raw_path.decode("latin-1")),
            )
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
    for name, values in _grouped(wire_headers(req)).items():
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
                    signature=_header_signature(name, [v.decode("latin-1") for v in values], what),
                )
            )
    return out


def _asgi_body(req: RequestPlan, obs: dict[str, Any]) -> list[Finding]:
    if "body" not in obs:
        return []
    body = _body_of(obs)
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
