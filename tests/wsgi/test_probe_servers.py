"""WSGILint inside speccheck's probe app, under real WSGI servers driven with generated
traffic (``check_server``): the lint's server-side rules against the real thing.

Each server either stays silent or shows exactly the findings below, each checked by
hand against the server's source and the PEP 3333 sentence.
"""

from __future__ import annotations

import sys

import pytest

from speccheck.server import check_server
from speccheck.targets import get_target

pytestmark = [pytest.mark.servers, pytest.mark.slow]

# "It is a violation of this specification for any CGI variable's value to be of any type other than str."
CGI_STR = "W103"  # hypercorn: SERVER_PORT is an int (werkzeug's int REMOTE_PORT is not CGI-defined: legal)
# "it must return a write(body_data) callable" (the start_response() Callable)
WRITE = "W301"  # hypercorn's and granian's start_response return None
# "The methods listed in the table above must be supported by all servers" (input.__iter__)
INPUT_ITER = "W201"  # cheroot's ChunkedRFile (chunked request bodies) has no __iter__

# "Servers should check for errors in the headers at the time start_response is called": the
# probe's deliberately wrong plans put CR LF into a header value; servers that take it without
# raising show W310 when such a plan is drawn (gunicorn and waitress raise).
EARLY = "W310"

# PEP 3333: "if exc_info is provided, and the HTTP headers have already been sent,
# start_response must raise an error": hypercorn's and granian's start_response return
# normally (the reaction phase calls it after the first body block went out).
LATE_EXC_INFO = "W302"
# An absolute-form request (GET http://host/x) reaches wsgiref's app with PATH_INFO
# "http://host/x" (S119 on the wire; the lint sees a PATH_INFO without a leading '/').
PATH_SLASH = "W109"
# werkzeug: close() missed after a client disconnect (its finally drains the socket first).
CLOSE_MISSED = "W305"

CASES: dict[str, tuple[set[str], set[str]]] = {
    # name: (required, allowed beyond required: depends on which plans/requests are drawn)
    # CPython 3.10's wsgiref re-raises exc_info[0](exc_info[1]), a new exception, not the one
    # passed in (W303, a should; 3.11 re-raises the original).
    "wsgiref": ({PATH_SLASH}, {EARLY, "W303"} if sys.version_info < (3, 11) else {EARLY}),
    "waitress": (set(), set()),
    "gunicorn": (set(), set()),
    "gunicorn-gthread": (set(), set()),
    "werkzeug": (set(), {EARLY, CLOSE_MISSED}),
    "cheroot": (set(), {INPUT_ITER, EARLY}),
    "hypercorn-wsgi": ({CGI_STR, WRITE, LATE_EXC_INFO}, {EARLY, PATH_SLASH}),
    "granian-wsgi": ({WRITE, LATE_EXC_INFO}, {EARLY}),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_lint_findings_under_real_server(name: str) -> None:
    if not get_target(name).installed:
        pytest.skip(f"{name} is not installed")
    required, allowed = CASES[name]
    result = check_server(name, examples=80, select=["W", "H"])
    assert result.info.exchanges == 80
    codes = {v.code for v in result.violations}
    assert required <= codes, f"{name}: expected {sorted(required)}, got {sorted(codes)}"
    unexpected = codes - required - allowed
    assert not unexpected, "\n".join(v.one_line() for v in result.violations if v.code in unexpected)
    assert all(v.side == "server" for v in result.violations)
