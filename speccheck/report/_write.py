"""Rendering a run in any format, and writing the reports to their files.

Files are written atomically (a temporary file beside the target, then
`os.replace`), so a reader never sees half a report, and an interrupted run that
still ends with `RunFinished` leaves complete, consistent (partial) reports.
"""

from __future__ import annotations

import os
from pathlib import Path

from rich.console import Console

from speccheck._errors import UsageError
from speccheck._rules import Level
from speccheck._run import RunResult
from speccheck.report._html import render_html
from speccheck.report._json import render_json
from speccheck.report._junit import render_junit
from speccheck.report._markdown import render_markdown
from speccheck.report._sarif import render_sarif
from speccheck.report._spec import FORMATS, ReportSpec
from speccheck.report._terminal import render_terminal, terminal_renderable

__all__ = ["print_report", "render", "write_reports", "write_text"]


def render(format: str, result: RunResult, fail_on: Level = Level.MUST) -> str:
    """``result`` as text in ``format`` (one of `FORMATS`; ``terminal`` is plain text)."""
    if format == "terminal":
        return render_terminal(result, fail_on)
    if format == "json":
        return render_json(result)
    if format == "junit":
        return render_junit(result)
    if format == "sarif":
        return render_sarif(result)
    if format == "html":
        return render_html(result, fail_on)
    if format == "markdown":
        return render_markdown(result, fail_on)
    raise UsageError(f"unknown report format {format!r}; choose one of {', '.join(FORMATS)}")


def write_text(path: Path, text: str) -> None:
    """Write ``text`` to ``path``, creating parent directories; `UsageError` naming the path.

    A regular file is replaced atomically (through a symlink, its target is); a device
    or FIFO such as ``/dev/stdout`` is written to directly, never replaced.
    """
    data = text.encode("utf-8", errors="backslashreplace")
    if path.exists() and not path.is_file():
        try:
            with path.open("wb") as stream:
                stream.write(data)
        except OSError as exc:
            raise UsageError(f"cannot write report {str(path)!r}: {exc.strerror or exc}") from None
        return
    target = path.resolve() if path.is_symlink() else path
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_bytes(data)
        os.replace(tmp, target)
    except OSError as exc:
        try:
            tmp.unlink(missing_ok=True)
        except OSError:
            pass
        raise UsageError(f"cannot write report {str(path)!r}: {exc.strerror or exc}") from None


def print_report(result: RunResult, format: str, console: Console | None = None, fail_on: Level = Level.MUST) -> None:
    """Show one report on the console (stdout by default); the terminal format in colour on a TTY."""
    console = console or Console(highlight=False, emoji=False, markup=False, soft_wrap=True)
    if format == "terminal":
        console.print(terminal_renderable(result, fail_on), soft_wrap=True)
        return
    console.file.write(render(format, result, fail_on))
    console.file.flush()


def write_reports(
    result: RunResult, specs: list[ReportSpec], console: Console | None = None, fail_on: Level = Level.MUST
) -> list[Path]:
    """Produce every report in ``specs``: files written (returned, in order), stdout ones printed."""
    written: list[Path] = []
    for spec in specs:
        if spec.path is None:
            print_report(result, spec.format, console, fail_on)
            continue
        write_text(spec.path, render(spec.format, result, fail_on))
        written.append(spec.path)
    return written
