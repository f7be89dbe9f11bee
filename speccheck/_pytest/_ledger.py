"""Attributing findings to the test that caused them.

A lint middleware keeps every finding in its collector, de-duplicated by rule and
signature with a count. A `Watch` remembers how far it has read one lint (the count of
each finding at the last look) so the findings a test caused are exactly what is new
or counted up since its previous look. Lints made by the ``wsgi_lint`` fixture are
watched by their test alone; lints wrapped around an app for the whole session
(``--speccheck-lint``) are watched by every test in turn.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Protocol

from speccheck._collector import Collector
from speccheck._pytest._policy import Policy
from speccheck._violations import Violation

__all__ = ["Finding", "Ledger", "Linted", "Watch", "split"]


class Linted(Protocol):
    """What the plugin needs from a lint middleware (WSGILint, ASGILint)."""

    @property
    def violations(self) -> list[Violation]: ...


@dataclass(frozen=True)
class Finding:
    violation: Violation
    policy: Policy
    label: str  # which lint saw it ("wsgi_lint(app)", "--speccheck-lint=proj.wsgi:app")
    count: int  # how many times during this test

    @property
    def fails(self) -> bool:
        return self.policy.fails(self.violation)


class Watch:
    """One lint and how much of it has been read."""

    def __init__(self, lint: Linted, label: str, collector: Collector | None = None) -> None:
        self.lint = lint
        self.label = label
        self.collector = collector  # the lint's own, when the watch may empty it
        self._seen: dict[tuple[str, str], int] = {}
        self._lock = threading.Lock()
        self.skip()

    def skip(self) -> None:
        """Forget what is there now: it belongs to nobody (or to an earlier test). A
        session lint's collector is emptied instead, so the next test's findings are
        recorded afresh, with that test's own request and source line."""
        with self._lock:
            if self.collector is not None:
                self.collector.clear()
                self._seen = {}
            else:
                self._seen = {v.key: v.count for v in self.lint.violations}

    def new(self) -> list[tuple[Violation, int]]:
        """Findings new or counted up since the last look, with how many more times."""
        with self._lock:
            out: list[tuple[Violation, int]] = []
            for v in self.lint.violations:
                before = self._seen.get(v.key, 0)
                if v.count > before:
                    out.append((v, v.count - before))
                    self._seen[v.key] = v.count
            return out


@dataclass
class Ledger:
    """The watches one test reads after its call and after its teardown."""

    watches: list[tuple[Watch, Policy]] = field(default_factory=list)
    reported: list[Finding] = field(default_factory=list)

    def add(self, watch: Watch, policy: Policy) -> None:
        self.watches.append((watch, policy))

    def take(self) -> list[Finding]:
        found: list[Finding] = []
        for watch, policy in self.watches:
            for violation, count in watch.new():
                if policy.in_force(violation):
                    found.append(Finding(violation, policy, watch.label, count))
        self.reported.extend(found)
        return found


def split(findings: Iterable[Finding]) -> tuple[list[Finding], list[Finding]]:
    """(failing, below the fail-on level)."""
    failing: list[Finding] = []
    other: list[Finding] = []
    for finding in findings:
        (failing if finding.fails else other).append(finding)
    return failing, other
