"""The JSON report: the machine-readable record of a run (schema: docs/report-schema.json).

Values are kept exactly as observed: JSON escaping makes them safe to parse. Beyond
what `json.dumps` escapes, lone surrogates (which UTF-8 cannot encode), DEL and the
C1 controls (which some terminals obey when the file is printed), the bidi controls
and U+2028/U+2029 are written as ``\\uXXXX`` escapes too: same data, inert bytes.
"""

from __future__ import annotations

import json
import re

from speccheck._run import RunResult

__all__ = ["SCHEMA_VERSION", "dumps", "render_json", "report_dict"]

SCHEMA_VERSION = 1

# Only ever inside JSON strings (keys and structure are ASCII), where \\uXXXX is valid.
_ESCAPE = re.compile("[\x7f-\x9f\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


def dumps(data: object) -> str:
    """``data`` as indented JSON text, encodable as UTF-8 and inert on a terminal."""
    text = json.dumps(data, indent=2, ensure_ascii=False, default=repr)
    return _ESCAPE.sub(lambda m: f"\\u{ord(m.group()):04x}", text) + "\n"


def report_dict(result: RunResult) -> dict[str, object]:
    """The report as plain data (what `render_json` serialises)."""
    info = result.info
    summary = info.to_dict()
    summary["target_output"] = info.target_output
    summary["counts"] = result.counts()
    return {
        "schema_version": SCHEMA_VERSION,
        "summary": summary,
        "violations": [v.to_dict() for v in result.violations],
        "rules_checked": [r.code for r in result.checked],
        "rules_passed": [r.code for r in result.passed()],
    }


def render_json(result: RunResult) -> str:
    return dumps(report_dict(result))
