"""The session's view: every finding of every test (from every xdist worker), a line in
the terminal summary, and the ``--speccheck-report`` files.

Findings arrive on test reports (``user_properties``), which pytest-xdist sends from
the workers to the controller, so the controller alone sees all of them and alone
writes the reports; workers write nothing.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest

from speccheck._pytest._hooks import violations_in
from speccheck._pytest._options import Settings

__all__ = ["SessionFindings", "is_xdist_worker"]


def is_xdist_worker(config: pytest.Config) -> bool:
    return hasattr(config, "workerinput")


class SessionFindings:
    """A plugin object registered per session (pytest calls its ``pytest_*`` methods)."""

    def __init__(self, config: pytest.Config, settings: Settings) -> None:
        self.config = config
        self.settings = settings
        self.records: list[tuple[str, dict[str, Any]]] = []  # (nodeid, violation dict)
        self.started = time.monotonic()
        self.written: list[str] = []
        self.at_finish: list[Callable[[], None]] = []

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        for data in violations_in(report):
            self.records.append((report.nodeid, data))

    @pytest.hookimpl(trylast=True)
    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        for hook in self.at_finish:
            hook()
        if is_xdist_worker(self.config) or not self.settings.reports:
            return
        targets = ", ".join(self.settings.lint + self.settings.targets) or "pytest"
        self.write_reports(self.settings.reports, targets)

    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        lines = self.summary_lines()
        if lines:
            terminalreporter.write_sep("-", "speccheck")
            for line in lines:
                terminalreporter.write_line(line)

    def summary_lines(self) -> list[str]:
        lines: list[str] = []
        if self.records:
            failing = [r for r in self.records if r[1].get("fails")]
            tests = {nodeid for nodeid, _ in failing}
            codes = sorted({str(d["code"]) for _, d in self.records})
            lines.append(
                f"{len(self.records)} finding(s), {len(failing)} failing, in {len(tests)} failed test(s); "
                f"rules: {', '.join(codes)}"
            )
        lines.extend(f"report written: {path}" for path in self.written)
        return lines

    def write_reports(self, specs: tuple[str, ...], targets: str) -> None:
        """One run result holding every finding, rendered by speccheck's report writers;
        each finding names its test in ``extra["test"]``."""
        from speccheck._collector import Collector
        from speccheck._run import RunInfo, RunResult
        from speccheck._violations import Violation
        from speccheck.report import parse_report_spec, write_reports

        collector = Collector()
        for nodeid, data in self.records:
            violation = Violation.from_dict(data)
            violation.extra = dict(violation.extra) | {"test": nodeid}
            violation.signature = f"{violation.signature or violation.message} @ {nodeid}"
            collector.add(violation)
        info = RunInfo(command="pytest", target=targets)
        info.duration = time.monotonic() - self.started
        parsed = [spec for spec in (parse_report_spec(text) for text in specs) if spec.path is not None]
        result = RunResult(info, collector.violations(), [])
        written = write_reports(result, parsed, fail_on=self.settings.policy.fail_on)
        self.written.extend(str(path) for path in written)
