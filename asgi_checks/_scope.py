"""Server side: what the scope looks like before the app sees it.

Optional keys (scheme, raw_path, root_path, query_string, websocket http_version,
subprotocols, client, server, state, extensions) may be absent: absence is never
reported. ``raw_path=None`` and ``query_string=None`` are accepted.

https://asgi.readthedocs.io/en/latest/specs/main.html#applications
  "scope must be a dict. The key scope["type"] will always be present"
https://asgi.readthedocs.io/en/latest/specs/www.html#http-connection-scope
https://asgi.readthedocs.io/en/latest/specs/www.html#websocket-connection-scope
https://asgi.readthedocs.io/en/latest/specs/lifespan.html#scope
https://asgi.readthedocs.io/en/latest/specs/tls.html#tls-connection-scope
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any

from asgi_checks._headers import scan
from asgi_checks._target import check_path, check_query

__all__ = ["Report", "check_scope", "spec_version"]

Report = Callable[..., None]  # report(code, message, *, observed=, expected=, signature=)

_VERSION_RE = re.compile(r"\d+\.\d+\Z")
_HTTP_VERSIONS = frozenset({"1.0", "1.1", "2", "3"})  # "3": HTTP/3 servers (hypercorn) already send it
_WS_VERSIONS = frozenset({"1.1", "2", "3"})
_NOT_TLS = frozenset({"http", "ws"})
_STR_ONLY = {str}
_SEQ = (list, tuple)
_SPEC_MAJORS = {"http": ("2",), "websocket": ("2",), "lifespan": ("1", "2")}
_USUAL_SPEC_VERSIONS = frozenset({None, "2.0", "2.1", "2.2", "2.3", "2.4", "2.5"})  # fast path (every protocol)
_GOOD_VERSIONS = frozenset({"2.0", "2.1", "2.2", "2.3", "2.4", "2.5", "1.0", "3.0"})  # fast path before the regex


def spec_version(scope: dict[str, Any], default: tuple[int, int]) -> tuple[int, int]:
    """scope['asgi']['spec_version'] as a tuple, ``default`` when missing or unreadable."""
    asgi = scope.get("asgi")
    raw = asgi.get("spec_version") if type(asgi) is dict else None
    if type(raw) is str and _VERSION_RE.match(raw):
        major, minor = raw.split(".")
        return (int(major), int(minor))
    return default


def check_scope(scope: Any, report: Report) -> str | None:
    """Check ``scope``; return its type when it is a str (else None)."""
    if not isinstance(scope, dict):
        report("A103", f"scope is a {type(scope).__name__}, not a dict", observed=type(scope).__name__, expected="dict")
        return None
    if set(map(type, scope)) != _STR_ONLY:
        for key in scope:
            if type(key) is not str:
                report("A106", f"scope key {key!r:.40} is not a str", observed=repr(key)[:40], expected="str")
    kind = scope.get("type")
    if type(kind) is not str:
        report("A104", "scope['type'] is missing or not a str", observed=repr(kind)[:40], expected="'http'")
        return None
    _check_asgi(scope, kind, report)
    extensions = scope.get("extensions")
    if extensions is not None and not (
        type(extensions) is dict and (not extensions or all(type(v) is dict for v in extensions.values()))
    ):
        report(
            "A107",
            "scope['extensions'] is not a dict of dicts",
            observed=repr(extensions)[:60],
            expected="{'name': {}}",
        )
    if kind == "http" or kind == "websocket":
        _check_connection(scope, kind, report)
    elif kind == "lifespan":
        state = scope.get("state", {})
        if type(state) is not dict or state:
            report("A501", "lifespan scope state is not an empty dict", observed=repr(state)[:60], expected="{}")
    return kind


def _check_asgi(scope: dict[str, Any], kind: str, report: Report) -> None:
    asgi = scope.get("asgi")
    if asgi is None:
        return  # "If missing, the version should default to 2.0"
    if type(asgi) is not dict:
        report("A105", "scope['asgi'] is not a dict", observed=repr(asgi)[:40], expected="{'version': '3.0'}")
        return
    for key in ("version", "spec_version"):
        value = asgi.get(key)
        if value is not None and value not in _GOOD_VERSIONS and not (type(value) is str and _VERSION_RE.match(value)):
            report(
                "A105",
                f"scope['asgi']['{key}'] is not a str like '3.0'",
                observed=repr(value)[:40],
                expected="'3.0'",
                signature=key,
            )
    spec = asgi.get("spec_version")
    if spec not in _USUAL_SPEC_VERSIONS:
        _check_spec_major(spec, kind, report)


def _check_spec_major(value: Any, kind: str, report: Report) -> None:
    """www.rst: spec_version is the HTTP (websocket) spec's, "for example: "2.0", "2.1",
    "2.2", etc."; lifespan.rst: "1.0" or "2.0". Any minor version passes."""
    majors = _SPEC_MAJORS.get(kind)
    if majors is None or type(value) is not str or not _VERSION_RE.match(value):
        return  # another protocol, absent, or already A105
    if value.partition(".")[0] not in majors:
        report(
            "A707",
            f"{kind} scope spec_version {value!r} is not a version of the {kind} spec",
            observed=repr(value)[:20],
            expected=" or ".join(f"'{m}.x'" for m in majors),
            signature=kind,
        )


def _check_connection(scope: dict[str, Any], kind: str, report: Report) -> None:
    get = scope.get
    version = get("http_version")
    if kind == "http":
        if version not in _HTTP_VERSIONS or type(version) is not str:
            report("A201", "http_version is not '1.0', '1.1' or '2'", observed=repr(version)[:40], expected="'1.1'")
        method = get("method")
        if type(method) is not str or not method:
            report("A202", "method is missing, empty or not a str", observed=repr(method)[:40], expected="'GET'")
        elif method.upper() != method:
            report("A214", "method is not uppercased", observed=repr(method)[:40], expected=repr(method.upper())[:40])
    elif version is not None and (type(version) is not str or version not in _WS_VERSIONS):
        report("A401", "websocket http_version is not '1.1' or '2'", observed=repr(version)[:40], expected="'1.1'")
    scheme = get("scheme")
    if scheme is not None and (type(scheme) is not str or not scheme):
        report("A203", "scheme is empty or not a str", observed=repr(scheme)[:40], expected="'http'")
    path = get("path")
    if type(path) is not str:
        report("A204", "path is missing or not a str", observed=repr(path)[:40], expected="'/'")
    raw_path = get("raw_path")
    if raw_path is not None and (type(raw_path) is not bytes or b"?" in raw_path):
        why = "contains the query string" if type(raw_path) is bytes else "is neither bytes nor None"
        report("A205", f"raw_path {why}", observed=repr(raw_path)[:60], expected="b'/path' or None", signature=why)
    elif (
        type(raw_path) is bytes
        and type(path) is str
        and (b"%" in raw_path or not raw_path.isascii() or path != raw_path.decode("ascii"))
    ):
        check_path(path, raw_path, get("root_path"), report)  # (the identity always passes)
    query = get("query_string")
    if query is not None and type(query) is not bytes:
        report("A206", "query_string is not bytes", observed=repr(query)[:60], expected="b'a=1'")
    elif query:
        check_query(query, report)
    root_path = get("root_path")
    if root_path is not None and type(root_path) is not str:
        report("A207", "root_path is not a str", observed=repr(root_path)[:40], expected="''")
    pairs = _check_request_headers(get("headers"), report)
    client = get("client")
    if client is not None and not (
        type(client) in _SEQ and len(client) == 2 and type(client[0]) is str and type(client[1]) is int
    ):
        report("A211", "client is not [host, port]", observed=repr(client)[:60], expected="['127.0.0.1', 5000]")
    server = get("server")
    if server is not None:
        if not _pair(server, (int, type(None))):
            report(
                "A212",
                "server is not [host, port] or [path, None]",
                observed=repr(server)[:60],
                expected="['127.0.0.1', 8000]",
            )
        elif list(server)[1] is None and spec_version(scope, (2, 0)) < (2, 2):
            report(
                "A703",
                "server is [path, None] but spec_version < 2.2",
                observed=repr(server)[:60],
                expected="spec_version >= 2.2",
            )
    if "state" in scope and type(get("state")) is not dict:
        report("A213", "state is not a dict", observed=repr(get("state"))[:40], expected="dict")
    if kind == "websocket":
        protocols = get("subprotocols")
        if protocols is not None and (
            isinstance(protocols, str | bytes)
            or not isinstance(protocols, Iterable)
            or not all(type(p) is str for p in protocols)
        ):
            report("A402", "subprotocols is not an iterable of str", observed=repr(protocols)[:60], expected="['chat']")
        elif protocols is not None:
            _check_subprotocols(list(protocols), pairs, report)
    extensions = get("extensions")
    if type(extensions) is dict and "http.response.debug" in extensions:
        # extensions.rst Debug: "ASGI servers should not implement it" (A614 is opt-in).
        report("A614", "the scope advertises the http.response.debug extension", observed="http.response.debug")
    if type(extensions) is dict and "tls" in extensions:
        _check_tls(extensions["tls"], scheme if type(scheme) is str else ("http" if kind == "http" else "ws"), report)


def _pair(value: Any, second: tuple[type, ...]) -> bool:
    if type(value) not in (list, tuple) or len(value) != 2:
        return False
    first, other = value
    return type(first) is str and type(other) in second


def _check_subprotocols(protocols: list[str], pairs: list[tuple[bytes, bytes]], report: Report) -> None:
    """www.rst: subprotocols are the "Subprotocols the client advertised" (ADVICE: derived)."""
    advertised = [
        part.strip().decode("latin-1")
        for name, value in pairs
        if name.lower() == b"sec-websocket-protocol"
        for part in value.split(b",")
        if part.strip()
    ]
    if protocols != advertised:
        report(
            "A409",
            "subprotocols differ from the sec-websocket-protocol header",
            observed=repr(protocols)[:60],
            expected=repr(advertised)[:60],
        )


def _check_request_headers(headers: Any, report: Report) -> list[tuple[bytes, bytes]]:
    if headers is None:
        report("A208", "headers is missing", observed="missing", expected="[[b'host', b'...']]")
        return []
    result = scan(headers)
    for problem in result.shape[:1]:
        report("A208", "headers is not an iterable of [bytes, bytes] pairs", observed=problem)
    for name in result.pseudo[:1]:
        report(
            "A209",
            "pseudo-header in the request scope",
            observed=name.decode("latin-1"),
            signature=name.decode("latin-1"),
        )
    for name in result.not_lower[:1]:
        report(
            "A210",
            "request header name not lowercased",
            observed=name.decode("latin-1"),
            expected=name.lower().decode("latin-1"),
        )
    return result.pairs


def _check_tls(tls: Any, scheme: str, report: Report) -> None:
    """https://asgi.readthedocs.io/en/latest/specs/tls.html#tls-connection-scope"""
    if scheme in _NOT_TLS:
        report("A611", f"tls extension on a {scheme} connection", observed=scheme, expected="https or wss")
    if type(tls) is not dict:
        return  # already A107
    problems: list[str] = []
    for key in ("server_cert", "tls_version", "cipher_suite"):
        if key not in tls:
            problems.append(f"{key} missing (mandatory)")
    if tls.get("server_cert") is not None and type(tls["server_cert"]) is not str:
        problems.append("server_cert is not a str or None")
    for key in ("tls_version", "cipher_suite"):
        value = tls.get(key)
        if value is not None and (type(value) is not int or value < 0):
            problems.append(f"{key} is not an unsigned int or None")
    cipher = tls.get("cipher_suite")
    if type(cipher) is int and cipher > 0xFFFF:
        problems.append("cipher_suite is not a 16-bit int")
    chain = tls.get("client_cert_chain", ())
    if isinstance(chain, str | bytes) or not isinstance(chain, Iterable) or not all(type(c) is str for c in chain):
        problems.append("client_cert_chain is not an iterable of str")
    elif list(chain) and type(tls.get("client_cert_name")) is not str:
        problems.append("client_cert_name missing although client_cert_chain is non-empty")
    name = tls.get("client_cert_name")
    if name is not None and type(name) is not str:
        problems.append("client_cert_name is not a str or None")
    error = tls.get("client_cert_error")
    if error is not None and (type(error) is not str or not error):
        problems.append("client_cert_error is not None or a non-empty str")
    for problem in problems:
        report("A612", f"tls extension: {problem}", observed=repr(tls)[:80], signature=problem)
