"""The JUnit XML report: one ``<testcase>`` per rule checked, so CI dashboards list
every rule as a passing or failing test.

Layout as pytest writes it (``<testsuites><testsuite><testcase>``): the classname is
``speccheck.<side>.<pack>``, the name ``CODE name``; a broken rule has one
``<failure>`` whose text lists every finding. A run that could not finish adds an
``<error>`` test case. XML 1.0 cannot carry most control characters even escaped,
so every value goes through `visible` before ElementTree escapes ``<>&"``.
"""

from __future__ import annotations

import socket
import xml.etree.ElementTree as ET

from speccheck._rules import Rule
from speccheck._run import RunResult
from speccheck._violations import Violation
from speccheck.report._text import exchange_line, pack_of, rules_in, summary_line, visible

__all__ = ["render_junit"]


def _details(v: Violation) -> str:
    lines = [f"- {v.message}"]
    if v.observed or v.expected:
        lines.append(f"  observed: {v.observed or '-'}")
        lines.append(f"  expected: {v.expected or '-'}")
    if v.exchange is not None:
        lines.append(f"  exchange: {exchange_line(v.exchange)}")
        repro = v.exchange.replay or v.exchange.curl()
        if repro:
            lines.append(f"  replay: {repro}")
    if v.location is not None:
        lines.append(f"  at: {v.location}" + (f" in {v.location.function}" if v.location.function else ""))
    if v.count > 1:
        lines.append(f"  seen {v.count} times")
    return "\n".join(visible(line) for line in lines)


def _testcase(suite: ET.Element, rule: Rule, violations: list[Violation]) -> None:
    case = ET.SubElement(
        suite,
        "testcase",
        classname=f"speccheck.{rule.side.value}.{pack_of(rule)}",
        name=f"{rule.code} {rule.name}",
        time="0",
    )
    if not violations:
        return
    occurrences = sum(v.count for v in violations)
    first = violations[0].message if len(violations) == 1 else f"{len(violations)} distinct findings"
    failure = ET.SubElement(
        case,
        "failure",
        message=visible(f"{rule.code} {rule.name} [{rule.level.value}]: {first}"),
        type=rule.level.value,
    )
    header = f"{rule.summary}\nspec: {rule.spec.title} {rule.url}\n{occurrences} occurrence(s):\n"
    failure.text = header + "\n".join(_details(v) for v in violations)


def render_junit(result: RunResult) -> str:
    info = result.info
    by_code: dict[str, list[Violation]] = {}
    for v in result.violations:
        by_code.setdefault(v.code, []).append(v)
    rules = rules_in(result)
    failed = sum(1 for r in rules if r.code in by_code)
    errors = 0 if info.status == "complete" else 1

    root = ET.Element("testsuites")
    suite = ET.SubElement(
        root,
        "testsuite",
        name=visible(f"speccheck {info.command} {info.target}"),
        tests=str(len(rules) + errors),
        failures=str(failed),
        errors=str(errors),
        skipped="0",
        time=f"{info.duration:.3f}",
        timestamp=info.started.isoformat(timespec="seconds"),
        hostname=visible(socket.gethostname()),
    )
    properties = ET.SubElement(suite, "properties")
    for name, value in (
        ("target", info.target),
        ("target_version", info.target_version),
        ("interface", info.interface),
        ("seed", "" if info.seed is None else str(info.seed)),
        ("exchanges", str(info.exchanges)),
        ("status", info.status),
        ("speccheck_version", info.speccheck_version),
        ("python_version", info.python_version),
    ):
        ET.SubElement(properties, "property", name=name, value=visible(value))
    for rule in rules:
        _testcase(suite, rule, by_code.get(rule.code, []))
    if errors:
        case = ET.SubElement(suite, "testcase", classname="speccheck.run", name=f"run {info.status}", time="0")
        error = ET.SubElement(case, "error", message=visible(info.error or info.status), type=info.status)
        error.text = visible(info.target_output[-4000:], keep_newlines=True) if info.target_output else None
    out = ET.SubElement(suite, "system-out")
    out.text = visible(summary_line(result))
    ET.indent(root)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
