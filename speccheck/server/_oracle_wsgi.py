"""Request sent vs WSGI environ observed by the probe (rules S101-S109).

Each check cites its spec sentence; where the spec leaves room (dropping headers with
'_' in the name, joining duplicates with "," or ", ", an absent CONTENT_LENGTH for an
empty body) every allowed choice passes.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote_to_bytes

from speccheck.server._findings import Finding, show
from speccheck.server._oracle_common import (
    PROXY_HEADERS,
    body_of,
    grouped,
    header_signature,
    path_variants,
    wire_headers,
)
from speccheck.traffic import RequestPlan

__all__ = ["WSGI_CODES", "check_wsgi_request"]

WSGI_CODES = frozenset(
    {"S101", "S102", "S103", "S104", "S105", "S106", "S107", "S108", "S109", "S119"}
)  # S120: mounted runs


def check_wsgi_request(req: RequestPlan, obs: dict[str, Any], root: str = "") -> list[Finding]:
    """``root``: the prefix the server was told to mount the app at (``--root-path``)."""
    env: dict[str, Any] = obs.get("environ") or {}
    out: list[Finding] = []
    # PEP 3333: "SCRIPT_NAME: The initial portion of the request URL's 'path' that corresponds
    # to the application object, so that the application knows its virtual 'location'."
    if root and env.get("SCRIPT_NAME") != root:
        out.append(
            Finding("S120", "SCRIPT_NAME is not the mount prefix", show(env.get("SCRIPT_NAME")), show(root), "S120")
        )
    # PEP 3333 environ-variables: "REQUEST_METHOD: The HTTP request method"
    if env.get("REQUEST_METHOD") != req.method:
        out.append(
            Finding("S101", "REQUEST_METHOD is not the method sent", show(env.get("REQUEST_METHOD")), show(req.method))
        )
    # PEP 3333 unicode-issues + CGI: PATH_INFO is the URL-decoded path, bytes decoded as ISO-8859-1.
    expected_path = unquote_to_bytes(req.raw_path).decode("latin-1")
    got_path = str(env.get("SCRIPT_NAME") or "") + str(env.get("PATH_INFO") or "")
    if got_path not in path_variants(expected_path):
        # RFC 9112 3.2.2: absolute-form must be accepted; RFC 9110 7.1: its target URI, so its
        # path, is the same as for origin-form. Leaving "http://host" in is its own rule.
        code = "S119" if req.absolute and got_path.lower().startswith("http:") else "S102"
        out.append(
            Finding(
                code, "SCRIPT_NAME + PATH_INFO is not the decoded request path", show(got_path), show(expected_path)
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
    groups = grouped(wire_headers(req))
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
        if got is None and name in PROXY_HEADERS:
            continue  # dropped unless the peer is a trusted proxy (waitress): a reasoned SHOULD exception
        if got not in allowed:
            what = "missing" if got is None else "mangled"
            out.append(
                Finding(
                    "S104" if got is None else "S109",
                    f"request header {name.decode('latin-1')} {what} in {key}",
                    show(got),
                    " or ".join(show(a) for a in sorted(allowed)),
                    signature=header_signature(name, values, what),
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
    body = body_of(obs)
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
