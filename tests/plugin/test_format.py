"""The failure text: one block per finding, every value from traffic made visible."""

from __future__ import annotations

from speccheck import Exchange, Location, Violation, get_rule
from speccheck._pytest._format import describe, failure_text, visible
from speccheck._pytest._ledger import Finding
from speccheck._pytest._policy import Policy
from speccheck._rules import Level


def test_visible_escapes_controls_and_bidi_but_keeps_text() -> None:
    assert visible("a\r\nb\x00c\x1b[31m") == "a\\x0d\\x0ab\\x00c\\x1b[31m"
    assert visible("x\u202ey") == "x\\u202ey"
    assert visible("café ✓") == "café ✓"


def test_a_hostile_finding_renders_on_its_own_lines() -> None:
    violation = Violation(
        get_rule("H107"),
        "header value holds CR/LF: 'a\r\nSet-Cookie: evil'",
        observed="a\r\nSet-Cookie: evil\x1b]0;title\x07",
        expected="no CR, LF or NUL",
        exchange=Exchange(interface="wsgi", method="GET", target="/\r\nx"),
        location=Location("/src/app.py", 12, "view"),
    )
    finding = Finding(violation, Policy(), "wsgi_lint(app)", 3)
    lines = describe(finding)
    text = failure_text([finding], Level.MUST)
    assert not any(ch in text.replace("\n", "") for ch in "\r\x1b\x07\x00")
    assert text.count("\n") == len(lines)  # the header line plus the block, nothing injected
    assert lines[0].startswith("H107 header-value-chars [app must]: ")
    assert lines[0].endswith("(x3)")
    assert "    app: /src/app.py:12 (in view)" in lines
    assert "    request: GET /\\x0d\\x0ax" in lines
    assert lines[-1] == "    seen by: wsgi_lint(app)"
    assert text.startswith("speccheck: 1 spec violation (failing on MUST rules):\n")
