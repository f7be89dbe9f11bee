"""The SARIF 2.1.0 report, for code-scanning dashboards (GitHub, GitLab, VS Code).

SARIF 2.1.0 (OASIS): https://docs.oasis-open.org/sarif/sarif/v2.1.0/sarif-v2.1.0.html
- every rule checked is a ``reportingDescriptor`` in ``tool.driver.rules`` (3.49);
- a result's ``level`` is one of none/note/warning/error (3.27.10): MUST maps to
  error, SHOULD to warning, advice to note;
- app-side findings with a source line carry a ``physicalLocation`` whose
  ``artifactLocation.uri`` is relative to ``%SRCROOT%`` (the working directory)
  when the file lies inside it (3.4.4, 3.14.14), else an absolute ``file:`` URI.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

from speccheck._rules import Rule
from speccheck._run import RunResult
from speccheck._violations import Location, Violation
from speccheck.report._json import dumps, report_dict
from speccheck.report._text import exchange_line, exit_meaning, pack_of, rules_in, visible

__all__ = ["SARIF_LEVELS", "SARIF_SCHEMA", "render_sarif", "sarif_dict"]

SARIF_SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
SARIF_LEVELS: dict[str, str] = {"must": "error", "should": "warning", "advice": "note"}
_INFO_URI = "https://github.com/speccheck/speccheck"
_SRCROOT = "%SRCROOT%"


def _descriptor(rule: Rule) -> dict[str, object]:
    return {
        "id": rule.code,
        "name": rule.name,
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": f"{rule.summary} ({rule.spec.title})" + (f" Fix: {rule.fix}" if rule.fix else "")},
        "helpUri": rule.url,
        "help": {"text": rule.fix or rule.summary},
        "defaultConfiguration": {"level": SARIF_LEVELS[rule.level.value], "enabled": rule.default},
        "properties": {
            "side": rule.side.value,
            "pack": pack_of(rule),
            "spec": rule.spec.title,
            "check": rule.check.value,
            "tags": [rule.side.value, pack_of(rule), rule.level.value],
        },
    }


def _artifact_location(location: Location, cwd: Path) -> dict[str, object]:
    path = Path(location.file)
    absolute = path if path.is_absolute() else cwd / path
    try:
        relative = absolute.resolve().relative_to(cwd.resolve())
    except (ValueError, OSError):
        return {"uri": absolute.as_uri()}
    return {"uri": quote(relative.as_posix()), "uriBaseId": _SRCROOT}


def _message(v: Violation) -> str:
    text = f"{v.code} {v.name}: {v.message}"
    if v.observed or v.expected:
        text += f" (observed {v.observed or '-'}; expected {v.expected or '-'})"
    if v.exchange is not None:
        text += f" [exchange: {exchange_line(v.exchange)}]"
    if v.count > 1:
        text += f" (seen {v.count} times)"
    return visible(text)


def _result(v: Violation, index: int, cwd: Path) -> dict[str, object]:
    result: dict[str, object] = {
        "ruleId": v.code,
        "ruleIndex": index,
        "level": SARIF_LEVELS[v.level],
        "kind": "fail",
        "message": {"text": _message(v)},
        "partialFingerprints": {"speccheckKey/v1": f"{v.code}:{v.signature or v.message}"},
        "properties": {
            "side": v.side,
            "observed": v.observed,
            "expected": v.expected,
            "count": v.count,
            "exchange": v.exchange.to_dict() if v.exchange is not None else None,
        },
    }
    if v.location is not None and v.side == "app" and v.location.line > 0:
        physical = {
            "artifactLocation": _artifact_location(v.location, cwd),
            "region": {"startLine": v.location.line},
        }
        location: dict[str, object] = {"physicalLocation": physical}
        if v.location.function:
            location["logicalLocations"] = [{"name": v.location.function, "kind": "function"}]
        result["locations"] = [location]
    return result


def sarif_dict(result: RunResult, cwd: Path | None = None) -> dict[str, object]:
    """The SARIF log as plain data; ``cwd`` (default: the current directory) is ``%SRCROOT%``."""
    root = (cwd or Path.cwd()).absolute()
    info = result.info
    rules = rules_in(result)
    index = {r.code: i for i, r in enumerate(rules)}
    code, meaning = exit_meaning(result)
    invocation: dict[str, object] = {
        "executionSuccessful": info.status == "complete",
        "exitCode": code,
        "exitCodeDescription": visible(meaning),
        "startTimeUtc": info.started.isoformat(timespec="seconds").replace("+00:00", "Z"),
    }
    if info.argv:
        invocation["arguments"] = list(info.argv)
    if info.error:
        invocation["toolExecutionNotifications"] = [{"level": "error", "message": {"text": visible(info.error)}}]
    summary = report_dict(result)["summary"]
    return {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "speccheck",
                        "version": info.speccheck_version,
                        "informationUri": _INFO_URI,
                        "rules": [_descriptor(r) for r in rules],
                    }
                },
                "invocations": [invocation],
                "originalUriBaseIds": {_SRCROOT: {"uri": root.as_uri().rstrip("/") + "/"}},
                "results": [_result(v, index[v.code], root) for v in result.violations],
                "properties": {"summary": summary},
            }
        ],
    }


def render_sarif(result: RunResult, cwd: Path | None = None) -> str:
    return dumps(sarif_dict(result, cwd))
