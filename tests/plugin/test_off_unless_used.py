"""The plugin is registered for every pytest run in an environment where speccheck is
installed: it must change nothing for a suite that does not use it, and import nothing
heavy until it is used."""

from __future__ import annotations

import subprocess
import sys

import pytest

HEAVY = ("wsgi_checks", "asgi_checks", "hypothesis", "rich", "speccheck.report", "speccheck.server", "speccheck.app")


def test_importing_the_plugin_imports_no_pack_and_no_hypothesis() -> None:
    code = (
        "import sys, speccheck.pytest_plugin; "
        f"print(sorted(m for m in sys.modules if m.split('.')[0] in {HEAVY!r} or m in {HEAVY!r}))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    assert out.stdout.strip() == "[]"


def test_an_unrelated_suite_runs_unchanged(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_plain="""
import sys

import pytest


def test_passes():
    assert True


def test_fails():
    assert 1 == 2


@pytest.mark.skip(reason="skipped")
def test_skipped():
    pass


def test_no_pack_was_imported():
    assert "wsgi_checks" not in sys.modules and "asgi_checks" not in sys.modules
"""
    )
    result = pytester.runpytest_subprocess(timeout=120)
    result.assert_outcomes(passed=2, failed=1, skipped=1)
    assert "speccheck" not in result.stdout.str().replace("plugins:", "").split("collected", 1)[1]
    plain = pytester.runpytest_subprocess("-p", "no:speccheck", timeout=120)
    plain.assert_outcomes(passed=2, failed=1, skipped=1)
