"""The terminal report: findings grouped by side then rule, coloured by level.

Built from `rich.text.Text` pieces, never from markup strings, so ``[bold]`` in a
header value is printed as it is; control characters go through `visible`.
"""

from __future__ import annotations

import io

from rich.console import Console, Group, RenderableType
from rich.text import Text

from speccheck._rules import Level, Rule
from speccheck._run import RunResult
from speccheck._violations import Violation
from speccheck.report._text import exchange_line, group_violations, summary_line, visible

__all__ = ["LEVEL_STYLES", "render_terminal", "terminal_renderable"]

LEVEL_STYLES: dict[str, str] = {"must": "bold red", "should": "yellow", "advice": "cyan"}
_OUTPUT_TAIL = 20  # lines of the target's own output shown when it crashed
_PER_RULE = 3  # findings shown per rule; the file reports hold them all
_REPLAY_CHARS = 400  # a longer reproduction line is cut here; the file reports hold it whole


def _field(label: str, value: str, style: str = "") -> Text:
    line = Text("      ")
    line.append(f"{label}: ", style="dim")
    line.append(visible(value), style=style)
    return line


def _finding(v: Violation) -> list[Text]:
    head = Text("    - ")
    head.append(visible(v.message))
    if v.count > 1:
        head.append(f"  (seen {v.count} times)", style="dim")
    lines = [head]
    if v.observed or v.expected:
        line = _field("observed", v.observed or "-", "bold")
        line.append("   expected: ", style="dim")
        line.append(visible(v.expected or "-"))
        lines.append(line)
    if v.exchange is not None:
        ex = v.exchange
        lines.append(_field("exchange", exchange_line(ex)))
        repro = ex.replay or ex.curl()
        if len(repro) > _REPLAY_CHARS:
            repro = repro[:_REPLAY_CHARS] + f" … ({len(repro)} characters; whole in the JSON/HTML report)"
        if repro:
            lines.append(_field("replay", repro))
    if v.location is not None:
        at = str(v.location) + (f" in {v.location.function}" if v.location.function else "")
        lines.append(_field("at", at, "underline"))
    return lines


def _rule_head(rule: Rule, violations: list[Violation]) -> Text:
    level = rule.level.value
    occurrences = sum(v.count for v in violations)
    head = Text("  x ", style=LEVEL_STYLES[level])
    head.append(rule.code, style="bold")
    head.append(f" {rule.name}  ")
    head.append(level.upper(), style=LEVEL_STYLES[level])
    head.append(f"  {rule.spec.title} {rule.url}", style="dim")
    if occurrences > 1:
        head.append(f"  ({len(violations)} distinct, {occurrences} total)", style="dim")
    return head


def terminal_renderable(result: RunResult, fail_on: Level = Level.MUST) -> RenderableType:
    """The report as one rich renderable (printed by `TerminalHandler`)."""
    info = result.info
    parts: list[RenderableType] = []
    title = Text("speccheck ", style="bold")
    title.append(visible(f"{info.command} {info.target}"), style="bold")
    details = [info.interface, f"seed {info.seed}" if info.seed is not None else "", info.status]
    title.append("  " + visible("  ".join(d for d in details if d)), style="dim")
    parts.append(title)
    for side, rules in group_violations(result.violations):
        parts.append(Text(""))
        parts.append(Text(f"{side.value.upper()} side: {len(rules)} rule(s) broken", style="bold underline"))
        for rule, violations in rules:
            parts.append(_rule_head(rule, violations))
            parts.append(Text(f"      {rule.summary}", style="italic dim"))
            for v in violations[:_PER_RULE]:
                parts.extend(_finding(v))
            if len(violations) > _PER_RULE:
                more = len(violations) - _PER_RULE
                parts.append(
                    Text(f"    … {more} more distinct finding(s) of {rule.code} in the file reports", style="dim")
                )
    if info.error:
        parts.append(Text(""))
        parts.append(Text("run error: " + visible(info.error), style="bold red"))
    if info.target_output and (info.status != "complete" or any(v.code.startswith("T") for v in result.violations)):
        parts.append(Text(""))
        parts.append(Text("target output (last lines):", style="dim"))
        for line in info.target_output.splitlines()[-_OUTPUT_TAIL:]:
            parts.append(Text("  | " + visible(line), style="dim"))
    passed = result.passed()
    if passed:
        parts.append(Text(""))
        parts.append(Text(f"passed: {len(passed)} rule(s): " + " ".join(r.code for r in passed), style="green"))
    parts.append(Text(""))
    code = 0 if not result.violations and info.status == "complete" else 1
    parts.append(Text(visible(summary_line(result, fail_on)), style="bold green" if code == 0 else "bold"))
    return Group(*parts)


def render_terminal(result: RunResult, fail_on: Level = Level.MUST, *, color: bool = False, width: int = 100) -> str:
    """The terminal report as text (plain unless ``color``), e.g. for ``--report terminal:run.txt``."""
    buffer = io.StringIO()
    console = Console(
        file=buffer,
        width=width,
        force_terminal=color,
        color_system="standard" if color else None,
        no_color=not color,
        highlight=False,
        emoji=False,
        markup=False,
        soft_wrap=True,
    )
    console.print(terminal_renderable(result, fail_on))
    return buffer.getvalue()
