"""The text a failing test shows: one block per finding with the rule, the side to
blame, the message, the spec link, the app's own source line and the request.

Messages quote traffic, so every value is shown with control characters escaped
(a CR/LF in a header value must not rewrite the reader's terminal).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from speccheck._pytest._ledger import Finding
from speccheck._rules import Level

__all__ = ["describe", "failure_text", "visible"]

_INVISIBLE = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff\u202a-\u202e\u2066-\u2069]")


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def visible(value: object) -> str:
    """``value`` on one line, control characters shown as ``\\xNN``."""
    text = value if isinstance(value, str) else str(value)
    return _INVISIBLE.sub(_escape, text)


def describe(finding: Finding) -> list[str]:
    v = finding.violation
    head = f"{v.code} {v.name} [{v.side} {v.level}]: {visible(v.message)}"
    if finding.count > 1:
        head += f" (x{finding.count})"
    lines = [head]
    if v.observed or v.expected:
        lines.append(f"    observed: {visible(v.observed or '-')}; expected: {visible(v.expected or '-')}")
    lines.append(f"    spec: {v.spec_url}")
    if v.location is not None:
        where = f"{v.location.file}:{v.location.line}"
        if v.location.function:
            where += f" (in {v.location.function})"
        lines.append(f"    app: {visible(where)}")
    if v.exchange is not None:
        lines.append(f"    request: {visible(v.exchange.summary())}")
        if v.exchange.replay.startswith("speccheck "):
            lines.append(f"    replay: {visible(v.exchange.replay)}")
    lines.append(f"    seen by: {finding.label}")
    return lines


def failure_text(failing: Sequence[Finding], fail_on: Level, *, phase: str = "") -> str:
    n = len(failing)
    when = f" during {phase}" if phase else ""
    level = {"must": "MUST", "should": "SHOULD or MUST", "advice": "any"}[fail_on.value]
    out = [f"speccheck: {n} spec violation{'s' if n != 1 else ''}{when} (failing on {level} rules):"]
    for finding in failing:
        out.extend("  " + line for line in describe(finding))
    return "\n".join(out)
