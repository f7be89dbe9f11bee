"""`speccheck rules` through the installed console script, as a user runs it."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import pytest

from speccheck import all_rules

FIELDS = {"code", "name", "level", "side", "spec", "spec_url", "summary", "check", "quote", "bad", "fix", "default"}


def speccheck(*args: str) -> subprocess.CompletedProcess[str]:
    exe = shutil.which("speccheck", path=str(__import__("pathlib").Path(sys.executable).parent))
    argv = [exe] if exe else [sys.executable, "-m", "speccheck"]
    return subprocess.run([*argv, *args], capture_output=True, text=True, timeout=60, check=False)


def test_rules_json_lists_every_rule_with_every_field() -> None:
    proc = speccheck("rules", "--format", "json")
    assert proc.returncode == 0, proc.stderr
    rules = json.loads(proc.stdout)
    assert [r["code"] for r in rules] == [r.code for r in all_rules()]
    for rule in rules:
        assert set(rule) == FIELDS
        assert rule["level"] in ("must", "should", "advice")
        assert rule["side"] in ("server", "app")
        assert rule["spec_url"].startswith("https://")
        assert rule["summary"]


def test_rules_table_and_detail() -> None:
    table = speccheck("rules")
    assert table.returncode == 0
    assert "H101" in table.stdout and "no-content-for-status" in table.stdout
    detail = speccheck("rules", "H103")
    assert detail.returncode == 0
    assert "https://www.rfc-editor.org/rfc/rfc9110.html#section-8.6" in detail.stdout
    assert "Breaks it:" in detail.stdout and "Fix:" in detail.stdout


def test_rules_prefix_filters() -> None:
    proc = speccheck("rules", "T", "--format", "json")
    codes = [r["code"] for r in json.loads(proc.stdout)]
    assert codes and all(c.startswith("T") for c in codes)


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (("rules", "Z123"), "unknown rule code"),
        (("rules", "--format", "yaml"), "invalid choice"),
        (("frobnicate",), "invalid choice"),
        (("rules", "--output", "/nonexistent-dir/x.md", "--format", "markdown"), "cannot write /nonexistent-dir/x.md"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(args: tuple[str, ...], needle: str) -> None:
    proc = speccheck(*args)
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert needle in lines[0]


def test_no_command_prints_help_and_exits_2() -> None:
    proc = speccheck()
    assert proc.returncode == 2
    assert "usage:" in proc.stdout
