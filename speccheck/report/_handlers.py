"""Event handlers that turn the engine's event stream into output.

`TerminalHandler` shows progress on stderr (a rich progress bar on a TTY, a plain
line every few seconds otherwise, nothing when quiet) and prints the stdout
reports at the end; `ReportWriter` writes the file reports on `RunFinished`, which
the engine emits even for a run cut short, so partial reports are consistent.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)
from rich.text import Text

from speccheck._events import Event, ExchangeChecked, RunFinished, RunStarted, ViolationFound
from speccheck._rules import Level
from speccheck.report._spec import ReportSpec
from speccheck.report._terminal import LEVEL_STYLES
from speccheck.report._text import visible
from speccheck.report._write import print_report, write_reports

__all__ = ["ReportWriter", "TerminalHandler"]


def _console(stderr: bool) -> Console:
    return Console(stderr=stderr, highlight=False, emoji=False, markup=False, soft_wrap=True)


class TerminalHandler:
    """Progress on stderr while a run goes, then the stdout reports of ``specs``.

    ``specs`` defaults to the terminal report; only specs without a path (stdout)
    are printed here. ``quiet`` silences the progress and the live findings, not
    the final report. ``interval`` is the time between plain progress lines when
    stderr is not a terminal; ``clock`` can be injected for tests.
    """

    def __init__(
        self,
        specs: list[ReportSpec] | None = None,
        *,
        quiet: bool = False,
        fail_on: Level = Level.MUST,
        console: Console | None = None,
        stderr: Console | None = None,
        interval: float = 5.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.specs = [s for s in (specs if specs is not None else [ReportSpec("terminal")]) if s.path is None]
        self.quiet = quiet
        self.fail_on = fail_on
        self.console = console or _console(stderr=False)
        self.stderr = stderr or _console(stderr=True)
        self.interval = interval
        self.clock = clock
        self._progress: Progress | None = None
        self._task: TaskID | None = None
        self._last_line = float("-inf")
        self._target = ""

    def handle(self, event: Event) -> None:
        if isinstance(event, RunStarted):
            self._started(event)
        elif isinstance(event, ExchangeChecked):
            self._checked(event)
        elif isinstance(event, ViolationFound):
            self._found(event)
        elif isinstance(event, RunFinished):
            self.close()
            for spec in self.specs:
                print_report(event.result, spec.format, self.console, self.fail_on)

    def _started(self, event: RunStarted) -> None:
        self._target = visible(event.info.target)
        if self.quiet:
            return
        if self.stderr.is_terminal:
            self._progress = Progress(
                SpinnerColumn(),
                TextColumn("{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                console=self.stderr,
                transient=True,
            )
            self._task = self._progress.add_task(f"checking {self._target}", total=event.planned)
            self._progress.start()
        else:
            planned = f" ({event.planned} exchanges planned)" if event.planned else ""
            self._line(f"speccheck: checking {self._target}{planned}")
            self._last_line = self.clock()

    def _checked(self, event: ExchangeChecked) -> None:
        if self.quiet:
            return
        if self._progress is not None and self._task is not None:
            label = f"checking {self._target}" + (f": {visible(event.label)[:60]}" if event.label else "")
            self._progress.update(self._task, completed=event.done, total=event.planned, description=label)
            return
        now = self.clock()
        if now - self._last_line >= self.interval:
            self._last_line = now
            of = f"/{event.planned}" if event.planned else ""
            self._line(f"speccheck: {event.done}{of} exchanges checked")

    def _found(self, event: ViolationFound) -> None:
        if self.quiet or not event.first:
            return
        v = event.violation
        line = Text("found ", style="dim")
        line.append(f"{v.code} {v.name} [{v.side} {v.level}]", style=LEVEL_STYLES[v.level])
        line.append(": " + visible(v.message)[:200])
        if self._progress is not None:
            self._progress.console.print(line, soft_wrap=True)
        else:
            self.stderr.print(line, soft_wrap=True)

    def _line(self, text: str) -> None:
        self.stderr.print(Text(text), soft_wrap=True)

    def close(self) -> None:
        """Stop the progress bar (idempotent; also called on `RunFinished`)."""
        if self._progress is not None:
            self._progress.stop()
            self._progress = None
            self._task = None


class ReportWriter:
    """Writes the file reports of ``specs`` when the run finishes; `written` lists them."""

    def __init__(self, specs: list[ReportSpec], *, fail_on: Level = Level.MUST) -> None:
        self.specs = [s for s in specs if s.path is not None]
        self.fail_on = fail_on
        self.written: list[Path] = []

    def handle(self, event: Event) -> None:
        if isinstance(event, RunFinished):
            self.written = write_reports(event.result, self.specs, fail_on=self.fail_on)
