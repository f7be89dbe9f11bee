"""Server rules for connection-level cases (prefix ``S31x``): Expect: 100-continue and pipelining."""

from __future__ import annotations

from speccheck._rules import Rule

__all__ = ["RULES"]

RULES: tuple[Rule, ...] = ()
