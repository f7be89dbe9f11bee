"""Runs to render, built from real rules, with hostile strings wherever traffic can put them."""

from __future__ import annotations

from datetime import datetime, timezone
from html.parser import HTMLParser
from pathlib import Path

from speccheck import Exchange, Location, RunInfo, RunResult, Violation, get_rule

SCRIPT = "<script>alert(1)</script>"
IMG_PATH = '"><img src=x onerror=alert(1)>'
CONTROLS = "".join(chr(i) for i in range(0x20)) + "\x7f"
MARKUP = "[bold red]not markup[/bold red] :smile:"
MIXED = "a\r\nSet-Cookie: x=1\x00 <b>&\"' üñí 日本語 \u202egnp.exe | pipe `tick` *star* _u_ [l](javascript:x)"
ANSI = "\x1b[31mred\x1b[0m"

CHECKED = ("H101", "H103", "H105", "H106", "H107", "H109", "T001", "T002", "T003", "T005")


def hostile_result(app_file: Path | str = "app.py", status: str = "complete") -> RunResult:
    """Four findings across both sides, levels and shapes, every string field hostile."""
    exchange = Exchange(
        interface="asgi",
        method="GET",
        target="/" + IMG_PATH,
        headers=(("X-Evil", SCRIPT), ("X-Ctl", CONTROLS), ("X-Mixed", MIXED)),
        body_size=8,
        body_preview=b"\x00\xff<a>&`|\r\n",
        base_url="http://127.0.0.1:8000",
    )
    violations = [
        Violation(
            get_rule("H107"),
            f"header value of X-Evil carries CR/LF: {MIXED}",
            observed=repr(MIXED) + MARKUP,
            expected="no CR, LF, NUL or CTL",
            exchange=exchange,
            location=Location(str(app_file), 12, "app"),
            signature="x-evil",
            count=3,
        ),
        Violation(
            get_rule("H101"),
            f"204 response with 5 body bytes {SCRIPT}",
            observed=CONTROLS,
            expected="",
            exchange=Exchange(interface="asgi", method="DELETE", target="/x", replay="speccheck replay 1a2b"),
        ),
        Violation(get_rule("T002"), f"server exited with code -11 {MIXED}", observed=ANSI, expected=MARKUP),
        Violation(
            get_rule("T003"),
            "no response within 5s",
            exchange=Exchange(interface="asgi", scope_type="websocket", target="/ws?" + SCRIPT),
            count=2,
        ),
    ]
    info = RunInfo(
        command="server",
        target=f"uvicorn {SCRIPT}",
        target_version="0.30.1",
        interface="asgi",
        seed=42,
        started=datetime(2026, 1, 2, 3, 4, 5, tzinfo=timezone.utc),
        duration=1.25,
        exchanges=100,
        status=status,
        error="" if status == "complete" else f"stopped: {MIXED}",
        argv=("speccheck", "server", "--target", "uvicorn"),
        target_output=f"Traceback (most recent call last):\n  {ANSI}\nSegmentation fault {SCRIPT}\n",
    )
    return RunResult(info, violations, [get_rule(c) for c in CHECKED])


def clean_result() -> RunResult:
    info = RunInfo(command="app", target="myapp:app", interface="wsgi", seed=1, duration=0.5, exchanges=10)
    return RunResult(info, [], [get_rule(c) for c in CHECKED])


def raw_controls(text: str) -> set[str]:
    """Control characters other than newline present in ``text`` (there should be none)."""
    return {ch for ch in text if (ord(ch) < 0x20 and ch != "\n") or 0x7F <= ord(ch) <= 0x9F or ch == "\u202e"}


class Page(HTMLParser):
    """Every element with its attributes, and all text as a browser would show it."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, list[tuple[str, str | None]]]] = []
        self.texts: list[str] = []
        self.feed(text)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, attrs))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, attrs))

    def handle_data(self, data: str) -> None:
        self.texts.append(data)

    @property
    def text(self) -> str:
        return "".join(self.texts)

    def tags(self) -> set[str]:
        return {tag for tag, _ in self.elements}


def many_result(n: int) -> RunResult:
    """``n`` distinct findings with long hostile messages, spread over the sample rules."""
    result = hostile_result()
    rules = [get_rule(code) for code in CHECKED]
    for i in range(n):
        exchange = Exchange(interface="wsgi", method="POST", target=f"/{i}?{IMG_PATH}", headers=(("X-N", SCRIPT * 5),))
        result.violations.append(
            Violation(
                rules[i % len(rules)],
                f"finding {i}: {MIXED * 8}",
                observed=CONTROLS,
                exchange=exchange,
                signature=str(i),
            )
        )
    return result
