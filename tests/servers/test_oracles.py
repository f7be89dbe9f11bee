"""The oracles on their own, without a server: a faithful observation passes every check,
and each kind of damage maps to its rule. (The same oracles run against real servers in
test_real_servers.py and against defective ones in test_fixture_servers.py.)"""

from __future__ import annotations

import base64
from typing import Any
from urllib.parse import unquote_to_bytes

import pytest

from speccheck.client import WireResponse
from speccheck.server._findings import Finding
from speccheck.server._oracle_request import check_asgi_request, check_wsgi_request, path_variants, wire_headers
from speccheck.server._oracle_response import Previous, check_response
from speccheck.server._responses import BY_NAME
from speccheck.traffic import RequestPlan

REQ = RequestPlan(
    method="POST",
    target=b"/a%20b/%C3%A9/%FF?x=%20y&z",
    headers=((b"X-Dup", b"1"), (b"x-dup", b"2"), (b"Content-Type", b"text/plain"), (b"x_under", b"u")),
    body=b"hello",
)


def wsgi_obs(req: RequestPlan = REQ, **changes: Any) -> dict[str, object]:
    env: dict[str, object] = {
        "REQUEST_METHOD": req.method,
        "SCRIPT_NAME": "",
        "PATH_INFO": unquote_to_bytes(req.raw_path).decode("latin-1"),
        "QUERY_STRING": req.query_string.decode("latin-1"),
        "SERVER_PROTOCOL": "HTTP/1.1",
        "wsgi.url_scheme": "http",
        "CONTENT_TYPE": "text/plain",
        "CONTENT_LENGTH": "5",
        "HTTP_HOST": "127.0.0.1",
        "HTTP_X_DUP": "1,2",
    }
    env.update(changes)
    return {"environ": env, "body": base64.b64encode(req.body).decode(), "body_complete": True, "errors": []}


def asgi_obs(req: RequestPlan = REQ, **changes: Any) -> dict[str, object]:
    scope: dict[str, object] = {
        "method": req.method,
        "path": "/a b/é/\ufffd",
        "raw_path": req.raw_path.decode("latin-1"),
        "query_string": req.query_string.decode("latin-1"),
        "http_version": "1.1",
        "scheme": "http",
        "headers": [[n.decode("latin-1").lower(), v.decode("latin-1")] for n, v in wire_headers(req)],
    }
    scope.update(changes)
    return {"scope": scope, "body": base64.b64encode(req.body).decode(), "body_complete": True}


def codes(findings: list[Finding]) -> set[str]:
    return {f.code for f in findings}


def test_faithful_wsgi_environ_passes() -> None:
    assert check_wsgi_request(REQ, wsgi_obs()) == []
    # duplicates may be joined with ", " too, and the '_' header may be dropped or kept
    assert check_wsgi_request(REQ, wsgi_obs(HTTP_X_DUP="1, 2", HTTP_X_UNDER="u")) == []


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"REQUEST_METHOD": "post"}, "S101"),
        ({"PATH_INFO": "/a%20b/é/ÿ"}, "S102"),
        ({"QUERY_STRING": "x= y&z"}, "S103"),
        ({"HTTP_X_DUP": "2"}, "S109"),
        ({"CONTENT_LENGTH": "4"}, "S105"),
        ({"SERVER_PROTOCOL": "HTTP/1.0"}, "S106"),
        ({"wsgi.url_scheme": "https"}, "S108"),
    ],
)
def test_wsgi_damage_maps_to_its_rule(changes: dict[str, Any], code: str) -> None:
    assert codes(check_wsgi_request(REQ, wsgi_obs(**changes))) == {code}


def test_wsgi_missing_header_is_the_should_rule() -> None:
    obs = wsgi_obs()
    del obs["environ"]["HTTP_X_DUP"]  # type: ignore[attr-defined]
    assert codes(check_wsgi_request(REQ, obs)) == {"S104"}


def test_wsgi_body_lost() -> None:
    obs = wsgi_obs()
    obs["body"] = base64.b64encode(b"hell").decode()
    assert codes(check_wsgi_request(REQ, obs)) == {"S107"}


def test_asgi_path_with_invalid_utf8_is_not_judged() -> None:
    # %FF is not UTF-8: the ASGI spec does not say how to decode it, so any path passes.
    assert check_asgi_request(REQ, asgi_obs()) == []


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"method": "PUT"}, "S111"),
        ({"raw_path": "/a b"}, "S113"),
        ({"query_string": "x= y&z"}, "S114"),
        ({"http_version": "1"}, "S116"),
        ({"scheme": ""}, "S118"),
    ],
)
def test_asgi_damage_maps_to_its_rule(changes: dict[str, Any], code: str) -> None:
    assert codes(check_asgi_request(REQ, asgi_obs(**changes))) == {code}


def test_asgi_path_decoding() -> None:
    req = RequestPlan(target=b"/caf%C3%A9/%2F")
    assert check_asgi_request(req, asgi_obs(req, path="/café//", body="")) == []
    assert codes(check_asgi_request(req, asgi_obs(req, path="/caf%C3%A9/%2F", body=""))) == {"S112"}


def test_asgi_merged_duplicates() -> None:
    headers = [
        ["x-dup", "1,2"],
        ["host", "127.0.0.1"],
        ["content-type", "text/plain"],
        ["x_under", "u"],
        ["content-length", "5"],
    ]
    assert codes(check_asgi_request(REQ, asgi_obs(headers=headers))) == {"S115"}


def test_accepted_path_normalisations() -> None:
    assert path_variants("//a/./b/../c") >= {"//a/./b/../c", "/a/./b/../c", "/a/c"}


def _response(status: int, headers: list[tuple[bytes, bytes]], body: bytes, **kw: object) -> WireResponse:
    return WireResponse("ok", status=status, headers=headers, body=body, **kw)  # type: ignore[arg-type]


def test_response_relayed_faithfully_passes() -> None:
    plan = BY_NAME["plain"]
    headers = [
        (b"Content-Type", b"text/plain; charset=utf-8"),
        (b"x-probe-a", b"one two"),
        (b"x-probe-dup", b"a, b"),
        (b"x-speccheck-id", b"i1"),
        (b"date", b"now"),
    ]
    resp = _response(200, headers, b"hello world")
    assert check_response(RequestPlan(), "i1", plan, resp, {"errors": []}, None) == []


def test_response_damage() -> None:
    plan = BY_NAME["plain"]
    resp = _response(200, [(b"x-speccheck-id", b"i1")], b"hello")
    assert codes(check_response(RequestPlan(), "i1", plan, resp, {"errors": []}, None)) == {"S202", "S203"}
    other = _response(200, [(b"x-speccheck-id", b"i0")], b"hello world")
    assert codes(check_response(RequestPlan(), "i1", plan, other, {"errors": []}, None)) == {"S206"}


def test_leaked_bytes_are_blamed_on_the_previous_head() -> None:
    broken = WireResponse("invalid", raw=b"leakHTTP/1.1 200 OK\r\n", reused=True, error="bad status line")
    prev = Previous("i0", True, 200, BY_NAME["plain"])
    (finding,) = check_response(RequestPlan(), "i1", BY_NAME["plain"], broken, None, prev)
    assert finding.code == "S204"
    assert finding.previous


def test_crlf_reaching_the_wire() -> None:
    raw = b"HTTP/1.1 200 OK\r\nx-probe-split: a\r\nx-injected: 1\r\n\r\nok"
    resp = _response(200, [(b"x-probe-split", b"a"), (b"x-injected", b"1")], b"ok", raw=raw)
    assert codes(check_response(RequestPlan(), "i1", BY_NAME["crlf-value"], resp, {"errors": []}, None)) == {"S207"}
