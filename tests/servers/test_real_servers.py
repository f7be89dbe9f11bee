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
# header field line".
NO_HOST, TWO_HOSTS = "S403", "S406"
# RFC 9110 9.3.2 "the server MUST NOT send content in the response" to HEAD.
HEAD_BODY = "S204"

CASES: dict[str, tuple[set[str], set[str]]] = {
    # name: (required, allowed beyond required)
    "uvicorn": ({CL_TE}, set()),
    "hypercorn": ({CL_TE}, set()),
    # gunicorn's own 500 page after an app error is sent with its body even for HEAD.
    "gunicorn": ({NO_HOST}, {HEAD_BODY}),
    # waitress sends the body for HEAD; drops X-Forwarded-* unless the proxy is trusted
    # (PEP 3333 "should correspond": S104 is a SHOULD).
    "waitress": ({NO_HOST, TWO_HOSTS}, {HEAD_BODY, "S104"}),
    # wsgiref: HTTP/1.0, no HEAD handling, no header validation, no chunked support.
    "wsgiref": (
        {"S302", "S401", NO_HOST, "S404", TWO_HOSTS},
        {HEAD_BODY, "S104", "S205", "S206", "S207"},
    ),
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
