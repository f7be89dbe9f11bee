"""App faults in the reaction phase: an ASGI app raising before its response (S304: the
server must terminate the connection) and a WSGI app calling start_response(exc_info)
after its body began (W302/W303: start_response must raise). Each defect of
fixtures/servers/rawserver.py fires its rule, the correct twin is silent and the rule is
really judged, and real servers give what their code does."""

from __future__ import annotations

from pathlib import Path

import pytest

from speccheck.server import check_server
from speccheck.targets import get_target

pytestmark = pytest.mark.servers

RAW = Path(__file__).resolve().parents[2] / "fixtures" / "servers" / "rawserver.py"
CODES = ["S304", "W302", "W303", "S215", "S208"]


def run(defect: str, interface: str) -> tuple[set[str], set[str]]:
    command = f"{{python}} {RAW} --port {{port}} --interface {interface} --defect {defect} {{app}}"
    result = check_server("command", command=command, interface=interface, examples=10, select=CODES)
    return {v.code for v in result.violations}, {r.code for r in result.checked}


def test_correct_twin_is_silent_and_judged() -> None:
    assert run("none", "asgi") == (set(), {"S304", "S215", "S208"})
    assert run("none", "wsgi") == (set(), {"W302", "W303", "S215", "S208"})


@pytest.mark.parametrize(
    ("defect", "interface", "code"),
    [
        ("keep-after-error", "asgi", "S304"),
        ("exc-info-returns", "wsgi", "W302"),
        ("no-response-hang", "asgi", "S215"),
        ("no-response-hang", "wsgi", "S215"),
    ],
)
def test_defect_fires_its_rule(defect: str, interface: str, code: str) -> None:
    found, checked = run(defect, interface)
    assert found == {code}
    assert code in checked


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("uvicorn", set()),  # 500 with Connection: close
        # start_response re-raises exc_info; but an app returning without start_response gets
        # the status line "HTTP/1.1 None" (RFC 9112 4: status-code is 3DIGIT).
        ("gunicorn", {"S208"}),
        # granian answers the app's error with a 500 and keeps the connection alive (asgi.rst:
        # servers "must terminate the application instance and its associated connection").
        ("granian", {"S304"}),
        # hypercorn's WSGI start_response returns normally after the body began (PEP 3333:
        # "start_response must raise an error").
        ("hypercorn-wsgi", {"W302"}),
    ],
)
def test_real_servers(name: str, expected: set[str]) -> None:
    if not get_target(name).installed:
        pytest.skip(f"{name} is not installed")
    result = check_server(name, examples=10, select=CODES)
    assert {v.code for v in result.violations} == expected
