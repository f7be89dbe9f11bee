"""Exit codes: 0 clean, 1 violations at or above the threshold, 2 could not run."""

from __future__ import annotations

from collections.abc import Iterable

from speccheck._errors import UsageError
from speccheck._rules import Level
from speccheck._violations import Violation

__all__ = ["EXIT_CLEAN", "EXIT_USAGE", "EXIT_VIOLATIONS", "exit_code", "parse_fail_on"]

EXIT_CLEAN = 0
EXIT_VIOLATIONS = 1
EXIT_USAGE = 2

FAIL_ON_CHOICES = ("must", "should", "any")


def parse_fail_on(value: str) -> Level:
    """``must`` / ``should`` / ``any`` (= advice and above)."""
    text = value.strip().lower()
    if text == "any":
        return Level.ADVICE
    if text in ("must", "should"):
        return Level(text)
    raise UsageError(f"--fail-on must be one of must, should, any; got {value!r}")


def exit_code(violations: Iterable[Violation], fail_on: Level = Level.MUST) -> int:
    threshold = fail_on.rank
    if any(v.rule.level.rank >= threshold for v in violations):
        return EXIT_VIOLATIONS
    return EXIT_CLEAN
