"""The JUnit XML report: one test case per rule, failures carry the findings, counts add up."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from junitparser import Error, Failure, JUnitXml

from speccheck import RunResult, Violation, get_rule
from speccheck.report import render
from tests.report.report_samples import CHECKED, IMG_PATH, SCRIPT, clean_result, hostile_result, raw_controls


def _suite(result: RunResult) -> ET.Element:
    root = ET.fromstring(render("junit", result).encode("utf-8"))
    assert root.tag == "testsuites"
    (suite,) = root.findall("testsuite")
    return suite


def test_one_testcase_per_rule_checked() -> None:
    suite = _suite(hostile_result())
    cases = suite.findall("testcase")
    assert [c.get("name") for c in cases] == [f"{code} {get_rule(code).name}" for code in sorted(CHECKED)]
    assert suite.get("tests") == str(len(CHECKED))
    assert suite.get("failures") == "4"
    assert suite.get("errors") == "0"
    assert suite.get("skipped") == "0"
    classes = {c.get("name"): c.get("classname") for c in cases}
    assert classes["H107 header-value-chars"] == "speccheck.app.http"
    assert classes["T002 target-crashed"] == "speccheck.server.target"
    failed = {c.get("name") for c in cases if c.find("failure") is not None}
    assert failed == {
        "H101 no-content-for-status",
        "H107 header-value-chars",
        "T002 target-crashed",
        "T003 target-hung",
    }


def test_failure_carries_the_findings() -> None:
    suite = _suite(hostile_result())
    case = next(c for c in suite.findall("testcase") if c.get("name") == "H107 header-value-chars")
    failure = case.find("failure")
    assert failure is not None
    assert failure.get("type") == "must"
    assert (failure.get("message") or "").startswith("H107 header-value-chars [must]: header value of X-Evil")
    text = failure.text or ""
    assert "https://www.rfc-editor.org/rfc/rfc9110.html#section-5.5" in text
    assert "observed: 'a\\r\\nSet-Cookie" in text
    assert f"exchange: asgi GET /{IMG_PATH} (8 byte body) HTTP/1.1" in text  # parsed back: the text as it was
    assert f"X-Evil: {SCRIPT}" in text
    assert "at: app.py:12 in app" in text
    assert "seen 3 times" in text
    assert raw_controls(text) == set()


def test_violation_of_a_rule_not_in_checked_still_fails() -> None:
    result = clean_result()
    result.violations.append(Violation(get_rule("H108"), "Connection header from the app"))
    suite = _suite(result)
    assert suite.get("tests") == str(len(CHECKED) + 1)
    assert suite.get("failures") == "1"


def test_clean_run_has_only_passes() -> None:
    suite = _suite(clean_result())
    assert suite.get("failures") == "0"
    assert all(c.find("failure") is None for c in suite.findall("testcase"))


@pytest.mark.parametrize("status", ["interrupted", "error"])
def test_unfinished_run_is_an_error_case(status: str) -> None:
    suite = _suite(hostile_result(status=status))
    assert suite.get("errors") == "1"
    assert suite.get("tests") == str(len(CHECKED) + 1)
    error = suite.find("testcase/error")
    assert error is not None
    assert error.get("type") == status
    assert (error.get("message") or "").startswith("stopped: a\\x0d\\x0aSet-Cookie")
    assert "Segmentation fault" in (error.text or "")


def test_junitparser_reads_it() -> None:
    xml = JUnitXml.fromstring(render("junit", hostile_result(status="error")))
    (suite,) = list(xml)
    assert (suite.tests, suite.failures, suite.errors, suite.skipped) == (len(CHECKED) + 1, 4, 1, 0)
    outcomes: dict[str, str] = {}
    for case in suite:
        kinds = {type(r).__name__ for r in case.result}
        outcomes[case.name] = "failure" if Failure.__name__ in kinds else "error" if Error.__name__ in kinds else "pass"
    assert sum(1 for o in outcomes.values() if o == "pass") == len(CHECKED) - 4
    assert outcomes["H101 no-content-for-status"] == "failure"
    assert outcomes["run error"] == "error"
