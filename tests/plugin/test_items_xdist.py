"""Conformance items (``--speccheck-target``) and runs under pytest-xdist, through pytester."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import pytest

from tests.plugin.samples import FLASK_APP, FLASK_TESTS

TIMEOUT = 180


@pytest.mark.servers
def test_target_items_junit_and_k(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_own="def test_own():\n    pass\n")
    args = ["--speccheck-target=wsgiref", "--speccheck-examples=30", "--junitxml=junit.xml", "-v"]
    result = pytester.runpytest_subprocess(*args, "-k", "target or framing", timeout=TIMEOUT)
    # The suite's own test is kept apart by -k, like any other test.
    result.stdout.fnmatch_lines(["*speccheck::wsgiref::target PASSED*", "*speccheck::wsgiref::framing FAILED*"])
    result.assert_outcomes(passed=1, failed=1, deselected=4)
    # wsgiref.simple_server hands requests without Host (or with two) to the app: RFC 9112 says reject.
    result.stdout.fnmatch_lines(["speccheck server wsgiref: * violation(s) of * framing rule(s) checked", "  S40*"])
    cases = {c.get("name"): c for c in ET.parse(pytester.path / "junit.xml").getroot().iter("testcase")}
    assert set(cases) == {"target", "framing"}
    assert cases["framing"].get("classname") == "speccheck.wsgiref"
    assert cases["framing"].find("failure") is not None
    props = [json.loads(p.get("value", "")) for p in cases["framing"].iter("property")]
    assert props and all(p["code"].startswith(("S3", "S4")) for p in props)


def test_collect_only_lists_one_item_per_group(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest("--speccheck-target=uvicorn", "--collect-only", "-q")
    result.stdout.fnmatch_lines(
        [
            "speccheck::uvicorn::target",
            "speccheck::uvicorn::request",
            "speccheck::uvicorn::response",
            "speccheck::uvicorn::framing",
            "speccheck::uvicorn::interface",
        ]
    )


def test_unknown_target_is_a_usage_error(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest("--speccheck-target=nonesuch")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*unknown target 'nonesuch'*"])


@pytest.mark.servers
@pytest.mark.frameworks
def test_xdist_zero_change_and_items_merge_one_report(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(flaskproj=FLASK_APP, test_flask=FLASK_TESTS)
    args = [
        "-n",
        "2",
        "--dist",
        "loadgroup",
        "--speccheck-lint=flaskproj:app",
        "--speccheck-target=uvicorn",
        "--speccheck-examples=20",
        "--speccheck-report=sarif:out/run.sarif",
        "--speccheck-report=json:out/run.json",
        "-k",
        # uvicorn's `request` group has true findings (e.g. S116 on an HTTP/3.0 request line),
        # so the item that must pass is `target`: the server starts and stays up.
        "flask or target",
    ]
    result = pytester.runpytest_subprocess(*args, timeout=TIMEOUT)
    result.stdout.fnmatch_lines(["*FAILED test_flask.py::test_bad*"])
    outcomes = result.parseoutcomes()
    assert outcomes.get("failed") == 1, outcomes
    assert outcomes.get("passed") == 2, outcomes
    result.stdout.fnmatch_lines(["report written: out/run.sarif", "report written: out/run.json"])
    sarif = json.loads((pytester.path / "out/run.sarif").read_text())
    rule_ids = {r["ruleId"] for r in sarif["runs"][0]["results"]}
    assert "W520" in rule_ids  # found in a worker, written by the controller
    report = json.loads((pytester.path / "out/run.json").read_text())
    tests = {v["extra"]["test"] for v in report["violations"]}
    assert "test_flask.py::test_bad" in tests


def test_app_target_items(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        target_apps="""
def broken(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", "10")])
    return [b"hi"]
""",
        conftest="""
from hypothesis import settings

settings.register_profile("tiny", max_examples=5)
""",
    )
    args = ["--speccheck-target=target_apps:broken", "--hypothesis-profile=tiny", "--speccheck-max-time=5", "-v"]
    result = pytester.runpytest_subprocess(*args, timeout=TIMEOUT)
    result.stdout.fnmatch_lines(
        [
            "*speccheck::target_apps:broken::target PASSED*",
            "*speccheck::target_apps:broken::delivery PASSED*",
            "*speccheck::target_apps:broken::interface FAILED*",
        ]
    )
    result.stdout.fnmatch_lines(["speccheck app target_apps:broken: 1 violation(s) of * interface rule(s) checked"])


def test_xdist_bad_lint_target_fails_cleanly(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_x="def test_x():\n    pass\n")
    # A module that cannot be found: a usage error from the controller, before any worker runs.
    result = pytester.runpytest_subprocess("-n", "2", "--speccheck-lint=no_such_module:app", timeout=TIMEOUT)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*cannot import 'no_such_module': no such module*"])
    # A missing attribute shows up in the workers: each test errors with the message (no worker crash loop).
    result = pytester.runpytest_subprocess("-n", "2", "--speccheck-lint=test_x:missing", timeout=TIMEOUT)
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*speccheck: --speccheck-lint test_x:missing: *has no attribute 'missing'*"])
    assert "crashed" not in result.stdout.str()
