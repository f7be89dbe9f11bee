"""Rule definitions of this spec pack (filled in by the lint work)."""

from __future__ import annotations

from speccheck._rules import Rule

__all__ = ["RULES"]

RULES: tuple[Rule, ...] = ()
