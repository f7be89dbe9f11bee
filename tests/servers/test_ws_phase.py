"""The WebSocket phase (S510-S531) against real servers and deliberately broken ones.

Broken servers are uvicorn serving ``fixtures/servers/ws_broken.py``: the probe behind a
middleware with one defect. Each defect's rule fires; the correct twin and the real servers
stay silent except for their hand-checked, real violations (see ``REAL``).
"""

from __future__ import annotations

import dataclasses
import shutil
import tempfile

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


def run_ws(target: Target, *, examples: int = 4, seed: int = 0) -> set[str]:
    """The WebSocket phase alone against ``target``: the codes found (S5xx and T)."""
    probe_dir = tempfile.mkdtemp(prefix="speccheck-ws-test-")
    session = LocalSession(RunInfo(command="server", target=target.name), examples=examples, seed=seed)
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
    assert run_ws(fixture("none"), examples=12, seed=seed) == set()


WS_DEFECTS = [(d, code) for d, code in DEFECTS.items() if code.startswith(("S5", "T"))]


@pytest.mark.parametrize(("defect", "code"), WS_DEFECTS, ids=[d for d, _ in WS_DEFECTS])
def test_defect_fires_its_rule(defect: str, code: str) -> None:
    assert code in run_ws(fixture(defect))


# Real servers: (required, allowed beyond required), each checked by hand against the spec.
# - hypercorn 0.18 hands the app code 1006 for every clean client close ("code -- The WebSocket
#   close code, as per the WebSocket spec"; "If no code was received in the frame from the
#   client, the server should set this to 1005"): S524, S525.
# - daphne 4.2 drops empty messages (`if message.get("bytes")`; S521), gives code None for a
#   close frame without code (S525); with generated traffic also: "//x" as path '', a path
#   cut at ';' (S510/S511), duplicate headers merged and '_' names dropped, values stripped
#   of leading 0xA0 (S514).
# - granian 2.8 claims spec_version 2.3 but ignores websocket.accept headers (2.1+): S529.
REAL: dict[str, tuple[tuple[str, ...], set[str], set[str]]] = {
    "uvicorn": ((), set(), set()),
    "uvicorn-wsproto": (("--ws", "wsproto"), set(), set()),
    "uvicorn-sansio": (("--ws", "websockets-sansio"), set(), set()),
    "uvicorn-httptools": ((), set(), set()),
    "gunicorn-uvicorn": ((), set(), set()),
    "hypercorn": ((), {"S524", "S525"}, set()),
    "daphne": ((), {"S521", "S525"}, {"S510", "S511", "S514", "S526"}),
    "granian": ((), {"S529"}, set()),
}


@pytest.mark.parametrize("name", list(REAL))
def test_real_server(name: str) -> None:
    extra, required, allowed = REAL[name]
    found = run_ws(preset(name.replace("-wsproto", "").replace("-sansio", ""), *extra), examples=8)
    assert required <= found, f"missing {required - found}"
    assert found <= required | allowed, f"unexpected {found - required - allowed}"
