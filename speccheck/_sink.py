"""Where a lint middleware sends what it finds: the policy of one lint instance.

Every mode collects (so ``lint.violations`` is always complete); ``"warn"`` also
emits a `SpecWarning` and logs the first sighting of each finding; ``"raise"``
raises `AppSpecViolation` / `ServerSpecViolation` at the faulty call.
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Iterable
from typing import Literal, get_args

from speccheck._catalogue import all_rules
from speccheck._collector import Collector
from speccheck._errors import AppSpecViolation, ServerSpecViolation, SpecWarning, UsageError
from speccheck._rules import Rule, Side
from speccheck._selection import resolve_selection
from speccheck._violations import Exchange, Location, Violation

__all__ = ["Mode", "Sink"]

Mode = Literal["warn", "raise", "collect"]
_MODES: tuple[str, ...] = get_args(Mode)
logger = logging.getLogger("speccheck")


class Sink:
    __slots__ = ("collector", "enabled", "mode")

    def __init__(
        self,
        mode: Mode = "warn",
        select: str | Iterable[str] | None = None,
        ignore: str | Iterable[str] | None = None,
        collector: Collector | None = None,
        rules: Iterable[Rule] | None = None,
    ) -> None:
        if mode not in _MODES:
            raise UsageError(f"mode must be one of {', '.join(map(repr, _MODES))}, got {mode!r}")
        self.mode = mode
        self.enabled = resolve_selection(all_rules() if rules is None else rules, select, ignore)
        self.collector = collector if collector is not None else Collector()

    def on(self, code: str) -> bool:
        return code in self.enabled

    def report(
        self,
        rule: Rule,
        message: str,
        *,
        observed: str = "",
        expected: str = "",
        exchange: Exchange | None = None,
        location: Location | None = None,
        signature: str = "",
    ) -> Violation | None:
        """Record a broken rule; return the stored record, or None if the rule is off."""
        if rule.code not in self.enabled:
            return None
        violation = Violation(rule, message, observed, expected, exchange, location, signature)
        record = self.collector.add(violation)
        if self.mode == "raise":
            cls = AppSpecViolation if rule.side is Side.APP else ServerSpecViolation
            raise cls(violation)
        if self.mode == "warn" and record is violation:
            warnings.warn(violation.one_line(), SpecWarning, stacklevel=3)
            logger.warning("%s", violation.one_line())
        return record
