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
from speccheck.server._reject import CASES, request_line_version
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


def test_overrun_of_an_apps_content_length_is_the_wsgi_should_rule() -> None:
    # PEP 3333: the server "should not transmit more bytes to the client than the header allows".
    plan = BY_NAME["cl-too-small"]
    resp = _response(200, [(b"content-length", b"3"), (b"x-speccheck-id", b"i1")], b"abc", trailing=b"defghij")
    assert codes(check_response(RequestPlan(), "i1", plan, resp, {"errors": []}, None, "wsgi")) == {"S209"}
    # ASGI gives the server no duty here: the app's wrong Content-Length is the app's finding.
    assert check_response(RequestPlan(), "i1", plan, resp, {"errors": []}, None, "asgi") == []
    # The same bytes surfacing after another exchange on the connection are still the overrun.
    later = _response(201, [(b"location", b"/made"), (b"x-speccheck-id", b"i1")], b"made", trailing=b"defghij")
    assert codes(check_response(RequestPlan(), "i1", BY_NAME["created"], later, {"errors": []}, None)) == {"S209"}


def test_cookie_lines_joined_with_semicolons_pass() -> None:
    req = RequestPlan(method="GET", headers=((b"Cookie", b"a=1"), (b"Cookie", b"b=2")))
    for joined in ("a=1; b=2", "a=1;b=2", "a=1, b=2"):
        obs = wsgi_obs(req, HTTP_COOKIE=joined, CONTENT_TYPE=None, CONTENT_LENGTH=None, HTTP_X_DUP=None)
        obs["body"] = ""
        assert check_wsgi_request(req, obs) == [], joined
    obs = wsgi_obs(req, HTTP_COOKIE="b=2", CONTENT_TYPE=None, CONTENT_LENGTH=None)
    obs["body"] = ""
    assert codes(check_wsgi_request(req, obs)) == {"S109"}


def test_header_findings_are_one_per_kind_not_per_random_name() -> None:
    # The signature names the kind of field ('_' in the name, a non-ASCII value), never the
    # random name, so a server habit is one finding with a count.
    sigs = set()
    for name in (b"a_b", b"x_y!z"):
        req = RequestPlan(method="GET", headers=((name, b"v"),))
        kept = [[n.decode().lower(), v.decode()] for n, v in wire_headers(req) if n != name]
        (finding,) = check_asgi_request(req, asgi_obs(req, headers=kept, path="/", body=""))
        sigs.add(finding.signature)
    for name in (b"user-agent", b"x-odd"):
        req = RequestPlan(method="GET", headers=((name, "caf\xe9".encode("latin-1")),))
        sent = [[n.decode().lower(), "" if n == name else v.decode()] for n, v in wire_headers(req)]
        obs = asgi_obs(req, headers=sent, path="/", body="")
        sigs |= {f.signature for f in check_asgi_request(req, obs)}
    assert sigs == {"name with '_' missing", "non-ASCII value changed"}


def _host_obs(interface: str, hosts: list[str]) -> dict[str, object]:
    if interface == "wsgi":
        env = {"HTTP_HOST": ",".join(hosts)} if hosts else {}
        return {"environ": env}
    return {"scope": {"headers": [["host", h] for h in hosts]}}


@pytest.mark.parametrize("interface", ["wsgi", "asgi"])
def test_host_cases_delivered_intact_pass_and_with_made_up_host_fail(interface: str) -> None:
    # RFC 9112 3.2: the 400 is owed by the origin server (gateway + app); a gateway that
    # hands over the Host lines as received leaves the app able to answer it.
    missing = next(c for c in CASES if c.code == "S403")
    double = next(c for c in CASES if c.code == "S406")
    ok = WireResponse("ok", status=200)
    assert missing.judge(None, ok) == []  # rejected: the app never saw it
    assert missing.judge(_host_obs(interface, []), ok) == []
    assert codes(missing.judge(_host_obs(interface, ["localhost"]), ok)) == {"S403"}
    assert double.judge(_host_obs(interface, ["127.0.0.1", "example.com"]), ok) == []
    assert codes(double.judge(_host_obs(interface, ["127.0.0.1"]), ok)) == {"S406"}


def test_reject_exchange_names_the_version_sent() -> None:
    assert request_line_version(b"GET /reject HTTP/3.0\r\nHost: x\r\n\r\n") == "3.0"
    assert request_line_version(b"GET /reject HTTP/1.x\r\n\r\n") == "1.x"
    assert request_line_version(b"GET /reject\r\n\r\n") == ""


def test_wsgi_proxy_headers_may_be_dropped_but_not_altered() -> None:
    # waitress drops X-Forwarded-* from peers it does not trust: a reasoned exception to a SHOULD.
    req = RequestPlan(method="GET", headers=((b"X-Forwarded-For", b"10.0.0.1"),))
    obs = wsgi_obs(req, CONTENT_TYPE=None, CONTENT_LENGTH=None, HTTP_X_DUP=None, PATH_INFO="/")
    obs["body"] = ""
    assert check_wsgi_request(req, obs) == []
    obs["environ"]["HTTP_X_FORWARDED_FOR"] = "10.0.0.2"  # type: ignore[index]
    assert codes(check_wsgi_request(req, obs)) == {"S109"}


def test_head_content_is_one_finding_per_kind() -> None:
    # RFC 9110 9.3.2: no content after a HEAD response; the app's body relayed and bytes of
    # the server's own (an error page, a chunk terminator) are two findings, not one per plan.
    head = RequestPlan(method="HEAD")
    ok = [(b"content-type", b"text/plain; charset=utf-8"), (b"x-probe-a", b"one two"), (b"x-probe-dup", b"a, b")]
    ok.append((b"x-speccheck-id", b"i1"))
    relayed = _response(200, ok, b"", trailing=b"6\r\nhello \r\n5\r\nworld\r\n0\r\n\r\n")
    (finding,) = check_response(head, "i1", BY_NAME["plain"], relayed, {"errors": []}, None)
    assert (finding.code, finding.signature) == ("S204", "app content relayed")
    own = _response(200, ok, b"", trailing=b"0\r\n\r\n")
    (finding,) = check_response(head, "i1", BY_NAME["plain"], own, {"errors": []}, None)
    assert (finding.code, finding.signature) == ("S204", "server's own content")
    assert check_response(head, "i1", BY_NAME["plain"], _response(200, ok, b""), {"errors": []}, None) == []


def test_absolute_form_sent_and_judged() -> None:
    # RFC 9112 3.2.2: a server MUST accept the absolute-form; RFC 9110 7.1: the target URI,
    # so the path the app sees, is the same as for origin-form.
    from speccheck.traffic import plan_from_dict, plan_to_dict

    req = RequestPlan(method="GET", target=b"/a%20b?x=%20y", absolute=True)
    assert req.to_bytes().startswith(b"GET http://127.0.0.1/a%20b?x=%20y HTTP/1.1\r\nHost: 127.0.0.1\r\n")
    assert plan_from_dict(plan_to_dict(req)) == req
    assert "absolute" not in plan_to_dict(RequestPlan())  # older replay files stay as they were
    base = {"PATH_INFO": "/a b", "QUERY_STRING": "x=%20y", "CONTENT_TYPE": None, "CONTENT_LENGTH": None}
    obs = wsgi_obs(req, **base, HTTP_X_DUP=None)
    obs["body"] = ""
    assert check_wsgi_request(req, obs) == []
    obs["environ"]["PATH_INFO"] = "http://127.0.0.1/a b"  # type: ignore[index]
    assert codes(check_wsgi_request(req, obs)) == {"S119"}
    obs["environ"]["PATH_INFO"] = "/a%20b"  # type: ignore[index]  # a decoding fault, not the form's
    assert codes(check_wsgi_request(req, obs)) == {"S102"}
    # ASGI: path is "HTTP request target excluding any query string": the whole target is legal.
    assert check_asgi_request(req, asgi_obs(req, path="/a b")) == []
    whole = asgi_obs(req, path="http://127.0.0.1/a b", raw_path="http://127.0.0.1/a%20b")
    assert check_asgi_request(req, whole) == []
    assert codes(check_asgi_request(req, asgi_obs(req, path="/a%20b"))) == {"S112"}


def test_transfer_encoding_not_chunked_judged_by_what_the_app_could_take_as_sound() -> None:
    # RFC 9112 6.3: 400 and close. An ASGI server that started the app at the end of the
    # header section and then failed the body did reject it; a WSGI app without
    # CONTENT_LENGTH reads no body, so any WSGI delivery is processing it as sound.
    case = next(c for c in CASES if c.code == "S410")
    bad = WireResponse("ok", status=400)
    assert case.judge(None, bad) == []
    assert case.judge({"scope": {}, "body_complete": False, "errors": []}, bad) == []
    assert codes(case.judge({"scope": {}, "body_complete": True, "errors": []}, bad)) == {"S410"}
    assert codes(case.judge({"environ": {}, "errors": []}, WireResponse("ok", status=200))) == {"S410"}


@pytest.mark.parametrize("value", ["a\x00b", "a\rb"])
def test_ctl_in_field_value_must_be_rejected_or_replaced(value: str) -> None:
    # RFC 9110 5.5 (NUL), RFC 9112 2.2 (bare CR): reject, or replace with SP.
    case = next(c for c in CASES if c.code == "S409" and ("nul" in c.name) == ("\x00" in value))
    name = "x-nul" if "\x00" in value else "x-cr"
    ok = WireResponse("ok", status=200)
    assert codes(case.judge({"scope": {"headers": [[name, value]]}}, ok)) == {"S409"}
    assert case.judge({"scope": {"headers": [[name, "a b"]]}}, ok) == []
    env_key = "HTTP_" + name.upper().replace("-", "_")
    assert codes(case.judge({"environ": {env_key: value}}, ok)) == {"S409"}
    assert case.judge(None, ok) == []
