"""The lifespan phase (S601-S604): its own server starts with the probe storing state, failing
startup or raising. Real servers stay silent; each broken fixture fires its rule."""

from __future__ import annotations

import shutil
import tempfile

import pytest

from speccheck._run import RunInfo
from speccheck.server._check import LocalSession
from speccheck.server._lifespan_check import run_lifespan
from speccheck.server._support import ServerRun
from speccheck.targets import Target, command_target, get_target

pytestmark = pytest.mark.servers

FIXTURE = (
    "{python} -m uvicorn fixtures.servers.ws_broken:%s --host {host} --port {port} --lifespan on "
    "--log-level warning --no-access-log --loop asyncio"
)
LIFESPAN = {"S502", "S601", "S602", "S603", "S604"}


def run_ls(target: Target) -> tuple[set[str], set[str]]:
    """(codes found, codes checked) of the lifespan phase alone."""
    probe_dir = tempfile.mkdtemp(prefix="speccheck-ls-test-")
    session = LocalSession(RunInfo(command="server", target=target.name))
    try:
        run_lifespan(session, ServerRun(target), probe_dir)
    finally:
        shutil.rmtree(probe_dir, ignore_errors=True)
    return {v.code for v in session.collector.violations()}, set(session.collector.checked) & LIFESPAN


def test_correct_twin_is_silent() -> None:
    assert run_ls(command_target(FIXTURE % "none", "asgi")) == (set(), LIFESPAN)


@pytest.mark.parametrize(
    ("defect", "codes"),
    [
        ("no_state", {"S604"}),
        ("ignore_failed", {"S601", "S602"}),
        ("raise_exits", {"S603"}),
        ("no_shutdown_wait", {"S502"}),  # on SIGINT
    ],
)
def test_defect_fires_its_rule(defect: str, codes: set[str]) -> None:
    assert run_ls(command_target(FIXTURE % defect, "asgi"))[0] == codes


# Every ASGI preset that sends lifespan events passes all five; daphne sends none (lifespan is
# optional), so only S603 (it still serves an app that raises for lifespan) applies to it.
@pytest.mark.parametrize(
    ("name", "checked"),
    [
        ("uvicorn", LIFESPAN),
        ("uvicorn-httptools", LIFESPAN),
        ("hypercorn", LIFESPAN),
        ("gunicorn-uvicorn", LIFESPAN),
        ("granian", LIFESPAN),
        ("daphne", {"S603"}),
    ],
)
def test_real_server(name: str, checked: set[str]) -> None:
    target = get_target(name)
    if not target.installed:
        pytest.skip(f"{name} not installed")
    assert run_ls(target) == (set(), checked)
