"""The WebSocket phase (S510-S531) against real servers and deliberately broken ones.

Broken servers are uvicorn serving ``fixtures/servers/ws_broken.py``: the probe behind a
middleware with one defect. Each defect's rule fires; the correct twin and the real servers
stay silent except for their hand-checked, real violations (see ``REAL``).
"""

from __future__ import annotations

import dataclasses
import shutil
import tempfile
import time
from pathlib import Path

import pytest

from fixtures.servers.ws_broken import DEFECTS
from speccheck._run import RunInfo
from speccheck.server._check import LocalSession
from speccheck.server._support import ServerRun, _server_env
from speccheck.server._ws_check import run_websocket
from speccheck.targets import ServerProcess, Target, command_target, free_port, get_target

pytestmark = pytest.mark.servers

HOST = "127.0.0.1"
FIXTURE = (
    "{python} -m uvicorn fixtures.servers.ws_broken:%s --host {host} --port {port} --lifespan on "
    "--log-level critical --no-access-log --loop asyncio"
)


def run_ws(target: Target, *, examples: int = 4, seed: int = 0, select: list[str] | None = None) -> set[str]:
    """The WebSocket phase alone against ``target``: the codes found (S5xx, T, and the
    server-side findings of the lint around the probe unless ``select`` narrows them)."""
    probe_dir = tempfile.mkdtemp(prefix="speccheck-ws-test-")
    info = RunInfo(command="server", target=target.name)
    session = LocalSession(info, examples=examples, seed=seed, select=select)
    port = free_port(HOST)
    argv = target.argv(HOST, port)
    try:
        with ServerProcess(argv, host=HOST, port=port, env=_server_env(probe_dir), stop_timeout=2.0) as proc:
            assert proc.start(), proc.output()
            run_websocket(session, ServerRun(target, exchange_timeout=2.0), proc, probe_dir)
    finally:
        shutil.rmtree(probe_dir, ignore_errors=True)
    assert "S520" in session.collector.checked  # the phase ran and observed the app
    return {v.code for v in session.collector.violations()}


def fixture(defect: str) -> Target:
    return command_target(FIXTURE % defect, "asgi")


def preset(name: str, *extra: str) -> Target:
    target = get_target(name)
    if not target.installed:
        pytest.skip(f"{name} not installed")
    return dataclasses.replace(target, template=(*target.template, *extra))


@pytest.mark.parametrize("seed", [0, 1])
def test_correct_twin_is_silent(seed: int) -> None:
    assert run_ws(fixture("none"), examples=12, seed=seed, select=["S5", "T"]) == set()


WS_DEFECTS = [(d, code) for d, code in DEFECTS.items() if code.startswith(("S51", "S52", "S53", "T"))]


@pytest.mark.parametrize(("defect", "code"), WS_DEFECTS, ids=[d for d, _ in WS_DEFECTS])
def test_defect_fires_its_rule(defect: str, code: str) -> None:
    assert code in run_ws(fixture(defect), select=["S5", "T"])


# Real servers: (required, allowed beyond required), each checked by hand against the spec.
# - hypercorn 0.18 hands the app code 1006 for every clean client close ("code -- The WebSocket
#   close code, as per the WebSocket spec"; "If no code was received in the frame from the
#   client, the server should set this to 1005"): S524, S525.
# - daphne 4.2 drops empty messages (`if message.get("bytes")`; S521), gives code None for a
#   close frame without code (S525); with generated traffic also: "//x" as path '', a path
#   cut at ';' (S510/S511), duplicate headers merged and '_' names dropped, values stripped
#   of leading 0xA0 (S514).
# - granian 2.8 claims spec_version 2.3 but ignores websocket.accept headers (2.1+): S529; its
#   websocket scope has the client and server ports as str (A211, A212: "[host, port]", int).
# From the lint around the probe: A704 (advice) uvicorn sends a disconnect reason while claiming
# spec 2.4 (reason came in 2.5); A409 (advice) uvicorn's wsproto backend leaves the
# sec-websocket-protocol header out of scope['headers']; A407 daphne's disconnect code None.
UVICORN_LINT = {"A704"}
REAL: dict[str, tuple[tuple[str, ...], set[str], set[str]]] = {
    "uvicorn": ((), set(), UVICORN_LINT),
    "uvicorn-wsproto": (("--ws", "wsproto"), set(), UVICORN_LINT | {"A409"}),
    "uvicorn-sansio": (("--ws", "websockets-sansio"), set(), UVICORN_LINT),
    "uvicorn-httptools": ((), set(), UVICORN_LINT),
    "gunicorn-uvicorn": ((), set(), UVICORN_LINT),
    "hypercorn": ((), {"S524", "S525"}, set()),
    "daphne": ((), {"S521", "S525", "A407"}, {"S510", "S511", "S514", "S526"}),
    "granian": ((), {"S529", "A211", "A212"}, set()),
}


@pytest.mark.parametrize("name", list(REAL))
def test_real_server(name: str) -> None:
    extra, required, allowed = REAL[name]
    found = run_ws(preset(name.replace("-wsproto", "").replace("-sansio", ""), *extra), examples=8)
    assert required <= found, f"missing {required - found}"
    assert found <= required | allowed, f"unexpected {found - required - allowed}"


def test_server_without_websocket_is_not_applicable() -> None:
    """uvicorn --ws none hands the upgrade request to the app as plain HTTP: no finding, and no
    WebSocket rule is marked checked (lifespan-style "not applicable", not a failure)."""
    target = preset("uvicorn", "--ws", "none")
    probe_dir = tempfile.mkdtemp(prefix="speccheck-ws-test-")
    session = LocalSession(RunInfo(command="server", target=target.name), examples=4)
    port = free_port(HOST)
    try:
        with ServerProcess(target.argv(HOST, port), host=HOST, port=port, env=_server_env(probe_dir)) as proc:
            assert proc.start(), proc.output()
            run_websocket(session, ServerRun(target), proc, probe_dir)
    finally:
        shutil.rmtree(probe_dir, ignore_errors=True)
    assert session.collector.violations() == []
    assert not {c for c in session.collector.checked if c.startswith("S5")}


@pytest.mark.parametrize(
    ("mode", "waited_for"),
    [
        ("silent", "an echoed message"),
        ("no-handshake", "the handshake answer"),
        ("no-close", "the server's close frame"),
    ],
)
def test_silent_server_is_a_bounded_hang(mode: str, waited_for: str) -> None:
    """A server that accepts the handshake and then goes silent, never answers the handshake,
    or never answers a close frame (and ignores SIGTERM): T003 for what was awaited, the phase
    gives up after two timed-out sessions, and the process is gone afterwards."""
    silent = Path(__file__).resolve().parents[2] / "fixtures" / "servers" / "ws_silent.py"
    target = command_target(f"{{python}} {silent} --port {{port}} --ignore-term --mode {mode}", "asgi")
    probe_dir = tempfile.mkdtemp(prefix="speccheck-ws-test-")
    session = LocalSession(RunInfo(command="server", target=target.name), examples=4)
    port = free_port(HOST)
    began = time.monotonic()
    try:
        with ServerProcess(target.argv(HOST, port), host=HOST, port=port, stop_timeout=1.0) as proc:
            assert proc.start(), proc.output()
            run_websocket(session, ServerRun(target, exchange_timeout=1.0), proc, probe_dir)
    finally:
        shutil.rmtree(probe_dir, ignore_errors=True)
    found = session.collector.violations()
    assert {v.code for v in found} == {"T003"}
    assert any(waited_for in v.message for v in found), [v.message for v in found]
    assert not proc.alive()
    assert time.monotonic() - began < 8


def test_server_ignoring_pings() -> None:
    """An echo server that never answers a ping (and runs no probe): S532 and nothing else."""
    nopong = Path(__file__).resolve().parents[2] / "fixtures" / "servers" / "ws_nopong.py"
    target = command_target(f"{{python}} {nopong} --port {{port}}", "asgi")
    probe_dir = tempfile.mkdtemp(prefix="speccheck-ws-test-")
    session = LocalSession(RunInfo(command="server", target=target.name), examples=6, seed=3)
    port = free_port(HOST)
    try:
        with ServerProcess(target.argv(HOST, port), host=HOST, port=port, stop_timeout=1.0) as proc:
            assert proc.start(), proc.output()
            run_websocket(session, ServerRun(target), proc, probe_dir)
    finally:
        shutil.rmtree(probe_dir, ignore_errors=True)
    assert {v.code for v in session.collector.violations()} == {"S532"}
