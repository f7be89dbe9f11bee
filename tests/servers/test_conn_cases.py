"""Connection cases (S310-S316): Expect: 100-continue and pipelining. Each rule fires on a
rawserver with exactly that defect and stays silent on the correct twin and on real
servers that get it right; a real server's true finding is asserted with its spec sentence."""

from __future__ import annotations

from pathlib import Path

import pytest

from speccheck._run import RunInfo
from speccheck.server import check_server
from speccheck.server._check import LocalSession
from speccheck.server._conn_rules import CONN_CODES
from speccheck.server._runner import ServerRun, run_server
from speccheck.targets import command_target, get_target

pytestmark = pytest.mark.servers

RAW = Path(__file__).resolve().parents[2] / "fixtures" / "servers" / "rawserver.py"


def _command(defect: str, interface: str) -> str:
    return f"{{python}} {RAW} --port {{port}} --interface {interface} --defect {defect} {{app}}"


def run(defect: str, interface: str = "wsgi") -> tuple[set[str], set[str], str]:
    """(codes found, codes checked, the findings in one line each) over a short run: the
    connection cases do not depend on the number of generated exchanges."""
    result = check_server(
        "command",
        command=_command(defect, interface),
        interface=interface,
        examples=20,
        select=["S", "T"],
        exchange_timeout=3.0,
    )
    lines = "\n".join(v.one_line() for v in result.violations)
    return {v.code for v in result.violations}, {r.code for r in result.checked}, lines


@pytest.mark.parametrize("interface", ["wsgi", "asgi"])
def test_correct_twin_is_silent_and_every_case_ran(interface: str) -> None:
    # rawserver: an immediate 100 to HTTP/1.1 only, bodies framed by Content-Length, pipelined
    # requests kept buffered and answered in order.
    found, checked, lines = run("none", interface)
    assert found == set(), lines
    expected = CONN_CODES if interface == "wsgi" else CONN_CODES - {"S310"}  # S310 is PEP 3333's
    assert expected <= checked


@pytest.mark.parametrize(
    ("defect", "interface", "code"),
    [
        ("continue-417", "wsgi", "S310"),  # PEP 3333: "transparent support" for expect/continue
        ("continue-no-final", "asgi", "S311"),  # RFC 9110 10.1.1: a final status after the 100
        ("continue-http10", "wsgi", "S312"),  # RFC 9110 15.2: no 1xx to an HTTP/1.0 client
        ("continue-after", "asgi", "S313"),  # RFC 9110 15: interim responses before the final one
        ("continue-lazy-no-drain", "wsgi", "S314"),  # RFC 9112 6.3: the unread body is still the body
        ("pipeline-reorder", "asgi", "S315"),  # RFC 9112 9.3.2: responses in request order
        ("pipeline-drop", "wsgi", "S316"),  # RFC 9112 9.3.2: every pipelined request answered
        ("pipeline-past-close", "wsgi", "S317"),  # RFC 9112 9.6: nothing processed after close
    ],
)
def test_defect_fires_its_rule_only(defect: str, interface: str, code: str) -> None:
    found, checked, lines = run(defect, interface)
    assert found == {code}, lines
    assert code in checked


def test_a_server_that_keeps_silent_costs_bounded_time() -> None:
    # continue-no-final sends 100, reads the body, and never answers: every wait is bounded.
    session = LocalSession(RunInfo(command="server", target="raw"), examples=10, select=["S31", "T"])
    cfg = ServerRun(command_target(_command("continue-no-final", "wsgi"), "wsgi"), exchange_timeout=1.5)
    run_server(session, cfg)
    assert {v.code for v in session.result().violations} == {"S311"}
    # one bounded wait for the 100, one response timeout, one check that the server still answers
    assert cfg.timings["connection_cases_seconds"] < 1.0 + 3 * 1.5 + 1.0


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        # uvicorn (h11): 100 only when the app reads, an unread body is read past.
        ("uvicorn", set()),
        # uvicorn's httptools protocol sets expect_100_continue from the header whatever the
        # request's version (httptools_impl.py on_header) and receive() writes
        # "HTTP/1.1 100 Continue": RFC 9110 15.2 "a server MUST NOT send a 1xx response to
        # an HTTP/1.0 client".
        ("uvicorn-httptools", {"S312"}),
        # waitress: an immediate 100 for HTTP/1.1 only, pipelined requests answered in order,
        # nothing served after a request that said Connection: close.
        ("waitress", set()),
    ],
)
def test_real_servers(name: str, expected: set[str]) -> None:
    if not get_target(name).installed:
        pytest.skip(f"{name} is not installed")
    result = check_server(name, examples=10, select=["S31"])
    assert {v.code for v in result.violations} == expected
    assert {"S312", "S314", "S315", "S316", "S317"} <= {r.code for r in result.checked}
