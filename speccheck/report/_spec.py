"""Which reports to write, and where: ``--report FORMAT[:PATH]``.

A `ReportSpec` with ``path=None`` goes to standard output (the default for
``terminal``; ``FORMAT:-`` asks for it with any format). Paths are checked for
writability before a run starts, so a typo costs nothing but an exit status 2.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from speccheck._errors import UsageError

__all__ = [
    "FORMATS",
    "ReportSpec",
    "check_writable",
    "default_path",
    "default_reports",
    "parse_report_spec",
]

FORMATS: tuple[str, ...] = ("terminal", "json", "junit", "sarif", "html", "markdown")

_DEFAULT_PATHS: dict[str, str] = {
    "json": "reports/speccheck.json",
    "junit": "reports/speccheck.junit.xml",
    "sarif": "reports/speccheck.sarif",
    "html": "reports/speccheck.html",
    "markdown": "reports/speccheck.md",
}

_STDOUT = "-"


@dataclass(frozen=True, slots=True)
class ReportSpec:
    """One report to produce: a format from `FORMATS` and a file, or ``None`` for stdout."""

    format: str
    path: Path | None = None

    def __post_init__(self) -> None:
        if self.format not in FORMATS:
            raise UsageError(_bad_format(self.format))

    def __str__(self) -> str:
        return f"{self.format}:{self.path if self.path is not None else _STDOUT}"


def _bad_format(name: str) -> str:
    return f"unknown report format {name!r}; choose one of {', '.join(FORMATS)} (as FORMAT or FORMAT:PATH)"


def default_path(format: str) -> Path | None:
    """Where ``format`` goes when no path is given; ``None`` (stdout) for ``terminal``."""
    if format not in FORMATS:
        raise UsageError(_bad_format(format))
    path = _DEFAULT_PATHS.get(format)
    return Path(path) if path is not None else None


def default_reports() -> list[ReportSpec]:
    """What a run writes when no ``--report`` is given: the terminal and a JSON file."""
    return [ReportSpec("terminal"), ReportSpec("json", default_path("json"))]


def parse_report_spec(text: str) -> ReportSpec:
    """``"json"``, ``"json:out/run.json"``, ``"terminal:run.txt"``, ``"markdown:-"`` (stdout).

    The format is case-insensitive; everything after the first colon is the path.
    """
    name, sep, path = text.partition(":")
    name = name.strip().lower()
    if not name:
        raise UsageError(f"--report needs a format before the colon, got {text!r}; formats: {', '.join(FORMATS)}")
    if name not in FORMATS:
        raise UsageError(_bad_format(name))
    if sep and not path.strip():
        raise UsageError(f"--report {text!r} has an empty path after the colon; give a file, or '-' for stdout")
    if not sep:
        return ReportSpec(name, default_path(name))
    if path.strip() == _STDOUT:
        return ReportSpec(name, None)
    return ReportSpec(name, Path(path))


def _check_one(path: Path) -> None:
    # Actually try: `os.access` says yes to root everywhere, even on read-only mounts and /proc.
    if path.is_dir():
        raise UsageError(f"cannot write report {str(path)!r}: it is a directory")
    if path.exists():
        if not path.is_file():  # a device or FIFO (e.g. /dev/stdout): opening it could block
            if not os.access(path, os.W_OK):
                raise UsageError(f"cannot write report {str(path)!r}: permission denied")
            return
        try:
            with path.open("ab"):
                pass
        except OSError as exc:
            raise UsageError(f"cannot write report {str(path)!r}: {exc.strerror or exc}") from None
        return
    # The nearest existing ancestor must be a directory we can create entries in;
    # `write_reports` creates the missing directories below it.
    parent = path.absolute().parent
    while not parent.exists() and parent.parent != parent:
        parent = parent.parent
    if not parent.is_dir():
        raise UsageError(f"cannot write report {str(path)!r}: {str(parent)!r} is not a directory")
    try:
        with tempfile.NamedTemporaryFile(dir=parent, prefix=".speccheck-probe-"):
            pass
    except OSError as exc:
        raise UsageError(
            f"cannot write report {str(path)!r}: cannot create files in {str(parent)!r} ({exc.strerror or exc})"
        ) from None


def check_writable(specs: list[ReportSpec]) -> None:
    """Raise `UsageError` naming the first report path that cannot be written (before a run)."""
    seen: dict[Path, ReportSpec] = {}
    for spec in specs:
        if spec.path is None:
            continue
        key = spec.path.absolute()
        if key in seen:
            raise UsageError(f"two reports would write {str(spec.path)!r} ({seen[key]} and {spec})")
        seen[key] = spec
        _check_one(spec.path)
