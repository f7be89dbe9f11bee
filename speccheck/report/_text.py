"""Text helpers shared by every report format.

Every value that came from traffic (a header, a path, a message quoting either) is
hostile: it may hold control characters, CR/LF, markup or lone surrogates. Each
format escapes with its own rules; all of them first pass values through `visible`
so control characters show as ``\\xNN`` instead of acting on the reader's terminal,
XML parser or browser.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from speccheck._rules import Level, Rule, Side
from speccheck._run import RunResult
from speccheck._violations import Exchange, Violation

__all__ = [
    "LEVEL_ORDER",
    "SIDE_ORDER",
    "exchange_line",
    "exit_meaning",
    "group_violations",
    "pack_of",
    "rules_in",
    "summary_line",
    "visible",
]

# C0 and C1 controls, DEL, lone surrogates (from surrogateescape decoding, unencodable
# as UTF-8), the XML non-characters U+FFFE/U+FFFF, and the bidi overrides and isolates
# that reorder what a reader sees ("Trojan Source").
_INVISIBLE = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff\u200e\u200f\u202a-\u202e\u2066-\u2069]")

SIDE_ORDER: tuple[Side, ...] = (Side.SERVER, Side.APP)
LEVEL_ORDER: tuple[Level, ...] = (Level.MUST, Level.SHOULD, Level.ADVICE)


def _escape_char(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def visible(value: object, *, keep_newlines: bool = False) -> str:
    """``value`` as text with every control character shown as ``\\xNN``.

    >>> visible("a\\r\\nb\\x00")
    'a\\\\x0d\\\\x0ab\\\\x00'
    """
    text = value if isinstance(value, str) else str(value)
    if keep_newlines:
        return "\n".join(_INVISIBLE.sub(_escape_char, line) for line in text.split("\n"))
    return _INVISIBLE.sub(_escape_char, text)


def exchange_line(ex: Exchange) -> str:
    """``asgi GET /path (3 byte body) HTTP/1.1``: how an exchange is named in reports (not escaped)."""
    version = f" HTTP/{ex.http_version}" if ex.scope_type == "http" and ex.method and ex.http_version else ""
    return f"{ex.interface} {ex.summary()}{version}".strip()


def pack_of(rule: Rule) -> str:
    """The spec pack a rule belongs to, for grouping (JUnit classnames, headings)."""
    title = rule.spec.name
    if title == "PEP3333":
        return "wsgi"
    if title.startswith("ASGI"):
        return "asgi"
    if title == "RFC6455":
        return "websocket"
    if title.startswith("RFC"):
        return "http"
    return "target"


def _rule_order(rule: Rule) -> tuple[int, str]:
    return (-rule.level.rank, rule.code)


def group_violations(violations: Iterable[Violation]) -> list[tuple[Side, list[tuple[Rule, list[Violation]]]]]:
    """Violations grouped by side (server first), then by rule (MUST first, then by code)."""
    by_side: dict[Side, dict[str, tuple[Rule, list[Violation]]]] = {side: {} for side in SIDE_ORDER}
    for v in violations:
        entry = by_side[v.rule.side].setdefault(v.rule.code, (v.rule, []))
        entry[1].append(v)
    grouped: list[tuple[Side, list[tuple[Rule, list[Violation]]]]] = []
    for side in SIDE_ORDER:
        rules = sorted(by_side[side].values(), key=lambda entry: _rule_order(entry[0]))
        if rules:
            grouped.append((side, rules))
    return grouped


def rules_in(result: RunResult) -> list[Rule]:
    """The rules checked plus any violated rule missing from ``checked``, sorted by code."""
    rules = {r.code: r for r in result.checked}
    for v in result.violations:
        rules.setdefault(v.code, v.rule)
    return sorted(rules.values(), key=lambda r: r.code)


def exit_meaning(result: RunResult, fail_on: Level = Level.MUST) -> tuple[int, str]:
    """The exit status this result leads to, and what it means, for summaries."""
    info = result.info
    if info.status == "error":
        return 2, "could not run" + (f": {info.error}" if info.error else "")
    if info.status == "interrupted":
        return 2, "interrupted, partial results" + (f" ({info.error})" if info.error else "")
    failing = [v for v in result.violations if v.rule.level.rank >= fail_on.rank]
    if failing:
        return 1, f"{len(failing)} finding(s) at or above {fail_on.value}"
    if result.violations:
        return 0, f"clean at --fail-on {fail_on.value} (findings below the threshold only)"
    return 0, "clean"


def summary_line(result: RunResult, fail_on: Level = Level.MUST) -> str:
    """One line: target, exchanges, duration, counts per level, exit status meaning."""
    info = result.info
    counts = result.counts()
    target = info.target + (f" {info.target_version}" if info.target_version else "")
    levels = ", ".join(f"{counts[level.value]} {level.value}" for level in LEVEL_ORDER)
    code, meaning = exit_meaning(result, fail_on)
    return (
        f"speccheck {info.command} {target}: {info.exchanges} exchanges in {info.duration:.1f}s; "
        f"{counts['total']} finding(s) ({levels}); {counts['rules_checked']} rules checked, "
        f"{counts['rules_passed']} passed; exit {code}: {meaning}"
    )
