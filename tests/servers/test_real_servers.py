"""Real servers through the runner: correct behaviour raises nothing; where a server
really breaks a rule, exactly that finding is expected, with the spec sentence cited.

``REQUIRED`` findings come from the fixed malformed-request cases (deterministic);
``ALLOWED`` adds findings that depend on which generated exchanges hit which response
plan. Anything outside ``ALLOWED`` is a false positive of speccheck (or a regression
of the server, to be checked against the cited sentence).
"""

from __future__ import annotations

import pytest

from speccheck.server import check_server
from speccheck.targets import get_target

pytestmark = pytest.mark.servers

# RFC 9112 6.1 "Regardless, the server MUST close the connection after responding to such
# a request" (Content-Length + Transfer-Encoding): h11-based servers keep it open.
CL_TE = "S301"
# RFC 9112 3.2 "A server MUST respond with a 400 ... to any HTTP/1.1 request message that
# lacks a Host header field and to any request message that contains more than one Host
# header field line". Behind a gateway the 400 may come from the app, so delivering the
# request is fine; delivering it with the Host evidence changed (granian: an empty Host
# made up; cheroot: only the last Host) is the finding.
NO_HOST, TWO_HOSTS = "S403", "S406"
# RFC 9110 9.3.2 "the server MUST NOT send content in the response" to HEAD: the probe
# produces its body for HEAD (H102 is advice for apps), so dropping it is the server's job.
HEAD_BODY = "S204"

# RFC 9112 6.3: "If the unrecoverable error is in a request message, the server MUST respond
# with a 400 (Bad Request)" (two different Content-Length values); 5.1: "A server MUST reject
# ... any received request message that contains whitespace between a header field name and colon".
TWO_CLS, SPACE_COLON = "S401", "S404"
# RFC 9112 6.3: Content-Length is 1*DIGIT ("+5" is invalid framing: 400 and close); 5.2: a
# server "MUST either reject the message ... or replace each received obs-fold with one or
# more SP octets" (wsgiref hands the app "a\r\n b", cheroot loses the first line).
BAD_CL, FOLD = "S407", "S408"
# ASGI www: http_version is 'One of "1.0", "1.1" or "2"'. h11-based servers hand a request line
# saying HTTP/3.0 to the app as "3.0"; granian says "1" for HTTP/1.0.
ASGI_VERSION = "S116"
# RFC 9110 6.4.1 (204/304 have no content), RFC 9112 6.3 (framing), RFC 9110 5.5 (CR/LF in values)
NO_CONTENT, FRAMING, CRLF = "S205", "S206", "S207"
# PEP 3333: the server "should not transmit more bytes to the client than the header allows".
OVERRUN = "S209"
# RFC 9112 3.2.2: "A server MUST accept the absolute-form"; cheroot answers 400, and
# hypercorn-wsgi and wsgiref leave "http://host" in PATH_INFO (PEP 3333: from "the request
# URL's 'path'"). ASGI servers that pass the whole target on in path are within the spec.
ABSOLUTE = "S119"

# RFC 9110 15.2: "a server MUST NOT send a 1xx response to an HTTP/1.0 client"; uvicorn's
# httptools protocol (httptools_impl.py: expect_100_continue set whatever the version),
# werkzeug (serving.py: any Expect: 100-continue) and cheroot (server.py) answer HTTP/1.0 with 100.
CONTINUE_10 = "S312"

# RFC 9110 5.5: NUL (or a bare CR, RFC 9112 2.2) in a field value: "MUST either reject the
# message or replace each of those characters with SP" -- http.server (werkzeug, wsgiref) and
# cheroot hand it over. RFC 9112 6.3: a request Transfer-Encoding not ending in chunked: "the
# server MUST respond with the 400" -- http.server ignores Transfer-Encoding altogether.
CTL_VALUE, TE_NOT_CHUNKED = "S409", "S410"

CASES: dict[str, tuple[set[str], set[str]]] = {
    # name: (required, allowed beyond required)
    "uvicorn": ({CL_TE, ASGI_VERSION}, set()),
    # httptools hands a request line saying HTTP/2.0 to the app as http_version "2.0".
    "uvicorn-httptools": ({ASGI_VERSION, CONTINUE_10}, set()),
    "uvicorn-wsproto": ({CL_TE, ASGI_VERSION}, set()),
    "gunicorn-uvicorn": ({ASGI_VERSION, CONTINUE_10}, set()),
    # hypercorn hands the app 1006 for every clean client close (S524: the client's code must
    # reach the app; S525: 1005 when the client sent none).
    "hypercorn": ({CL_TE, ASGI_VERSION, "S524", "S525"}, set()),
    # hypercorn's WSGI adapter: uppercases the method (CGI: case-sensitive, S101), builds
    # PATH_INFO from the UTF-8-decoded path (bytes that are not UTF-8 are lost, S102) and
    # answers 500 when the app returns an empty body (S201; PEP 3333: "may be empty").
    "hypercorn-wsgi": ({CL_TE, ABSOLUTE}, {"S101", "S102", "S201"}),
    # gunicorn's own 500 page after an app error is sent with its body even for HEAD.
    # An app returning without start_response gets the status line "HTTP/1.1 None" from the
    # sync worker (S208; RFC 9112 4: status-code = 3DIGIT); gthread answers 500.
    "gunicorn": ({"S208"}, {HEAD_BODY}),
    "gunicorn-gthread": (set(), {HEAD_BODY}),
    # waitress relays the app's body for HEAD (chunked), or at least a "0\r\n\r\n" terminator.
    "waitress": (set(), {HEAD_BODY}),
    # wsgiref: HTTP/1.0, no header validation, no chunked support, app bytes relayed as given.
    "wsgiref": (
        {"S302", TWO_CLS, SPACE_COLON, BAD_CL, FOLD, ABSOLUTE, CTL_VALUE, TE_NOT_CHUNKED},
        {HEAD_BODY, "S104", NO_CONTENT, OVERRUN, CRLF},
    ),
    # werkzeug's dev server (http.server underneath): lossy PATH_INFO for non-UTF-8 bytes,
    # app bodies on 204/304 and past a wrong Content-Length, CR/LF passed through; when
    # the client resets the connection the drain loop in its ``finally`` raises before
    # ``application_iter.close()`` (S303).
    "werkzeug": (
        {TWO_CLS, SPACE_COLON, BAD_CL, CONTINUE_10, CTL_VALUE, TE_NOT_CHUNKED},
        {"S102", HEAD_BODY, NO_CONTENT, OVERRUN, CRLF, "S303"},
    ),
    # cheroot additionally keeps only the last of duplicate request headers (S109, S406),
    # leaves some escapes undecoded in PATH_INFO (S102), sends 400 pages with content for
    # HEAD (S204) and does not drain unread request bodies (parsed as the next request: S206).
    "cheroot": (
        {TWO_CLS, SPACE_COLON, TWO_HOSTS, BAD_CL, FOLD, ABSOLUTE, CONTINUE_10, CTL_VALUE},
        {"S102", "S109", HEAD_BODY, NO_CONTENT, FRAMING, CRLF, CL_TE, OVERRUN},
    ),
    # granian reports HTTP/1.0 as http_version "1" (ASGI: one of "1.0", "1.1", "2") and
    # turns a missing Host into an empty one.
    # granian claims spec_version 2.3 but ignores the headers of websocket.accept (S529).
    # After an app error (before its response) it answers 500 and keeps the connection (S304).
    "granian": ({NO_HOST, ASGI_VERSION, "S529", "S304"}, set()),
    # granian-wsgi: SERVER_PROTOCOL "HTTP/1" for 1.0, non-ASCII header values emptied,
    # a bad chunk size delivered as an empty complete body (S402, a SHOULD), empty Host made up.
    # After the iterable raised mid-body it still sends the last chunk (S305: the broken body
    # ends like a complete one; PEP 3333 lets the server "abort the response").
    "granian-wsgi": ({"S402", NO_HOST, "S305"}, {"S106", "S109", OVERRUN}),
    # daphne drops headers with '_' in the name (S115), drops only the first body chunk of a
    # HEAD response and sends the rest (S204), and after a run of those stops answering for
    # more than 15 s (T003, seen with --exchange-timeout 15 too: not our timing).
    # WebSocket: daphne drops empty messages (S521) and gives the app code None instead of 1005
    # (S525); with generated sessions also '//x' and ';' paths mangled (S510/S511), duplicate and
    # '_' headers (S514), and disconnect timing (S526).
    # After an app error mid-body daphne leaves the connection open and silent (S304; asgi.rst:
    # servers "must terminate the application instance and its associated connection").
    # An app returning without a response leaves the client hanging (S215).
    "daphne": ({"S521", "S525", "S304", "S215"}, {"S115", HEAD_BODY, "T003", "S510", "S511", "S514", "S526"}),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_server(name: str) -> None:
    if not get_target(name).installed:
        pytest.skip(f"{name} is not installed")
    required, allowed = CASES[name]
    result = check_server(name, examples=250, select=["S", "T"])
    codes = {v.code for v in result.violations}
    assert result.info.exchanges == 250
    assert required <= codes, f"{name}: expected {sorted(required)}, got {sorted(codes)}"
    unexpected = codes - required - allowed
    assert not unexpected, "\n".join(v.one_line() for v in result.violations if v.code in unexpected)
    checked = {r.code for r in result.checked}
    assert {"S201", "S202", "S203", "S204", "T002", "T003"} <= checked


def test_uvicorn_findings_are_reproducible() -> None:
    """The S301 finding carries its exchange: the raw request and a runnable replay line."""
    result = check_server("uvicorn", examples=50, select=["S301"])
    (finding,) = result.violations
    assert finding.exchange is not None
    assert "Transfer-Encoding: chunked" in str(finding.extra["request"])
    assert finding.exchange.replay.startswith("python -c")
    assert finding.exchange.base_url.startswith("http://127.0.0.1:")
