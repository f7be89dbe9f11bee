"""The HTML report is one self-contained page where traffic renders as text, never as markup."""

from __future__ import annotations

import pytest

from speccheck import Exchange, Violation, get_rule
from speccheck.report import render
from tests.report.report_samples import (
    CONTROLS,
    IMG_PATH,
    MARKUP,
    SCRIPT,
    Page,
    clean_result,
    hostile_result,
    raw_controls,
)


@pytest.fixture(scope="module")
def page() -> Page:
    return Page(render("html", hostile_result()))


def test_hostile_values_render_as_text(page: Page) -> None:
    assert SCRIPT in page.text  # the header value, and the target name
    assert IMG_PATH in page.text  # the request path
    assert MARKUP in page.text
    assert "\\x0d\\x0aSet-Cookie: x=1\\x00" in page.text
    assert "\\x1b[31mred\\x1b[0m" in page.text


def test_no_active_content(page: Page) -> None:
    allowed = {
        "html", "head", "meta", "title", "style", "body", "header", "h1", "h2", "p", "ul", "li", "span", "table",
        "tr", "th", "td", "main", "section", "details", "summary", "code", "div", "dl", "dt", "dd", "pre", "a",
    }  # fmt: skip
    assert page.tags() <= allowed
    assert not page.tags() & {"script", "img", "iframe", "object", "embed", "link", "base", "form", "svg"}
    for tag, attrs in page.elements:
        for name, value in attrs:
            assert not name.startswith("on"), (tag, name, value)
            assert name not in ("src", "srcset", "action", "formaction"), (tag, name)
            if name == "href":
                assert value is not None and value.startswith(("https://", "#")), value


def test_self_contained(page: Page) -> None:
    html = render("html", hostile_result())
    assert html.startswith("<!DOCTYPE html>")
    csp = [
        dict(attrs)
        for tag, attrs in page.elements
        if tag == "meta" and ("http-equiv", "Content-Security-Policy") in attrs
    ]
    assert csp and "default-src 'none'" in (csp[0]["content"] or "")
    assert "url(" not in html and "@import" not in html
    assert html.count("<style>") == 1


def test_no_raw_control_characters() -> None:
    html = render("html", hostile_result(status="error"))
    assert raw_controls(html) == set()
    assert CONTROLS not in html


def test_structure(page: Page) -> None:
    text = page.text
    server, app = text.index("Server side: 2 rule(s) broken"), text.index("App side: 2 rule(s) broken")
    assert server < text.index("T002") < text.index("T003") < app < text.index("H101") < text.index("H107")
    assert "exit 1: 4 finding(s) at or above must" in text
    assert "Rules passed (6)" in text
    assert "app.py:12 in app" in text
    assert "curl -i --path-as-is" in text
    assert "speccheck replay 1a2b" in text
    assert "Segmentation fault" in text  # target output of a crashed target
    links = [dict(attrs).get("href") for tag, attrs in page.elements if tag == "a"]
    assert "https://www.rfc-editor.org/rfc/rfc9110.html#section-5.5" in links


def test_clean_run() -> None:
    page = Page(render("html", clean_result()))
    assert "No findings." in page.text
    assert "exit 0: clean" in page.text


def test_attribute_context_is_escaped() -> None:
    """A value that would break out of an attribute stays inside it or in text."""
    result = clean_result()
    evil = "x\" onmouseover='alert(1)' a=\"<svg onload=alert(2)>"
    result.violations.append(
        Violation(
            get_rule("H106"),
            evil,
            observed=evil,
            exchange=Exchange(method="GET", target="/" + evil, headers=((evil, evil),)),
        )
    )
    page = Page(render("html", result))
    assert "svg" not in page.tags()
    assert all(not name.startswith("on") for _, attrs in page.elements for name, _ in attrs)
    assert page.text.count(evil) >= 4
