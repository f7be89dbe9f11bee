"""Response trailers (S308, S309; ASGI extension http.response.trailers): the rawserver twin
advertises the extension and is silent with both rules checked, each defect fires its rule,
a real server that does not advertise the extension leaves both not applicable. Plus the
oracles on hand-built responses and the wire client's trailer parsing."""

from __future__ import annotations

import socket
import threading
from pathlib import Path

import pytest

from speccheck.client import WireConnection, WireResponse
from speccheck.server import check_server
from speccheck.server._plans import ResponsePlan
from speccheck.server._trailers import TRAILER_PLANS, check_no_te, check_with_te
from speccheck.targets import get_target

RAW = Path(__file__).resolve().parents[2] / "fixtures" / "servers" / "rawserver.py"
CODES = ["S308", "S309"]


def run(defect: str) -> tuple[set[str], set[str]]:
    command = f"{{python}} {RAW} --port {{port}} --interface asgi --defect {defect} {{app}}"
    result = check_server("command", command=command, interface="asgi", examples=20, select=CODES, startup_timeout=20.0)
    return {v.code for v in result.violations}, {r.code for r in result.checked}


# --- fixtures over the wire -------------------------------------------------------------------
@pytest.mark.servers
def test_correct_twin_is_silent_and_checked() -> None:
    found, checked = run("none")
    assert found == set()
    assert set(CODES) <= checked  # the twin advertises the extension: both rules judged


@pytest.mark.servers
@pytest.mark.parametrize(
    ("defect", "expected"),
    [
        ("drop-trailers", {"S308"}),  # www.rst: wait for the trailers; extensions.rst: send them on TE: trailers
        ("trailers-no-te", {"S309"}),  # extensions.rst: "will only send ... in case the client has sent TE: trailers"
    ],
)
def test_defect_fires_its_rule_only(defect: str, expected: set[str]) -> None:
    found, checked = run(defect)
    assert found == expected
    assert set(CODES) <= checked


@pytest.mark.servers
def test_real_server_without_the_extension_is_not_applicable() -> None:
    # uvicorn advertises http.response.trailers only on HTTP/2 (none of the HTTP/1.1 presets do).
    if not get_target("uvicorn").installed:
        pytest.skip("uvicorn is not installed")
    result = check_server("uvicorn", examples=20, select=CODES)
    assert {v.code for v in result.violations} == set()
    assert not set(CODES) & {r.code for r in result.checked}


# --- the wire client keeps the trailer section --------------------------------------------------
def test_wire_client_keeps_trailer_fields() -> None:
    canned = (
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTrailer: X-Sum\r\n\r\n"
        b"5\r\nhello\r\n0\r\nX-Sum: abc\r\nX-Note: done\r\n\r\n"
    )
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]

    def serve() -> None:
        sock, _ = listener.accept()
        with sock:
            sock.recv(65536)
            sock.sendall(canned)
            sock.recv(65536)  # until the client closes

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    conn = WireConnection("127.0.0.1", port, timeout=3.0)
    try:
        resp = conn.request(b"GET / HTTP/1.1\r\nHost: x\r\nTE: trailers\r\nConnection: TE\r\n\r\n")
    finally:
        conn.close()
        listener.close()
    thread.join(3.0)
    assert resp.outcome == "ok" and resp.body == b"hello"
    assert resp.trailers == [(b"X-Sum", b"abc"), (b"X-Note", b"done")]


# --- the oracles on hand-built responses --------------------------------------------------------
OBS = {"trailers": {"advertised": True, "sent": [list(t) for t in TRAILER_PLANS[0].trailers]}}
CHUNKED = [(b"transfer-encoding", b"chunked")]
FIELDS = [(n.encode(), v.encode()) for n, v in TRAILER_PLANS[0].trailers]


def test_with_te_oracle() -> None:
    assert check_with_te(WireResponse("ok", status=200, headers=CHUNKED, trailers=FIELDS), OBS) == []
    upper = [(n.upper(), v) for n, v in FIELDS]  # field names are case-insensitive
    assert check_with_te(WireResponse("ok", status=200, headers=CHUNKED, trailers=upper), OBS) == []
    (dropped,) = check_with_te(WireResponse("ok", status=200, headers=CHUNKED), OBS)
    assert (dropped.code, dropped.signature) == ("S308", "dropped")
    (framed,) = check_with_te(WireResponse("ok", status=200, headers=[(b"content-length", b"12")]), OBS)
    assert framed.signature == "not-chunked"
    (stuck,) = check_with_te(WireResponse("timeout", status=200, headers=CHUNKED), OBS)
    assert (stuck.code, stuck.signature) == ("S308", "timeout")


def test_without_te_oracle() -> None:
    assert check_no_te(WireResponse("ok", status=200, headers=CHUNKED), OBS) == []
    assert check_no_te(WireResponse("closed", status=200, trailers=FIELDS), OBS) == []  # incomplete: not S309's
    (leaked,) = check_no_te(WireResponse("ok", status=200, headers=CHUNKED, trailers=FIELDS[:1]), OBS)
    assert leaked.code == "S309"


def test_plan_json_keeps_trailers_and_old_plans_load() -> None:
    old = {"name": "p", "status": 200, "headers": [["a", "b"]], "body": ["x"]}
    assert ResponsePlan.from_dict(old).trailers == ()
    for plan in TRAILER_PLANS:
        assert ResponsePlan.from_dict(plan.to_dict()) == plan
