"""Choosing rules by code, prefix or name: ``--select`` / ``--ignore``."""

from __future__ import annotations

from collections.abc import Iterable

from speccheck._errors import UsageError
from speccheck._rules import Rule

__all__ = ["resolve_selection", "split_codes"]


def split_codes(value: str | Iterable[str] | None) -> list[str]:
    """Accept ``"W1,H"``, ``["W1", "H"]`` or None."""
    if value is None:
        return []
    items = [value] if isinstance(value, str) else list(value)
    out: list[str] = []
    for item in items:
        if not isinstance(item, str):
            raise UsageError(f"rule selectors must be strings, got {item!r} ({type(item).__name__})")
        out.extend(part.strip() for part in item.split(",") if part.strip())
    return out


def _matches(token: str, rule: Rule) -> bool:
    if token == "ALL":
        return True
    return rule.code.startswith(token.upper()) or rule.name == token.lower()


def resolve_selection(
    rules: Iterable[Rule],
    select: str | Iterable[str] | None = None,
    ignore: str | Iterable[str] | None = None,
) -> frozenset[str]:
    """The codes enabled. Without ``select``, every rule that is on by default; with
    it, exactly the rules it names (opt-in rules included). ``ignore`` wins over both.
    An unknown code, prefix or name is a `UsageError`."""
    rules = list(rules)
    chosen = split_codes(select)
    dropped = split_codes(ignore)
    for token in chosen + dropped:
        if not any(_matches(token, rule) for rule in rules):
            raise UsageError(f"unknown rule code, prefix or name {token!r} (see `speccheck rules`)")
    if chosen:
        enabled = {r.code for r in rules if any(_matches(t, r) for t in chosen)}
    else:
        enabled = {r.code for r in rules if r.default}
    return frozenset(r.code for r in rules if r.code in enabled and not any(_matches(t, r) for t in dropped))
