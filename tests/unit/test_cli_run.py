"""A run command end to end through the console script: reports, exit codes, one-line
errors, and [tool.speccheck] — with small apps written for each test."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

CORRECT = """
def app(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", "2")])
    return [b"ok"]
"""
# Declares 10 bytes, sends 2: H103 (must).
BROKEN = """
def app(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", "10")])
    return [b"ok"]
"""


def run(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    exe = shutil.which("speccheck", path=str(Path(sys.executable).parent))
    argv = [exe] if exe else [sys.executable, "-m", "speccheck"]
    env = dict(os.environ, PYTHONPATH=str(tmp_path))
    return subprocess.run(
        [*argv, *args], cwd=tmp_path, capture_output=True, text=True, timeout=120, check=False, env=env
    )


def write(tmp_path: Path, name: str, source: str) -> None:
    (tmp_path / f"{name}.py").write_text(textwrap.dedent(source), encoding="utf-8")


QUICK = ("--examples", "20", "--max-time", "20", "--quiet")


def test_clean_app_exits_0_and_writes_the_default_json(tmp_path: Path) -> None:
    write(tmp_path, "good", CORRECT)
    proc = run(tmp_path, "app", "good:app", *QUICK)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    report = json.loads((tmp_path / "reports" / "speccheck.json").read_text())
    assert report["violations"] == []
    assert report["summary"]["status"] == "complete"


def test_violation_exits_1_and_every_report_format_is_written(tmp_path: Path) -> None:
    write(tmp_path, "bad", BROKEN)
    formats = {"json": "r.json", "junit": "r.xml", "sarif": "r.sarif", "html": "r.html", "markdown": "r.md"}
    reports = [f"--report={fmt}:out/{name}" for fmt, name in formats.items()]
    proc = run(tmp_path, "app", "bad:app", *QUICK, *reports)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    for name in formats.values():
        assert (tmp_path / "out" / name).stat().st_size > 0
    report = json.loads((tmp_path / "out" / "r.json").read_text())
    codes = {v["code"] for v in report["violations"]}
    assert "H103" in codes
    (h103,) = [v for v in report["violations"] if v["code"] == "H103"]
    assert h103["location"]["file"].endswith("bad.py")  # the app's own line, not speccheck's


def test_ignore_and_fail_on(tmp_path: Path) -> None:
    write(tmp_path, "bad", BROKEN)
    assert run(tmp_path, "app", "bad:app", *QUICK, "--ignore", "H103").returncode == 0
    assert run(tmp_path, "app", "bad:app", *QUICK, "--select", "W").returncode == 0


def test_config_file_is_read_and_the_command_line_wins(tmp_path: Path) -> None:
    write(tmp_path, "bad", BROKEN)
    (tmp_path / "pyproject.toml").write_text('[tool.speccheck]\nignore = ["H103"]\n', encoding="utf-8")
    assert run(tmp_path, "app", "bad:app", *QUICK).returncode == 0
    assert run(tmp_path, "app", "bad:app", *QUICK, "--ignore", "T").returncode == 1


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (("app", "good:app", "--select", "Q9"), "unknown rule code, prefix or name 'Q9'"),
        (("app", "good:app", "--fail-on", "sometimes"), "--fail-on must be one of"),
        (("app", "good:app", "--report", "pdf"), "pdf"),
        (("app", "good:app", "--report", "json:/proc/nope/x.json"), "/proc/nope/x.json"),
        (("app", "good:app", "--examples", "many"), "--examples takes a whole number"),
        (("app", "nosuchmodule:app"), "nosuchmodule"),
        (("server", "--target", "nope"), "unknown target 'nope'"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(tmp_path: Path, args: tuple[str, ...], needle: str) -> None:
    write(tmp_path, "good", CORRECT)
    proc = run(tmp_path, *args)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    last = proc.stderr.strip().splitlines()[-1]
    assert last.startswith("speccheck: error:")
    assert needle in last


def test_bad_config_is_exit_2(tmp_path: Path) -> None:
    write(tmp_path, "good", CORRECT)
    (tmp_path / "pyproject.toml").write_text("[tool.speccheck]\nfail_onn = 'x'\n", encoding="utf-8")
    proc = run(tmp_path, "app", "good:app", *QUICK)
    assert proc.returncode == 2
    assert "unknown option 'fail_onn'" in proc.stderr
