"""`speccheck app` and `speccheck replay` as users run them: real subprocesses."""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def speccheck(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.run(
        [sys.executable, "-m", "speccheck", *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=120
    )


def test_app_finds_reports_and_replays(tmp_path: Path) -> None:
    report = tmp_path / "out.json"
    run = speccheck(
        "app", "fixtures.apps.asgi_first_message:app", "--report", f"json:{report}", "--quiet", "--examples", "100"
    )
    assert run.returncode == 1, run.stderr
    data = json.loads(report.read_text())
    assert data["summary"]["interface"] == "asgi" and data["summary"]["exchanges"] > 0
    [violation] = data["violations"]
    assert violation["code"] == "D001"
    assert violation["extra"]["plan"]["target"] == "/" and len(violation["extra"]["plan"]["body"]) <= 2

    again = speccheck("replay", str(report), "--finding", "0")
    assert again.returncode == 1, again.stdout + again.stderr
    assert "D001 (split) reproduced" in again.stdout

    by_code = speccheck("replay", str(report), "--finding", "D001:split")
    assert by_code.returncode == 1

    # the printed replay line works as it is
    line = shlex.split(violation["exchange"]["replay"])
    assert line[:2] == ["speccheck", "replay"]
    inline = speccheck(*line[1:])
    assert inline.returncode == 1, inline.stdout + inline.stderr

    # the same payload against the correct twin does not reproduce: exit 0
    payload = json.dumps(violation["extra"]["replay"])
    twin = speccheck("replay", "fixtures.apps.asgi_correct:app", "--plan", payload)
    assert twin.returncode == 0, twin.stdout + twin.stderr
    assert "did not reproduce" in twin.stdout


def test_app_by_file_path_and_clean_exit(tmp_path: Path) -> None:
    run = speccheck("app", "fixtures/apps/wsgi_correct.py:app", "--report", f"json:{tmp_path / 'r.json'}", "--quiet")
    assert run.returncode == 0, run.stdout + run.stderr
    data = json.loads((tmp_path / "r.json").read_text())
    assert data["summary"]["interface"] == "wsgi" and data["violations"] == []
    assert "D002" in data["rules_passed"]


@pytest.mark.parametrize(
    ("target", "message"),
    [
        ("no_such_module_here:app", "cannot import module 'no_such_module_here': not found"),
        ("fixtures.apps.bad.not_an_app:app", "is not a WSGI or ASGI application"),
        ("fixtures.apps.wsgi_correct:nothing", "has no attribute 'nothing'"),
    ],
)
def test_app_refuses_with_one_line(target: str, message: str) -> None:
    run = speccheck("app", target, "--quiet")
    assert run.returncode == 2
    assert run.stderr.strip().count("\n") == 0 and message in run.stderr, run.stderr


def test_import_error_shows_the_apps_traceback() -> None:
    run = speccheck("app", "fixtures.apps.bad.raises_on_import:app", "--quiet")
    assert run.returncode == 2
    lines = run.stderr.strip().splitlines()
    assert lines[0].startswith("Traceback") and "raises_on_import.py" in run.stderr
    assert lines[-1].startswith(
        "speccheck: error: importing 'fixtures.apps.bad.raises_on_import' failed: AttributeError"
    )


def test_replay_usage_errors(tmp_path: Path) -> None:
    assert speccheck("replay", "fixtures.apps.wsgi_correct:app").returncode == 2
    assert speccheck("replay", "fixtures.apps.wsgi_correct:app", "--plan", "{not json").returncode == 2
    empty = tmp_path / "empty.json"
    empty.write_text('{"violations": []}')
    run = speccheck("replay", str(empty))
    assert run.returncode == 2 and "no replayable finding" in run.stderr


def test_lifespan_startup_failure_is_exit_2(tmp_path: Path) -> None:
    run = speccheck("app", "fixtures.apps.bad.lifespan_fails:app", "--quiet", "--report", "json:-")
    assert run.returncode == 2
    assert "the app did not start: lifespan.startup.failed: database unreachable" in run.stderr
    # the same refusal sent to a lifespan 1.0 server (no spec_version), which has no *.failed events
    assert '"A705"' in run.stdout
    report = f"json:{tmp_path / 'r.json'}"
    skipped = speccheck(
        "app", "fixtures.apps.bad.lifespan_fails:app", "--quiet", "--no-lifespan", "--examples", "5", "--report", report
    )
    assert skipped.returncode == 1  # without lifespan it runs, and every request raises (T005)
