"""Turning findings into test outcomes, per test phase.

After the test body (``call``) and after teardown, every lint the test can see is read:
findings at or above the fail-on level fail that phase; findings below it are attached
to the report as a "speccheck" section. Every finding also travels on the report as a
``user_properties`` entry, so JUnit XML shows it and, under pytest-xdist, the
controller receives the findings of every worker and can write one merged report.
"""

from __future__ import annotations

import json

import pytest

from speccheck._pytest._format import describe, failure_text
from speccheck._pytest._ledger import split
from speccheck._pytest._lintfix import ledger_of

__all__ = ["PROPERTY", "after_phase", "violations_in"]

PROPERTY = "speccheck"  # user_properties name: one JSON violation per entry


def after_phase(item: pytest.Item, phase: str, *, failed_already: bool) -> None:
    """Read the lints; fail the phase on findings that fail (unless it failed already)."""
    found = ledger_of(item).take()
    if not found:
        return
    for finding in found:
        data = finding.violation.to_dict()
        data["count"] = finding.count
        data["fails"] = finding.fails
        item.user_properties.append((PROPERTY, json.dumps(data, sort_keys=True, default=str)))
    failing, quiet = split(found)
    if quiet:
        lines = [f"{len(quiet)} finding(s) below the fail-on level (not failing):"]
        for finding in quiet:
            lines.extend("  " + line for line in describe(finding))
        item.add_report_section(phase, "speccheck", "\n".join(lines))
    if not failing:
        return
    text = failure_text(failing, failing[0].policy.fail_on, phase="" if phase == "call" else phase)
    if failed_already:
        item.add_report_section(phase, "speccheck", text)
        return
    pytest.fail(text, pytrace=False)


def violations_in(report: pytest.TestReport) -> list[dict[str, object]]:
    """The findings a test's teardown report carries (all phases; read once per test)."""
    if report.when != "teardown":
        return []
    out: list[dict[str, object]] = []
    for name, value in report.user_properties:
        if name == PROPERTY and isinstance(value, str):
            out.append(json.loads(value))
    return out
