"""The Markdown report, sized for a pull-request comment: a table of findings, then
the details of each, folded in ``<details>`` blocks.

Hostile values are escaped for GitHub-flavoured Markdown: control characters via
`visible`, ``&``, ``<`` and ``>`` as entities (no raw HTML gets through), and
backslash, backtick, ``|``, ``*``, ``_``, ``[``, ``]``, ``~`` and ``#`` with a
backslash, so nothing can close a table cell, open a code span or a link. Replay
lines go in fenced code blocks whose fence is longer than any backtick run inside.
"""

from __future__ import annotations

import re

from speccheck._rules import Level
from speccheck._run import RunResult
from speccheck._violations import Violation
from speccheck.report._text import LEVEL_ORDER, exchange_line, group_violations, summary_line, visible

__all__ = ["fence", "md", "render_markdown"]

_PUNCT = re.compile(r"([\\`|*_\[\]~#!])")
_MAX_ROWS = 200
_BUDGET = 60_000  # characters; GitHub refuses comments over 65,536
_CLIP = 300  # characters of a message shown in a table cell


def _clip(text: str) -> str:
    return text if len(text) <= _CLIP else text[: _CLIP - 3] + "..."


def md(value: object) -> str:
    """A hostile value as inert Markdown text (safe in table cells too)."""
    text = visible(value).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _PUNCT.sub(r"\\\1", text)


def fence(value: object, info: str = "") -> str:
    """``value`` as a fenced code block that nothing inside can close."""
    text = visible(value)
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    marks = "`" * max(3, longest + 1)
    return f"{marks}{info}\n{text}\n{marks}"


def _details(v: Violation) -> list[str]:
    lines = [f"**{md(v.code)} {md(v.name)}**: {md(v.message)}", ""]
    if v.observed or v.expected:
        lines += [f"- observed: {md(v.observed or '-')}", f"- expected: {md(v.expected or '-')}"]
    if v.exchange is not None:
        ex = v.exchange
        lines.append(f"- exchange: {md(exchange_line(ex))}")
        for name, value in ex.headers:
            lines.append(f"  - {md(name)}: {md(value)}")
    if v.location is not None:
        fn = f" in {v.location.function}" if v.location.function else ""
        lines.append(f"- location: {md(str(v.location) + fn)}")
    if v.count > 1:
        lines.append(f"- seen {v.count} times")
    repro = (v.exchange.replay or v.exchange.curl()) if v.exchange is not None else ""
    if repro:
        lines += ["", fence(repro, "sh")]
    lines.append("")
    return lines


def render_markdown(result: RunResult, fail_on: Level = Level.MUST) -> str:
    info = result.info
    counts = result.counts()
    icon = ":x:" if result.violations or info.status != "complete" else ":white_check_mark:"
    out = [
        f"## {icon} speccheck {md(info.command)}: {md(info.target)}",
        "",
        md(summary_line(result, fail_on)),
        "",
        ", ".join(f"**{lv.value.upper()}** {counts[lv.value]}" for lv in LEVEL_ORDER)
        + f", **passed** {counts['rules_passed']} of {counts['rules_checked']} rules",
        "",
    ]
    if info.error:
        out += [f"**Run error:** {md(info.error)}", ""]
    if not result.violations:
        out += ["No findings.", ""]
        return "\n".join(out)
    ordered = [v for _, rules in group_violations(result.violations) for _, vs in rules for v in vs]
    size = sum(len(line) + 1 for line in out)
    out += ["| level | code | rule | side | finding | location | count |", "|---|---|---|---|---|---|---|"]
    rows = 0
    for v in ordered[:_MAX_ROWS]:
        where = md(v.location) if v.location is not None else ""
        row = (
            f"| {v.level.upper()} | [{v.code}]({v.spec_url}) | {md(v.name)} | {v.side} | {md(_clip(v.message))} "
            f"| {where} | {v.count} |"
        )
        size += len(row) + 1
        if size > _BUDGET // 2:
            break
        out.append(row)
        rows += 1
    if len(ordered) > rows:
        out += ["", f"{len(ordered) - rows} more finding(s) in the full report."]
    out += ["", "<details><summary>Details</summary>", ""]
    shown = 0
    for v in ordered[:rows]:
        block = _details(v)
        size += sum(len(line) + 1 for line in block)
        if size > _BUDGET:
            break
        out += block
        shown += 1
    if shown < rows:
        out += [f"Details of {rows - shown} more finding(s) left out to fit a comment; see the full report.", ""]
    out += ["</details>", ""]
    return "\n".join(out)
