"""The HTML report: one self-contained page (inline CSS, no script, no external
resource), the summary, then findings grouped by side and rule with their details.

Every value from traffic is hostile: it goes through `visible` (control characters
as ``\\xNN``) and then `html.escape(quote=True)`, in text and in attributes alike.
A Content-Security-Policy without script sources backs that up.
"""

from __future__ import annotations

import html

from speccheck._rules import Level, Rule
from speccheck._run import RunResult
from speccheck._violations import Exchange, Violation
from speccheck.report._text import LEVEL_ORDER, exchange_line, group_violations, summary_line, visible

__all__ = ["CSS", "h", "page", "render_html"]

CSS = """
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0 auto;max-width:72rem;padding:1rem 2rem;color:#1b1f24;background:#fff}
h1{font-size:1.5rem;margin:.2rem 0}h2{font-size:1.2rem;border-bottom:2px solid #d0d7de;padding-bottom:.2rem;margin-top:2rem}
code,pre,.mono{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:.9em}
pre{background:#f6f8fa;padding:.5rem .7rem;border-radius:4px;white-space:pre-wrap;overflow-wrap:anywhere;margin:.2rem 0}
table{border-collapse:collapse;margin:.5rem 0}td,th{border:1px solid #d0d7de;padding:.25rem .5rem;text-align:left;vertical-align:top}
th{background:#f6f8fa}.meta th{width:12rem}
.summary{font-weight:600;padding:.6rem .8rem;border-radius:4px;background:#f6f8fa;border-left:4px solid #57606a}
.summary.fail{border-left-color:#cf222e}.summary.ok{border-left-color:#1a7f37}
.badge{display:inline-block;min-width:4.2rem;text-align:center;border-radius:3px;padding:0 .4rem;font-weight:700;font-size:.8em;color:#fff}
.badge.must{background:#cf222e}.badge.should{background:#9a6700}.badge.advice{background:#0969da}.badge.pass{background:#1a7f37}
.badge.na{background:#8c959f}
details.rule{border:1px solid #d0d7de;border-radius:6px;margin:.6rem 0;padding:.3rem .8rem}
details.rule>summary{cursor:pointer;font-weight:600}
.finding{border-top:1px dashed #d0d7de;padding:.4rem 0}.finding .msg{margin:.2rem 0;font-weight:600}
dl{display:grid;grid-template-columns:9rem 1fr;gap:.15rem .8rem;margin:.3rem 0}dt{color:#57606a}dd{margin:0;overflow-wrap:anywhere}
.muted{color:#57606a}ul.counts{list-style:none;padding:0;display:flex;gap:1rem}
"""

_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'"


def h(value: object) -> str:
    """A hostile value as safe HTML text or attribute content."""
    return html.escape(visible(value), quote=True)


def _href(url: str) -> str:
    return h(url) if url.startswith(("https://", "http://")) else "#"


def page(title: str, body: list[str]) -> str:
    """A complete document with the shared CSS; ``title`` is escaped, ``body`` is trusted HTML."""
    return "\n".join(
        [
            "<!DOCTYPE html>",
            '<html lang="en">',
            "<head>",
            '<meta charset="utf-8">',
            f'<meta http-equiv="Content-Security-Policy" content="{_CSP}">',
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            '<meta name="referrer" content="no-referrer">',
            f"<title>{h(title)}</title>",
            f"<style>{CSS}</style>",
            "</head>",
            "<body>",
            *body,
            "</body>",
            "</html>",
            "",
        ]
    )


def _exchange(ex: Exchange) -> list[str]:
    rows = [f"<dt>exchange</dt><dd class=mono>{h(exchange_line(ex))}</dd>"]
    if ex.headers:
        cells = "".join(f"<tr><td class=mono>{h(n)}</td><td class=mono>{h(v)}</td></tr>" for n, v in ex.headers)
        rows.append(f"<dt>request headers</dt><dd><table>{cells}</table></dd>")
    if ex.body_preview:
        rows.append(f"<dt>body preview</dt><dd><pre>{h(ex.body_preview[:256].decode('latin-1'))}</pre></dd>")
    repro = ex.replay or ex.curl()
    if repro:
        rows.append(f"<dt>replay</dt><dd><pre>{h(repro)}</pre></dd>")
    return rows


def _finding(v: Violation) -> str:
    rows: list[str] = []
    if v.observed or v.expected:
        rows.append(f"<dt>observed</dt><dd class=mono>{h(v.observed or '-')}</dd>")
        rows.append(f"<dt>expected</dt><dd class=mono>{h(v.expected or '-')}</dd>")
    if v.exchange is not None:
        rows.extend(_exchange(v.exchange))
    if v.location is not None:
        fn = f" in {v.location.function}" if v.location.function else ""
        rows.append(f"<dt>location</dt><dd class=mono>{h(str(v.location) + fn)}</dd>")
    if v.count > 1:
        rows.append(f"<dt>seen</dt><dd>{v.count} times</dd>")
    return f'<div class="finding"><p class="msg">{h(v.message)}</p><dl>{"".join(rows)}</dl></div>'


def _rule(rule: Rule, violations: list[Violation]) -> str:
    level = rule.level.value
    occurrences = sum(v.count for v in violations)
    head = (
        f'<summary><span class="badge {level}">{level.upper()}</span> <code>{h(rule.code)}</code> '
        f"{h(rule.name)} <span class=muted>({len(violations)} finding(s), {occurrences} occurrence(s))</span></summary>"
    )
    about = f'<p>{h(rule.summary)} <a href="{_href(rule.url)}">{h(rule.spec.title)}</a></p>'
    fix = f"<p class=muted>Fix: {h(rule.fix)}</p>" if rule.fix else ""
    return f'<details class="rule {level}" open>{head}{about}{fix}{"".join(_finding(v) for v in violations)}</details>'


def _meta(result: RunResult) -> str:
    info = result.info
    rows = [
        ("command", info.command),
        ("target", info.target),
        ("target version", info.target_version),
        ("interface", info.interface),
        ("seed", "" if info.seed is None else info.seed),
        ("started", info.started.isoformat(timespec="seconds")),
        ("duration", f"{info.duration:.2f} s"),
        ("exchanges", info.exchanges),
        ("status", info.status),
        ("error", info.error),
        ("speccheck", info.speccheck_version),
        ("python", info.python_version),
    ]
    cells = "".join(f"<tr><th>{h(k)}</th><td class=mono>{h(v)}</td></tr>" for k, v in rows if v != "")
    return f'<table class="meta">{cells}</table>'


def render_html(result: RunResult, fail_on: Level = Level.MUST) -> str:
    info = result.info
    counts = result.counts()
    failing = bool(result.violations) or info.status != "complete"
    body = [
        "<header>",
        f"<h1>speccheck report: {h(info.target)}</h1>",
        f'<p class="summary {"fail" if failing else "ok"}">{h(summary_line(result, fail_on))}</p>',
        '<ul class="counts">'
        + "".join(
            f'<li><span class="badge {lv.value}">{lv.value.upper()}</span> {counts[lv.value]}</li>'
            for lv in LEVEL_ORDER
        )
        + f'<li><span class="badge pass">PASSED</span> {counts["rules_passed"]} of {counts["rules_checked"]} rules</li></ul>',
        _meta(result),
        "</header>",
        "<main>",
    ]
    groups = group_violations(result.violations)
    if not groups:
        body.append("<h2>Findings</h2><p>No findings.</p>")
    for side, rules in groups:
        body.append(f"<section><h2>{h(side.value.capitalize())} side: {len(rules)} rule(s) broken</h2>")
        body.extend(_rule(rule, violations) for rule, violations in rules)
        body.append("</section>")
    if info.target_output:
        body.append(
            f"<h2>Target output</h2><pre>{html.escape(visible(info.target_output[-8000:], keep_newlines=True))}</pre>"
        )
    passed = result.passed()
    if passed:
        rows = "".join(
            f'<tr><td><code>{h(r.code)}</code></td><td>{h(r.name)}</td><td><span class="badge {r.level.value}">'
            f'{r.level.value.upper()}</span></td><td>{h(r.side.value)}</td><td><a href="{_href(r.url)}">{h(r.spec.title)}</a></td></tr>'
            for r in passed
        )
        body.append(f"<h2>Rules passed ({len(passed)})</h2><table><tr><th>code</th><th>rule</th><th>level</th>")
        body.append(f"<th>side</th><th>spec</th></tr>{rows}</table>")
    body.append("</main>")
    return page(f"speccheck: {info.target}", body)
