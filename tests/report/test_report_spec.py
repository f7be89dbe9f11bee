"""``--report FORMAT[:PATH]``: parsing, default paths, writability checked before a run, writing."""

from __future__ import annotations

import json
import os
import stat
import threading
from pathlib import Path

import pytest

import speccheck.report
from speccheck import UsageError
from speccheck.report import (
    FORMATS,
    ReportSpec,
    check_writable,
    default_path,
    default_reports,
    parse_report_spec,
    render,
    write_reports,
)
from tests.report.report_samples import hostile_result


def test_exports() -> None:
    assert set(speccheck.report.__all__) == {
        "FORMATS", "ReportSpec", "ReportWriter", "TerminalHandler", "check_writable", "default_path",
        "default_reports", "parse_report_spec", "render", "render_matrix", "write_reports",
    }  # fmt: skip
    for name in speccheck.report.__all__:
        assert hasattr(speccheck.report, name)


def test_formats() -> None:
    assert FORMATS == ("terminal", "json", "junit", "sarif", "html", "markdown")


@pytest.mark.parametrize(
    ("fmt", "path"),
    [
        ("terminal", None),
        ("json", "reports/speccheck.json"),
        ("junit", "reports/speccheck.junit.xml"),
        ("sarif", "reports/speccheck.sarif"),
        ("html", "reports/speccheck.html"),
        ("markdown", "reports/speccheck.md"),
    ],
)
def test_default_paths(fmt: str, path: str | None) -> None:
    assert default_path(fmt) == (Path(path) if path else None)
    assert parse_report_spec(fmt) == ReportSpec(fmt, default_path(fmt))


def test_default_reports() -> None:
    assert default_reports() == [ReportSpec("terminal", None), ReportSpec("json", Path("reports/speccheck.json"))]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("json:out/run.json", ReportSpec("json", Path("out/run.json"))),
        ("JSON:out/run.json", ReportSpec("json", Path("out/run.json"))),
        ("terminal:run.txt", ReportSpec("terminal", Path("run.txt"))),
        ("markdown:-", ReportSpec("markdown", None)),
        ("sarif:C:/x/y.sarif", ReportSpec("sarif", Path("C:/x/y.sarif"))),
    ],
)
def test_parse(text: str, expected: ReportSpec) -> None:
    assert parse_report_spec(text) == expected


@pytest.mark.parametrize("text", ["pdf", "pdf:out.pdf", "xml:x", "jsonn"])
def test_bad_format_names_it_and_the_valid_ones(text: str) -> None:
    with pytest.raises(UsageError) as info:
        parse_report_spec(text)
    message = str(info.value)
    assert "\n" not in message
    assert repr(text.partition(":")[0]) in message
    assert all(name in message for name in FORMATS)


@pytest.mark.parametrize("text", ["", ":x.json", "json:", "json:  "])
def test_empty_parts_are_usage_errors(text: str) -> None:
    with pytest.raises(UsageError, match="report"):
        parse_report_spec(text)


def test_report_spec_rejects_unknown_format() -> None:
    with pytest.raises(UsageError, match="'yaml'"):
        ReportSpec("yaml")
    with pytest.raises(UsageError, match="'yaml'"):
        default_path("yaml")
    with pytest.raises(UsageError, match="'yaml'"):
        render("yaml", hostile_result())


def test_check_writable_accepts_missing_dirs(tmp_path: Path) -> None:
    target = tmp_path / "a" / "b" / "run.json"
    check_writable([ReportSpec("json", target), ReportSpec("terminal")])
    assert not (tmp_path / "a").exists()  # checking creates nothing


def test_check_writable_rejects_a_directory(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="is a directory") as info:
        check_writable([ReportSpec("json", tmp_path)])
    assert str(tmp_path) in str(info.value)


def test_check_writable_rejects_a_file_as_parent(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    target = blocker / "sub" / "run.json"
    with pytest.raises(UsageError, match="not a directory") as info:
        check_writable([ReportSpec("html", target)])
    assert str(target) in str(info.value)


def test_check_writable_rejects_two_reports_on_one_file(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="two reports"):
        check_writable([ReportSpec("json", tmp_path / "r"), ReportSpec("sarif", tmp_path / "r")])


def test_write_reports_creates_parents_and_returns_paths(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    specs = [parse_report_spec(f"{fmt}:{tmp_path / 'deep' / fmt}") for fmt in FORMATS]
    specs.append(ReportSpec("json", None))
    written = write_reports(hostile_result(), specs)
    assert written == [tmp_path / "deep" / fmt for fmt in FORMATS]
    for path in written:
        assert path.read_text(encoding="utf-8")
    assert not [p for p in (tmp_path / "deep").iterdir() if p.name.startswith(".")]  # no temp files left
    out = capsys.readouterr().out
    assert json.loads(out)["summary"]["exchanges"] == 100


def test_write_reports_unwritable_path_names_it(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    target = blocker / "run.json"
    with pytest.raises(UsageError, match="cannot write report") as info:
        write_reports(hostile_result(), [ReportSpec("json", target)])
    assert str(target) in str(info.value)


def test_write_reports_replaces_an_old_report(tmp_path: Path) -> None:
    target = tmp_path / "run.json"
    target.write_text("old")
    write_reports(hostile_result(), [ReportSpec("json", target)])
    assert json.loads(target.read_text(encoding="utf-8"))["schema_version"] == 1


@pytest.mark.skipif(not Path("/proc/self").is_dir(), reason="needs Linux /proc")
def test_check_writable_really_tries() -> None:
    """os.access says yes to root even where nothing can be created; the check must not trust it."""
    target = Path("/proc/speccheck-no-such-dir/run.json")
    with pytest.raises(UsageError, match="cannot write report") as info:
        check_writable([ReportSpec("json", target)])
    assert str(target) in str(info.value)


def test_check_writable_leaves_nothing_behind(tmp_path: Path) -> None:
    existing = tmp_path / "old.json"
    existing.write_text("old")
    check_writable([ReportSpec("json", existing), ReportSpec("html", tmp_path / "new" / "r.html")])
    assert sorted(p.name for p in tmp_path.iterdir()) == ["old.json"]
    assert existing.read_text() == "old"


def test_write_through_a_symlink_keeps_the_link(tmp_path: Path) -> None:
    real = tmp_path / "real.json"
    real.write_text("old")
    link = tmp_path / "link.json"
    link.symlink_to(real)
    write_reports(hostile_result(), [ReportSpec("json", link)])
    assert link.is_symlink()
    assert json.loads(real.read_text(encoding="utf-8"))["schema_version"] == 1


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_write_to_a_fifo_writes_into_it(tmp_path: Path) -> None:
    """``--report json:/dev/stdout`` style targets are written to, never replaced."""
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    check_writable([ReportSpec("json", fifo)])  # must not block on a FIFO without a reader
    received: list[bytes] = []

    def read() -> None:
        with fifo.open("rb") as stream:
            received.append(stream.read())

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    write_reports(hostile_result(), [ReportSpec("json", fifo)])
    reader.join(timeout=10)
    assert not reader.is_alive()
    assert stat.S_ISFIFO(fifo.stat().st_mode)
    assert json.loads(received[0])["summary"]["exchanges"] == 100
