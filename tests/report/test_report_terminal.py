"""The terminal report and the terminal/report-writer event handlers."""

from __future__ import annotations

import io
import json
from pathlib import Path

from rich.console import Console

from speccheck import Level, RunInfo, Violation, get_rule
from speccheck._events import EventBus, ExchangeChecked, RunFinished, RunStarted, ViolationFound
from speccheck.report import ReportSpec, ReportWriter, TerminalHandler, render
from speccheck.report._terminal import render_terminal
from tests.report.report_samples import ANSI, CONTROLS, MARKUP, SCRIPT, clean_result, hostile_result, raw_controls


def test_grouped_by_side_then_rule() -> None:
    text = render("terminal", hostile_result())
    server, app = text.index("SERVER side: 2 rule(s) broken"), text.index("APP side: 2 rule(s) broken")
    assert server < text.index("T002 target-crashed") < text.index("T003 target-hung") < app
    assert app < text.index("H101 no-content-for-status") < text.index("H107 header-value-chars")


def test_each_finding_has_its_details() -> None:
    text = render("terminal", hostile_result())
    assert "MUST" in text
    assert "https://www.rfc-editor.org/rfc/rfc9110.html#section-5.5" in text  # the spec link
    assert "expected: no CR, LF, NUL or CTL" in text
    assert "exchange: asgi GET /" in text
    assert "replay: curl -i --path-as-is -X GET" in text
    assert "replay: speccheck replay 1a2b" in text
    assert "at: app.py:12 in app" in text
    assert "(seen 3 times)" in text
    assert "passed: 6 rule(s): H103 H105 H106 H109 T001 T005" in text


def test_summary_line() -> None:
    last = render("terminal", hostile_result()).strip().splitlines()[-1]
    assert last.startswith(f"speccheck server uvicorn {SCRIPT} 0.30.1: 100 exchanges in 1.2s; 4 finding(s)")
    assert "(4 must, 0 should, 0 advice)" in last
    assert "exit 1: 4 finding(s) at or above must" in last
    clean = render("terminal", clean_result()).strip().splitlines()[-1]
    assert clean.endswith("exit 0: clean")


def test_summary_follows_fail_on_and_status() -> None:
    result = clean_result()
    result.violations.append(Violation(get_rule("H102"), "body on HEAD"))  # advice level
    assert (
        render_terminal(result, Level.MUST)
        .strip()
        .endswith("exit 0: clean at --fail-on must (findings below the threshold only)")
    )
    assert "exit 1: 1 finding(s) at or above advice" in render_terminal(result, Level.ADVICE)
    interrupted = render("terminal", hostile_result(status="interrupted"))
    assert "exit 2: interrupted, partial results" in interrupted
    assert "run error: stopped: a\\x0d\\x0a" in interrupted


def test_hostile_bytes_are_shown_not_obeyed() -> None:
    for text in (render("terminal", hostile_result()), render_terminal(hostile_result(), color=True)):
        assert MARKUP in text  # rich markup printed literally, not interpreted
        assert "\\x0d\\x0aSet-Cookie: x=1\\x00" in text
        assert "\\x1b[31mred\\x1b[0m" in text
        assert ANSI not in text
        assert "\\u202egnp.exe" in text
    assert raw_controls(render("terminal", hostile_result())) == set()
    plain = render("terminal", hostile_result())
    assert "\\x00\\x01\\x02" in plain and CONTROLS not in plain


def test_colour_only_when_asked() -> None:
    assert "\x1b[" not in render("terminal", hostile_result())
    assert "\x1b[" in render_terminal(hostile_result(), color=True)


def _consoles(tty: bool) -> tuple[io.StringIO, Console, io.StringIO, Console]:
    out, err = io.StringIO(), io.StringIO()
    console = Console(file=out, force_terminal=False, width=100)
    stderr = Console(file=err, force_terminal=tty, width=100)
    return out, console, err, stderr


def _run(handler: TerminalHandler | ReportWriter, done: int = 30, status: str = "complete") -> None:
    result = hostile_result(status=status)
    bus = EventBus([handler])
    bus.emit(RunStarted(result.info, planned=done))
    for i in range(1, done + 1):
        bus.emit(ExchangeChecked(i, done, label=f"GET /{i}"))
        if i == 5:
            bus.emit(ViolationFound(result.violations[0], first=True))
            bus.emit(ViolationFound(result.violations[0], first=False))
    bus.emit(RunFinished(result))


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        self.now += 1.0  # one second per reading
        return self.now


def test_plain_progress_lines_when_not_a_tty() -> None:
    out, console, err, stderr = _consoles(tty=False)
    handler = TerminalHandler([ReportSpec("terminal")], console=console, stderr=stderr, interval=10, clock=FakeClock())
    _run(handler, done=30)
    lines = err.getvalue().splitlines()
    assert lines[0] == f"speccheck: checking uvicorn {SCRIPT} (30 exchanges planned)"
    progress = [line for line in lines if "exchanges checked" in line]
    assert progress == [
        "speccheck: 10/30 exchanges checked",
        "speccheck: 20/30 exchanges checked",
        "speccheck: 30/30 exchanges checked",
    ]
    found = [line for line in lines if line.startswith("found ")]
    assert len(found) == 1  # first sightings only
    assert "H107 header-value-chars [app must]" in found[0]
    assert raw_controls(err.getvalue()) == set()
    assert "SERVER side" in out.getvalue()
    assert out.getvalue().strip().splitlines()[-1].startswith("speccheck server uvicorn")


def test_rich_progress_bar_on_a_tty() -> None:
    out, console, err, stderr = _consoles(tty=True)
    handler = TerminalHandler(console=console, stderr=stderr)
    _run(handler, done=20)
    assert handler._progress is None  # stopped on RunFinished
    shown = err.getvalue()
    assert "checking uvicorn" in shown
    assert "20/20" in shown
    assert "H107 header-value-chars" in shown
    assert "exit 1:" in out.getvalue()


def test_quiet_shows_only_the_report() -> None:
    out, console, err, stderr = _consoles(tty=True)
    _run(TerminalHandler(console=console, stderr=stderr, quiet=True))
    assert err.getvalue() == ""
    assert "APP side" in out.getvalue()


def test_terminal_handler_prints_stdout_specs_only(tmp_path: Path) -> None:
    out, console, _err, stderr = _consoles(tty=False)
    specs = [ReportSpec("terminal", tmp_path / "t.txt"), ReportSpec("markdown", None)]
    _run(TerminalHandler(specs, console=console, stderr=stderr, quiet=True))
    assert out.getvalue().startswith("## :x: speccheck server")
    assert not (tmp_path / "t.txt").exists()  # files are the ReportWriter's job


def test_report_writer_writes_partial_reports_of_an_interrupted_run(tmp_path: Path) -> None:
    specs = [
        ReportSpec("json", tmp_path / "r" / "run.json"),
        ReportSpec("terminal", tmp_path / "run.txt"),
        ReportSpec("terminal"),
    ]
    writer = ReportWriter(specs)
    _run(writer, done=3, status="interrupted")
    assert writer.written == [tmp_path / "r" / "run.json", tmp_path / "run.txt"]
    data = json.loads((tmp_path / "r" / "run.json").read_text(encoding="utf-8"))
    assert data["summary"]["status"] == "interrupted"
    assert len(data["violations"]) == 4
    assert "interrupted, partial results" in (tmp_path / "run.txt").read_text(encoding="utf-8")


def test_report_writer_ignores_other_events(tmp_path: Path) -> None:
    writer = ReportWriter([ReportSpec("json", tmp_path / "run.json")])
    writer.handle(RunStarted(RunInfo(command="app", target="x")))
    writer.handle(ExchangeChecked(1))
    assert writer.written == []
    assert not (tmp_path / "run.json").exists()


def test_plain_progress_without_a_plan() -> None:
    out, console, err, stderr = _consoles(tty=False)
    handler = TerminalHandler(console=console, stderr=stderr, interval=2, clock=FakeClock())
    result = clean_result()
    handler.handle(RunStarted(result.info))
    for i in range(1, 5):
        handler.handle(ExchangeChecked(i))
    handler.handle(RunFinished(result))
    assert err.getvalue().splitlines() == [
        "speccheck: checking myapp:app",
        "speccheck: 2 exchanges checked",
        "speccheck: 4 exchanges checked",
    ]
    assert out.getvalue().strip().endswith("exit 0: clean")
