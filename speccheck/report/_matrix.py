"""The conformance matrix of server mode: one column per target (with its version),
one row per rule, each cell pass / fail (with the number of occurrences) / n/a
(the rule was not checked against that target)."""

from __future__ import annotations

from dataclasses import dataclass

from speccheck._errors import UsageError
from speccheck._rules import Rule
from speccheck._run import RunResult
from speccheck.report._html import h, page
from speccheck.report._markdown import md

__all__ = ["MATRIX_FORMATS", "Cell", "matrix_cells", "render_matrix"]

MATRIX_FORMATS = ("html", "markdown")


@dataclass(frozen=True, slots=True)
class Cell:
    state: str  # "pass" | "fail" | "n/a"
    count: int = 0  # occurrences, for "fail"

    def __str__(self) -> str:
        return f"fail ({self.count})" if self.state == "fail" else self.state


def _column(result: RunResult) -> str:
    info = result.info
    name = info.target + (f" {info.target_version}" if info.target_version else "")
    return name + ("" if info.status == "complete" else f" ({info.status})")


def matrix_cells(results: list[RunResult]) -> tuple[list[Rule], list[list[Cell]]]:
    """Rows (rules, by code) and, per row, one `Cell` per result in order."""
    rules: dict[str, Rule] = {}
    for result in results:
        for rule in result.checked:
            rules.setdefault(rule.code, rule)
        for v in result.violations:
            rules.setdefault(v.code, v.rule)
    rows = sorted(rules.values(), key=lambda r: r.code)
    per_result = []
    for result in results:
        checked = {r.code for r in result.checked}
        counts: dict[str, int] = {}
        for v in result.violations:
            counts[v.code] = counts.get(v.code, 0) + v.count
        per_result.append((checked, counts))
    cells = [
        [
            Cell("fail", counts[r.code]) if r.code in counts else Cell("pass") if r.code in checked else Cell("n/a")
            for checked, counts in per_result
        ]
        for r in rows
    ]
    return rows, cells


def _html(results: list[RunResult]) -> str:
    rules, cells = matrix_cells(results)
    head = "".join(f"<th>{h(_column(r))}</th>" for r in results)
    css = {"pass": "pass", "fail": "must", "n/a": "na"}
    body = []
    for rule, row in zip(rules, cells, strict=True):
        tds = "".join(f'<td><span class="badge {css[c.state]}">{h(str(c))}</span></td>' for c in row)
        link = f'<a href="{h(rule.url)}">{h(rule.code)}</a>'
        body.append(f"<tr><td><code>{link}</code></td><td>{h(rule.name)}</td><td>{h(rule.level.value)}</td>{tds}</tr>")
    totals = "".join(
        f"<td>{sum(1 for row in cells if row[i].state == 'fail')} failed</td>" for i in range(len(results))
    )
    table = (
        f"<table><tr><th>code</th><th>rule</th><th>level</th>{head}</tr>{''.join(body)}"
        f'<tr><th colspan="3">rules failed</th>{totals}</tr></table>'
    )
    return page("speccheck conformance matrix", ["<h1>speccheck conformance matrix</h1>", table])


def _markdown(results: list[RunResult]) -> str:
    rules, cells = matrix_cells(results)
    icons = {"pass": "pass", "fail": "**fail**", "n/a": "n/a"}
    lines = [
        "| code | rule | level | " + " | ".join(md(_column(r)) for r in results) + " |",
        "|---|---|---|" + "---|" * len(results),
    ]
    for rule, row in zip(rules, cells, strict=True):
        shown = [icons[c.state] + (f" ({c.count})" if c.state == "fail" else "") for c in row]
        lines.append(
            f"| [{rule.code}]({rule.url}) | {md(rule.name)} | {rule.level.value} | " + " | ".join(shown) + " |"
        )
    failed = [str(sum(1 for row in cells if row[i].state == "fail")) for i in range(len(results))]
    lines.append("| | **rules failed** | | " + " | ".join(failed) + " |")
    return "\n".join(lines) + "\n"


def render_matrix(results: list[RunResult], format: str = "markdown") -> str:
    """The conformance matrix of several runs (one per target) as ``html`` or ``markdown``."""
    if format == "html":
        return _html(results)
    if format == "markdown":
        return _markdown(results)
    raise UsageError(f"matrix format must be one of {', '.join(MATRIX_FORMATS)}, got {format!r}")
