"""`speccheck server` and `speccheck targets` from the command line: exit codes, one-line
usage errors, reports, and no process left behind after Ctrl-C."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from speccheck.cli import main
from speccheck.targets import PRESETS, Target

pytestmark = pytest.mark.servers

ROOT = Path(__file__).resolve().parents[2]


def test_unknown_target_is_one_line_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["server", "--target", "nosuchserver"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "unknown target 'nosuchserver'" in err


def test_missing_package_names_the_extra(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    ghost = Target("ghost", "asgi", ("{python}", "-m", "ghost"), ("speccheck_no_such_module",), "", "ghost")
    monkeypatch.setitem(PRESETS, "ghost", ghost)
    assert main(["server", "--target", "ghost"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "pip install 'speccheck[ghost]'" in err


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["server"], "name a server"),
        (["server", "--command", "x {port}"], "--command needs --interface"),
        (["server", "--command", "x", "--interface", "wsgi"], "{port}"),
        (["server", "--target", "uvicorn", "--interface", "asgi"], "--interface only applies"),
    ],
)
def test_usage_errors(argv: list[str], message: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert message in err
    assert err.count("\n") == 1


def test_targets_lists_every_preset(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["targets"]) == 0
    out = capsys.readouterr().out
    for name, target in PRESETS.items():
        line = next(line for line in out.splitlines() if line.split()[0] == name)
        assert target.interface in line
        assert ("not installed" in line) != target.installed


def test_uvicorn_end_to_end_writes_report(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    report = tmp_path / "run.json"
    code = main(
        [
            "server",
            "--target",
            "uvicorn",
            "--examples",
            "200",
            "--quiet",
            "--select",
            "S,T",
            "--report",
            f"json:{report}",
        ]
    )
    data = json.loads(report.read_text())
    codes = {v["code"] for v in data["violations"]}
    assert codes == {"S301", "S116"}  # RFC 9112 6.1 and ASGI http_version, see test_real_servers
    assert code == 1
    assert data["summary"]["exchanges"] == 200
    assert data["summary"]["versions"]["target"]  # uvicorn's version


def test_fail_on_and_ignore_give_exit_0(tmp_path: Path) -> None:
    code = main(
        [
            "server",
            "--target",
            "uvicorn",
            "--examples",
            "100",
            "--quiet",
            "--select",
            "S,T",
            "--ignore",
            "S301,S116",
            "--report",
            f"json:{tmp_path / 'r.json'}",
        ]
    )
    assert code == 0


def _probe_children(parent: int) -> list[int]:
    """Processes running a probe app whose parent is ``parent``."""
    out = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            cmdline = Path(f"/proc/{entry}/cmdline").read_bytes()
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        if b"_probe:app" in cmdline and ppid == parent:
            out.append(int(entry))
    return out


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="needs /proc")
@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_interrupt_mid_run_leaves_no_process(tmp_path: Path, signum: int) -> None:
    report = tmp_path / "partial.json"
    started = time.monotonic()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "speccheck",
            "server",
            "--target",
            "uvicorn",
            "--examples",
            "10000000",
            "--max-time",
            "60",
            "--quiet",
            "--report",
            f"json:{report}",
        ],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        children: list[int] = []
        while time.monotonic() < deadline and not children:
            time.sleep(0.2)
            children = _probe_children(proc.pid)
        assert children, "the server never started"
        time.sleep(3.0)  # mid-run (the first exchanges wait for the generator)
        proc.send_signal(signum)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=10)
    assert proc.returncode == 2
    assert time.monotonic() - started < 20
    for pid in children:
        assert not Path(f"/proc/{pid}").exists() or "Z" in Path(f"/proc/{pid}/stat").read_text().split()[2]
    data = json.loads(report.read_text())
    assert data["summary"]["status"] == "interrupted"
    assert data["summary"]["exchanges"] > 0


def test_several_targets_write_one_report_each_and_the_matrix(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    code = main(
        ["server", "--target", "uvicorn", "--target", "wsgiref", "--examples", "60", "--quiet", "--select", "S,T"]
    )
    assert code == 1
    reports = tmp_path / "reports"
    assert {p.name for p in reports.iterdir()} >= {
        "speccheck-uvicorn.json",
        "speccheck-wsgiref.json",
        "matrix.md",
        "matrix.html",
    }
    matrix = (reports / "matrix.md").read_text()
    assert "uvicorn" in matrix
    assert "wsgiref" in matrix
    s301 = next(line for line in matrix.splitlines() if "S301" in line)
    assert "fail" in s301  # uvicorn keeps the connection after CL+TE (RFC 9112 6.1)


@pytest.mark.parametrize("interface", ["wsgi", "asgi"])
def test_command_template_against_a_correct_server_exits_0(
    interface: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    raw = ROOT / "fixtures" / "servers" / "rawserver.py"
    command = f"{{python}} {raw} --port {{port}} --interface {interface} {{app}}"
    report = tmp_path / "r.json"
    code = main(
        [
            "server",
            "--command",
            command,
            "--interface",
            interface,
            "--examples",
            "150",
            "--quiet",
            "--select",
            "S,T",
            "--report",
            f"json:{report}",
        ]
    )
    data = json.loads(report.read_text())
    assert data["violations"] == []
    assert code == 0
    assert data["summary"]["target"] == command
    assert data["summary"]["interface"] == interface
