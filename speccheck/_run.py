"""One run's result: what was run, against what, for how long, and what was found.
Every report format renders a `RunResult`; nothing else."""

from __future__ import annotations

import platform
from dataclasses import dataclass, field
from datetime import datetime, timezone

from speccheck._rules import Level, Rule, Side
from speccheck._version import __version__
from speccheck._violations import Violation

__all__ = ["RunInfo", "RunResult"]

STATUSES = ("complete", "interrupted", "error")


def _now() -> datetime:
    return datetime.now(timezone.utc)


@dataclass(slots=True)
class RunInfo:
    command: str  # "app" | "server" | "lint" | ...
    target: str  # "uvicorn", "myproject.wsgi:application", ...
    target_version: str = ""
    interface: str = ""  # "wsgi" | "asgi"
    seed: int | None = None
    started: datetime = field(default_factory=_now)
    duration: float = 0.0
    exchanges: int = 0
    status: str = "complete"
    error: str = ""
    argv: tuple[str, ...] = ()
    target_output: str = ""  # the tail of what the server printed, for crashes
    speccheck_version: str = __version__
    python_version: str = field(default_factory=platform.python_version)

    def to_dict(self) -> dict[str, object]:
        return {
            "command": self.command,
            "target": self.target,
            "interface": self.interface,
            "versions": {
                "speccheck": self.speccheck_version,
                "python": self.python_version,
                "target": self.target_version,
            },
            "seed": self.seed,
            "started": self.started.isoformat(timespec="seconds"),
            "duration": round(self.duration, 3),
            "exchanges": self.exchanges,
            "status": self.status,
            "error": self.error,
            "argv": list(self.argv),
        }


@dataclass(slots=True)
class RunResult:
    info: RunInfo
    violations: list[Violation]
    checked: list[Rule]  # rules that were in force and exercised; passes = checked minus violated

    @property
    def violated_codes(self) -> frozenset[str]:
        return frozenset(v.code for v in self.violations)

    def passed(self) -> list[Rule]:
        bad = self.violated_codes
        return [r for r in self.checked if r.code not in bad]

    def counts(self) -> dict[str, int]:
        counts = {"total": len(self.violations), "occurrences": sum(v.count for v in self.violations)}
        counts |= {level.value: 0 for level in Level} | {side.value: 0 for side in Side}
        for v in self.violations:
            counts[v.level] += 1
            counts[v.side] += 1
        counts["rules_checked"] = len(self.checked)
        counts["rules_passed"] = len(self.passed())
        return counts
