"""Mounted runs (`--root-path`): the server is told to mount the app at a prefix and every
generated request goes under it. SCRIPT_NAME / root_path must be the prefix (S120); the
path oracles accept both models servers use for ASGI (path with the prefix as received, or
root_path put in front of it). Bad prefixes and servers without a mount option are usage errors."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from speccheck._errors import UsageError
from speccheck.server import check_server
from speccheck.targets import get_target

pytestmark = pytest.mark.servers

RAW = Path(__file__).resolve().parents[2] / "fixtures" / "servers" / "rawserver.py"
PATHS = ["S1", "S120"]


def raw(defect: str, interface: str) -> tuple[set[str], set[str]]:
    command = f"{{python}} {RAW} --port {{port}} --interface {interface} --defect {defect} --root-path {{root}} {{app}}"
    result = check_server(
        "command", command=command, interface=interface, examples=150, select=PATHS, root_path="/mnt/a"
    )
    return {v.code for v in result.violations}, {r.code for r in result.checked}


@pytest.mark.parametrize("interface", ["wsgi", "asgi"])
def test_correct_twin_is_silent_and_judged(interface: str) -> None:
    found, checked = raw("none", interface)
    assert found == set()
    assert "S120" in checked


@pytest.mark.parametrize("interface", ["wsgi", "asgi"])
def test_dropped_prefix_fires_s120(interface: str) -> None:
    assert raw("drop-root-path", interface)[0] == {"S120"}


@pytest.mark.parametrize("name", ["uvicorn", "hypercorn", "gunicorn", "waitress"])
def test_real_servers_mounted(name: str) -> None:
    if not get_target(name).installed:
        pytest.skip(f"{name} is not installed")
    result = check_server(name, examples=200, select=["S120", "S102", "S112", "S113"], root_path="/mnt")
    assert "S120" in {r.code for r in result.checked}
    assert {v.code for v in result.violations} == set(), [v.one_line() for v in result.violations]


def test_unmountable_preset_is_a_usage_error() -> None:
    with pytest.raises(UsageError, match="wsgiref has no option to mount"):
        check_server("wsgiref", examples=5, root_path="/mnt")


@pytest.mark.parametrize("prefix", ["mnt", "/mnt/", "/a b", ""])
def test_bad_prefix_is_exit_2_with_one_line(prefix: str) -> None:
    run = subprocess.run(
        [sys.executable, "-m", "speccheck", "server", "--target", "uvicorn", "--root-path", prefix],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert run.returncode == 2
    assert "--root-path" in run.stderr
