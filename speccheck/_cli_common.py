"""What every run command shares: the common options, the config file, the session a
run reports into, and turning the outcome into reports and an exit code."""

from __future__ import annotations

import argparse
import sys
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from speccheck._catalogue import all_rules
from speccheck._collector import Collector
from speccheck._config import load_config
from speccheck._errors import UsageError
from speccheck._events import EventBus, ExchangeChecked, RunFinished, RunStarted, ViolationFound
from speccheck._outcome import EXIT_USAGE, exit_code, parse_fail_on
from speccheck._rules import Level, Rule
from speccheck._run import RunInfo, RunResult
from speccheck._selection import resolve_selection, split_codes
from speccheck._violations import Violation

__all__ = ["Session", "add_common_options", "execute", "option"]

DEFAULT_SEED = 0


def add_common_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("run options")
    group.add_argument(
        "--report",
        action="append",
        metavar="FORMAT[:PATH]",
        help="write a report: terminal, json, junit, sarif, html, markdown (repeatable; "
        "default: terminal and json at reports/speccheck.json)",
    )
    group.add_argument(
        "--fail-on",
        metavar="LEVEL",
        help="exit 1 on violations at or above this level: must (default), should, any",
    )
    group.add_argument("--select", action="append", metavar="CODES", help="only these rules (codes, prefixes, names)")
    group.add_argument("--ignore", action="append", metavar="CODES", help="skip these rules (codes, prefixes, names)")
    group.add_argument("--seed", type=_int_option("--seed"), help="random seed (default 0: runs are reproducible)")
    group.add_argument("--examples", type=_int_option("--examples", minimum=1), help="how many exchanges to check")
    group.add_argument("--max-time", type=_float_option("--max-time"), help="stop after this many seconds")
    group.add_argument("--quiet", action="store_true", default=None, help="no progress output")


def _int_option(name: str, minimum: int = 0) -> Callable[[str], int]:
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{name} takes a whole number, got {text!r}") from None
        if value < minimum:
            raise argparse.ArgumentTypeError(f"{name} must be at least {minimum}, got {value}")
        return value

    return parse


def _float_option(name: str) -> Callable[[str], float]:
    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{name} takes a number of seconds, got {text!r}") from None
        if not value > 0:
            raise argparse.ArgumentTypeError(f"{name} must be positive, got {text!r}")
        return value

    return parse


def option(args: argparse.Namespace, name: str, default: Any = None) -> Any:
    """The value of a long option: the command line, else [tool.speccheck], else ``default``."""
    value = getattr(args, name.replace("-", "_"), None)
    if value is not None:
        return value
    config: dict[str, Any] = getattr(args, "_config", None) or {}
    return config.get(name, default)


@dataclass
class Session:
    """What a running check reports into."""

    info: RunInfo
    enabled: frozenset[str]
    seed: int
    examples: int | None
    max_time: float | None
    fail_on: Level
    collector: Collector = field(default_factory=Collector)
    bus: EventBus = field(default_factory=EventBus)
    started: float = field(default_factory=time.monotonic)

    @property
    def deadline(self) -> float:
        return self.started + self.max_time if self.max_time else float("inf")

    def time_left(self) -> float:
        return self.deadline - time.monotonic()

    def report(self, violation: Violation) -> None:
        if violation.code not in self.enabled:
            return
        record = self.collector.add(violation)
        self.bus.emit(ViolationFound(record, first=record is violation))

    def progress(self, done: int, planned: int | None = None, label: str = "") -> None:
        self.info.exchanges = done
        self.bus.emit(ExchangeChecked(done, planned, label))

    def mark_checked(self, codes: frozenset[str] | set[str] | list[str]) -> None:
        self.collector.mark_checked(c for c in codes if c in self.enabled)

    def result(self) -> RunResult:
        checked = self.collector.checked
        rules: list[Rule] = [r for r in all_rules() if r.code in checked]
        return RunResult(self.info, self.collector.violations(), rules)


def _error(message: str) -> int:
    sys.stderr.write(f"speccheck: error: {message}\n")
    return EXIT_USAGE


def execute(args: argparse.Namespace, info: RunInfo, run: Callable[[Session], None]) -> int:
    """Run ``run(session)`` with reports, Ctrl-C handling and the exit code."""
    from speccheck.report import ReportWriter, TerminalHandler, check_writable, default_reports, parse_report_spec

    try:
        args._config = load_config()
        fail_on = parse_fail_on(str(option(args, "fail-on", "must")))
        enabled = resolve_selection(
            all_rules(), split_codes(option(args, "select")) or None, split_codes(option(args, "ignore"))
        )
        report_texts = option(args, "report") or []
        if isinstance(report_texts, str):
            report_texts = [report_texts]
        specs = [parse_report_spec(text) for text in report_texts] or default_reports()
        check_writable(specs)
        seed = int(option(args, "seed", DEFAULT_SEED))
        examples = option(args, "examples")
        max_time = option(args, "max-time")
    except UsageError as exc:
        return _error(str(exc))

    info.seed = seed
    info.argv = tuple(sys.argv)
    session = Session(
        info=info,
        enabled=enabled,
        seed=seed,
        examples=int(examples) if examples is not None else None,
        max_time=float(max_time) if max_time is not None else None,
        fail_on=fail_on,
    )
    quiet = bool(option(args, "quiet", False))
    session.bus.subscribe(TerminalHandler(specs, quiet=quiet, fail_on=fail_on))
    session.bus.subscribe(ReportWriter(specs, fail_on=fail_on))
    session.bus.emit(RunStarted(info, session.examples))
    code: int | None = None
    try:
        run(session)
    except KeyboardInterrupt:
        info.status = "interrupted"
        info.error = "interrupted (Ctrl-C): the report holds what was checked until then"
    except UsageError as exc:
        info.status = "error"
        info.error = str(exc)
        code = _error(str(exc))
    except Exception as exc:  # our own bug: still write what we have
        info.status = "error"
        info.error = f"internal error: {exc!r}"
        traceback.print_exc()
        code = _error(f"internal error: {exc!r} (a bug of speccheck; the partial report was written)")
    info.duration = time.monotonic() - session.started
    result = session.result()
    try:
        session.bus.emit(RunFinished(result))
    except UsageError as exc:
        return _error(str(exc))
    if code is not None:
        return code
    if info.status == "interrupted":
        return EXIT_USAGE
    return exit_code(result.violations, fail_on)
