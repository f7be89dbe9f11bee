"""The conformance matrix: targets as columns, rules as rows, pass / fail (count) / n/a."""

from __future__ import annotations

import re

import pytest
from markdown_it import MarkdownIt

from speccheck import RunInfo, RunResult, UsageError, Violation, get_rule
from speccheck.report import render_matrix
from speccheck.report._matrix import matrix_cells
from tests.report.report_samples import SCRIPT, Page, clean_result, hostile_result, raw_controls


def _results() -> list[RunResult]:
    hostile = hostile_result()
    clean = clean_result()
    clean.info.target, clean.info.target_version = "waitress", "3.0.2"
    partial = RunResult(
        RunInfo(command="server", target="daphne", target_version="4.1", status="interrupted"),
        [Violation(get_rule("H108"), "Connection from the app", count=7)],
        [get_rule("H101"), get_rule("H108")],
    )
    return [hostile, clean, partial]


def test_cells() -> None:
    rules, cells = matrix_cells(_results())
    rows = {rule.code: [str(c) for c in row] for rule, row in zip(rules, cells, strict=True)}
    assert [r.code for r in rules] == sorted(rows)
    assert rows["H107"] == ["fail (3)", "pass", "n/a"]
    assert rows["T003"] == ["fail (2)", "pass", "n/a"]
    assert rows["H101"] == ["fail (1)", "pass", "pass"]
    assert rows["H108"] == ["n/a", "n/a", "fail (7)"]
    assert rows["H103"] == ["pass", "pass", "n/a"]


def test_markdown() -> None:
    text = render_matrix(_results(), "markdown")
    lines = text.splitlines()
    assert (
        lines[0]
        == "| code | rule | level | uvicorn &lt;script&gt;alert(1)&lt;/script&gt; 0.30.1 | waitress 3.0.2 | daphne 4.1 (interrupted) |"
    )
    html = MarkdownIt("commonmark", {"html": True}).enable("table").render(text)
    rows = re.findall(r"<tr>(.*?)</tr>", html, flags=re.S)
    assert all(len(re.findall(r"<t[hd]>", row)) == 6 for row in rows)
    assert any("H107" in row and "fail</strong> (3)" in row and "n/a" in row for row in rows)
    assert "| | **rules failed** | | 4 | 0 | 1 |" in lines
    page = Page(html)
    assert "script" not in page.tags()
    assert SCRIPT in page.text


def test_html() -> None:
    text = render_matrix(_results(), "html")
    assert raw_controls(text) == set()
    page = Page(text)
    assert not page.tags() & {"script", "img"}
    assert f"uvicorn {SCRIPT} 0.30.1" in page.text
    assert "daphne 4.1 (interrupted)" in page.text
    assert "fail (7)" in page.text
    not_applicable = sum(1 for row in matrix_cells(_results())[1] for c in row if c.state == "n/a")
    assert not_applicable == 1 + 1 + 9  # H108 for the first two; all but H101 and H108 for daphne
    assert page.text.count("n/a") == not_applicable
    assert "4 failed" in page.text and "0 failed" in page.text and "1 failed" in page.text


def test_bad_format() -> None:
    with pytest.raises(UsageError, match="'json'"):
        render_matrix(_results(), "json")
