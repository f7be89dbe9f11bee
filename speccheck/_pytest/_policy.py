"""Which findings fail a test: the rules in force, the level that fails, the sides blamed.

Three layers, each overriding the one before: the command line / ini options, the
``@pytest.mark.speccheck(...)`` marker of the test, and the keyword arguments of one
fixture call. ``select`` and ``fail_on`` are replaced by a later layer; ``ignore``
accumulates (a test can only ever ignore more than the session does).
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace

from speccheck._errors import UsageError
from speccheck._outcome import parse_fail_on
from speccheck._rules import Level
from speccheck._selection import split_codes
from speccheck._violations import Violation

__all__ = ["SIDES", "Policy", "parse_sides"]

SIDES = ("app", "server", "any")
_MARKER_KEYS = frozenset({"select", "ignore", "fail_on", "side"})


def parse_sides(value: str) -> frozenset[str]:
    """``app`` / ``server`` / ``any`` (both sides)."""
    text = value.strip().lower()
    if text == "any":
        return frozenset({"app", "server"})
    if text in ("app", "server"):
        return frozenset({text})
    raise UsageError(f"speccheck side must be one of app, server, any; got {value!r}")


@dataclass(frozen=True)
class Policy:
    select: tuple[str, ...] | None = None
    ignore: tuple[str, ...] = ()
    fail_on: Level = Level.MUST
    sides: frozenset[str] = frozenset({"app", "server"})

    def layered(
        self,
        *,
        select: str | Iterable[str] | None = None,
        ignore: str | Iterable[str] | None = None,
        fail_on: str | None = None,
        side: str | None = None,
    ) -> Policy:
        """This policy with one more layer of settings on top (None = keep)."""
        new = self
        if select is not None:
            new = replace(new, select=tuple(split_codes(select)))
        if ignore is not None:
            new = replace(new, ignore=new.ignore + tuple(split_codes(ignore)))
        if fail_on is not None:
            new = replace(new, fail_on=parse_fail_on(str(fail_on)))
        if side is not None:
            new = replace(new, sides=parse_sides(str(side)))
        if select is not None or ignore is not None:
            new.enabled()  # an unknown code fails here, at the call that named it
        return new

    def with_marker(self, kwargs: Mapping[str, object], where: str) -> Policy:
        unknown = set(kwargs) - _MARKER_KEYS
        if unknown:
            raise UsageError(
                f"@pytest.mark.speccheck on {where} got unknown argument(s) {', '.join(sorted(unknown))}; "
                f"it takes {', '.join(sorted(_MARKER_KEYS))}"
            )
        return self.layered(**{k: v for k, v in kwargs.items()})  # type: ignore[arg-type]

    def enabled(self) -> frozenset[str]:
        return _enabled(self.select, self.ignore)

    def in_force(self, violation: Violation) -> bool:
        """Reported at all (failing or not): the rule is selected and not ignored."""
        return violation.code in self.enabled()

    def fails(self, violation: Violation) -> bool:
        """Fails the test: in force, blamed on a failing side, at or above ``fail_on``."""
        return (
            self.in_force(violation) and violation.side in self.sides and violation.rule.level.rank >= self.fail_on.rank
        )

    def lint_kwargs(self) -> dict[str, object]:
        """select/ignore for a lint middleware, so rules that are off cost nothing."""
        return {"select": list(self.select) if self.select is not None else None, "ignore": list(self.ignore)}


@functools.lru_cache(maxsize=64)
def _enabled(select: tuple[str, ...] | None, ignore: tuple[str, ...]) -> frozenset[str]:
    from speccheck._catalogue import all_rules
    from speccheck._selection import resolve_selection

    return resolve_selection(all_rules(), list(select) if select is not None else None, list(ignore))
