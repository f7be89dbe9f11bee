"""The Markdown report: rendered by a CommonMark + GFM-tables parser (markdown-it-py, which rich
depends on) with raw HTML allowed, hostile values stay text and the table keeps its shape."""

from __future__ import annotations

import re

import pytest
from markdown_it import MarkdownIt

from speccheck import Exchange, Violation, get_rule
from speccheck.report import render
from speccheck.report._markdown import fence, md
from tests.report.report_samples import (
    IMG_PATH,
    MARKUP,
    SCRIPT,
    Page,
    clean_result,
    hostile_result,
    many_result,
    raw_controls,
)

_PARSER = MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"])


def _page(text: str) -> Page:
    return Page(_PARSER.render(text))


@pytest.fixture(scope="module")
def markdown() -> str:
    return render("markdown", hostile_result())


def test_renders_to_inert_html(markdown: str) -> None:
    page = _page(markdown)
    assert page.tags() <= {
        "h2",
        "p",
        "strong",
        "table",
        "thead",
        "tbody",
        "tr",
        "th",
        "td",
        "a",
        "details",
        "summary",
        "ul",
        "li",
        "pre",
        "code",
    }
    for tag, attrs in page.elements:
        for name, value in attrs:
            assert not name.startswith("on"), (tag, name)
            if name == "href":
                assert value is not None and value.startswith("https://"), value
    assert SCRIPT in page.text
    assert IMG_PATH in page.text
    assert MARKUP in page.text
    assert "[l](javascript:x)" in page.text  # shown, not a link
    assert "`tick` *star* _u_" in page.text  # no code span, emphasis or strikethrough
    assert raw_controls(markdown) == set()


def test_table_keeps_seven_columns(markdown: str) -> None:
    page = _page(markdown)
    html = _PARSER.render(markdown)
    rows = re.findall(r"<tr>(.*?)</tr>", html, flags=re.S)
    assert len(rows) == 1 + 4
    for row in rows:
        assert len(re.findall(r"<t[hd]>", row)) == 7, row
    assert "header value of X-Evil carries CR/LF" in page.text


def test_findings_and_details(markdown: str) -> None:
    lines = markdown.splitlines()
    assert lines[0] == "## :x: speccheck server: uvicorn &lt;script&gt;alert(1)&lt;/script&gt;"
    assert "**MUST** 4, **SHOULD** 0, **ADVICE** 0, **passed** 6 of 10 rules" in lines
    rows = [line for line in lines if line.startswith("| MUST |")]
    assert [row.split("|")[2].strip()[:5] for row in rows] == ["[T002", "[T003", "[H101", "[H107"]
    assert "| app.py:12 | 3 |" in rows[-1]
    assert "<details><summary>Details</summary>" in lines
    page = _page(markdown)
    assert "speccheck replay 1a2b" in page.text
    assert "curl -i --path-as-is -X GET -H 'X-Evil: <script>alert(1)</script>'" in page.text  # in a code block


def test_clean_run() -> None:
    text = render("markdown", clean_result())
    assert text.startswith("## :white_check_mark: speccheck app: myapp:app")
    assert "No findings." in text
    assert "|" not in text.replace("| ", "")  # no table


def test_md_escapes() -> None:
    assert md("a|b") == "a\\|b"
    assert md("`x`") == "\\`x\\`"
    assert md("<b>&") == "&lt;b&gt;&amp;"
    assert md("a\nb") == "a\\\\x0ab"  # shown as \x0a, backslash escaped


def test_fence_cannot_be_closed_from_inside() -> None:
    value = "a ```` b"
    block = fence(value)
    assert block.startswith("`````\n") and block.endswith("\n`````")
    html = _PARSER.render(block + "\n\n<script>after</script>")
    assert "<pre><code>a ```` b\n</code></pre>" in html


def test_replay_with_backticks_stays_in_its_block() -> None:
    result = clean_result()
    evil = "```\n<img src=x onerror=alert(1)>\n```"
    result.violations.append(
        Violation(
            get_rule("H106"), "bad name", exchange=Exchange(method="GET", target="/", replay="speccheck replay " + evil)
        )
    )
    page = _page(render("markdown", result))
    assert "img" not in page.tags()
    assert "<img src=x onerror=alert(1)>" in page.text


def test_fits_a_pull_request_comment() -> None:
    text = render("markdown", many_result(500))
    assert len(text) <= 65_536
    assert "more finding(s) in the full report." in text
    page = _page(text)
    assert "img" not in page.tags() and "script" not in page.tags()
    assert text.rstrip().endswith("</details>")
