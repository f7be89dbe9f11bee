"""``check_server()``: a server run as a library call, without the CLI."""

from __future__ import annotations

import time
from collections.abc import Iterable

from speccheck._catalogue import all_rules
from speccheck._collector import Collector
from speccheck._rules import Rule
from speccheck._run import RunInfo, RunResult
from speccheck._selection import resolve_selection
from speccheck._target_rules import RULES as TARGET_RULES
from speccheck._violations import Violation
from speccheck.server._rules import RULES as SERVER_RULES
from speccheck.server._runner import ServerRun, run_server
from speccheck.targets import Target, command_target, get_target

__all__ = ["LocalSession", "check_server"]


def _catalogue() -> list[Rule]:
    rules = {r.code: r for r in all_rules()}
    for rule in (*SERVER_RULES, *TARGET_RULES):
        rules.setdefault(rule.code, rule)  # until the S rules are registered in the catalogue
    return list(rules.values())


class LocalSession:
    """The smallest thing `run_server` reports into: a collector and a rule selection."""

    def __init__(
        self,
        info: RunInfo,
        *,
        seed: int = 0,
        examples: int | None = None,
        max_time: float | None = None,
        select: str | Iterable[str] | None = None,
        ignore: str | Iterable[str] | None = None,
    ) -> None:
        self.info = info
        self.seed = seed
        self.examples = examples
        self.max_time = max_time
        self.rules = _catalogue()
        self.enabled = resolve_selection(self.rules, select, ignore)
        self.collector = Collector()
        self.started = time.monotonic()
        self.done = 0

    @property
    def deadline(self) -> float:
        return self.started + self.max_time if self.max_time else float("inf")

    def report(self, violation: Violation) -> None:
        if violation.code in self.enabled:
            self.collector.add(violation)

    def progress(self, done: int, planned: int | None = None, label: str = "") -> None:
        self.done = done
        self.info.exchanges = done

    def mark_checked(self, codes: frozenset[str] | set[str] | list[str]) -> None:
        self.collector.mark_checked(c for c in codes if c in self.enabled)

    def result(self) -> RunResult:
        checked = self.collector.checked
        return RunResult(self.info, self.collector.violations(), [r for r in self.rules if r.code in checked])


def check_server(
    target: str | Target,
    *,
    command: str | None = None,
    interface: str | None = None,
    examples: int | None = 300,
    max_time: float | None = None,
    seed: int = 0,
    select: str | Iterable[str] | None = None,
    ignore: str | Iterable[str] | None = None,
    startup_timeout: float = 20.0,
    exchange_timeout: float = 5.0,
    connections: int = 4,
    root_path: str = "",
) -> RunResult:
    """Run the server checks against a preset (``"uvicorn"``), a `Target`, or a
    ``command`` template with ``interface``; return the result (violations, rules checked)."""
    if command is not None:
        chosen = command_target(command, interface or "")
    else:
        chosen = target if isinstance(target, Target) else get_target(target)
    info = RunInfo(
        command="server", target=chosen.name if command is None else command, interface=chosen.interface, seed=seed
    )
    session = LocalSession(info, seed=seed, examples=examples, max_time=max_time, select=select, ignore=ignore)
    run_server(
        session,
        ServerRun(
            chosen,
            startup_timeout=startup_timeout,
            exchange_timeout=exchange_timeout,
            connections=connections,
            root_path=root_path,
        ),
    )
    info.duration = time.monotonic() - session.started
    return session.result()
