"""speccheck_app / speccheck_server fixtures, through pytester."""

from __future__ import annotations

import pytest

TIMEOUT = 180

APPS = """
CALLS = []


def broken(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", "10")])
    return [b"hi"]


def correct(environ, start_response):
    CALLS.append(environ["PATH_INFO"])
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", "2")])
    return [b"hi"]
"""

CONFTEST = """
from hypothesis import settings

settings.register_profile("tiny", max_examples=4)
settings.register_profile("more", max_examples=40)
"""


def test_app_mode_broken_fails_correct_passes(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        runner_apps=APPS,
        conftest=CONFTEST,
        test_run="""
import runner_apps


def test_broken(speccheck_app):
    result = speccheck_app(runner_apps.broken, max_time=5)
    assert "H103" in {v.code for v in result.violations}  # the result is there to inspect


def test_correct(speccheck_app):
    result = speccheck_app("runner_apps:correct", max_time=5)
    assert result.violations == []
    assert result.checked
""",
    )
    result = pytester.runpytest()
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(
        [
            "*_ test_broken _*",
            "speccheck: 1 spec violation (failing on MUST rules):",
            "  H103 content-length-matches-body ?app must?: *",
            "      app: *runner_apps.py:* (in broken)",
            "      replay: speccheck replay runner_apps:broken *",
            "      seen by: speccheck_app(runner_apps:broken)",
        ]
    )


def test_app_mode_follows_the_hypothesis_profile(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        runner_apps=APPS,
        conftest=CONFTEST,
        test_count="""
import runner_apps


def test_count(speccheck_app):
    speccheck_app(runner_apps.correct, max_time=10)
    print("CALLS", len(runner_apps.CALLS))
""",
    )

    def calls(*args: str) -> int:
        result = pytester.runpytest_subprocess("-s", *args, timeout=TIMEOUT)
        result.assert_outcomes(passed=1)
        line = next(line for line in result.stdout.lines if "CALLS" in line)
        return int(line.split("CALLS")[1].split()[0])

    # Each example is delivered at most three ways (baseline + two variants).
    assert 4 <= calls("--hypothesis-profile=tiny") <= 4 * 3
    assert calls("--hypothesis-profile=more") > 4 * 3


@pytest.mark.servers
def test_server_mode_fixture(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_server="""
import pytest


def test_framing(speccheck_server):
    result = speccheck_server("wsgiref", examples=20, select=["S4"])
    assert {r.code[:2] for r in result.checked} == {"S4"}


@pytest.mark.speccheck(fail_on="should")
def test_unknown_option(speccheck_server):
    speccheck_server("wsgiref", exampels=20)
""",
    )
    result = pytester.runpytest_subprocess(timeout=TIMEOUT)
    result.assert_outcomes(failed=2)
    # wsgiref.simple_server hands requests without Host (or with two) to the app: RFC 9112 says reject.
    result.stdout.fnmatch_lines(
        ["*_ test_framing _*", "speccheck: * spec violations (failing on MUST rules):", "  S40* reject-*"]
    )
    result.stdout.fnmatch_lines(["*speccheck_server got unknown option(s) exampels*"])
