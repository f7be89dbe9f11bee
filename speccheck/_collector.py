"""The collector: where every violation of a run (or of one lint middleware) ends up.

Safe across threads and asyncio tasks (one lock, never held across an ``await``),
de-duplicated by rule and signature, and bounded: the same finding seen a million
times is one record with ``count == 1_000_000``; a rule that produces endless
distinct signatures keeps the first ``max_per_rule`` and folds the rest into one
overflow record per rule.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable

from speccheck._rules import Level, Side
from speccheck._violations import Violation

__all__ = ["Collector"]

OVERFLOW = "(further distinct findings of this rule folded together)"


class Collector:
    def __init__(self, *, max_per_rule: int = 50) -> None:
        if max_per_rule < 1:
            raise ValueError(f"max_per_rule must be >= 1, got {max_per_rule!r}")
        self.max_per_rule = max_per_rule
        self._lock = threading.Lock()
        self._records: dict[tuple[str, str], Violation] = {}
        self._per_rule: dict[str, int] = {}
        self._checked: set[str] = set()

    def add(self, violation: Violation) -> Violation:
        """Record ``violation``; return the stored record (new or the one counted up)."""
        key = violation.key
        with self._lock:
            record = self._records.get(key)
            if record is not None:
                record.count += violation.count
                return record
            code = violation.rule.code
            seen = self._per_rule.get(code, 0)
            if seen >= self.max_per_rule:
                key = (code, OVERFLOW)
                record = self._records.get(key)
                if record is not None:
                    record.count += violation.count
                    return record
                violation = violation.copy()
                violation.signature = OVERFLOW
                violation.message = f"{violation.message} {OVERFLOW}"
            else:
                self._per_rule[code] = seen + 1
            self._records[key] = violation
            return violation

    def extend(self, violations: Iterable[Violation]) -> None:
        for violation in violations:
            self.add(violation)

    def mark_checked(self, codes: Iterable[str]) -> None:
        """Note rules that were exercised, so reports can list passes as well as failures."""
        with self._lock:
            self._checked.update(codes)

    @property
    def checked(self) -> frozenset[str]:
        with self._lock:
            return frozenset(self._checked)

    def violations(self) -> list[Violation]:
        """A snapshot, most serious first, then by code."""
        with self._lock:
            records = list(self._records.values())
        return sorted(records, key=lambda v: (-v.rule.level.rank, v.rule.code, v.signature or v.message))

    def __len__(self) -> int:
        with self._lock:
            return len(self._records)

    def __bool__(self) -> bool:
        return True

    def total(self) -> int:
        with self._lock:
            return sum(v.count for v in self._records.values())

    def clear(self) -> None:
        with self._lock:
            self._records.clear()
            self._per_rule.clear()

    def count_by(self) -> dict[str, int]:
        """Distinct findings per level and per side, for summaries."""
        counts = {level.value: 0 for level in Level} | {side.value: 0 for side in Side}
        for violation in self.violations():
            counts[violation.level] += 1
            counts[violation.side] += 1
        return counts
