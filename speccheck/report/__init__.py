"""Reports: every output of a run renders one `speccheck.RunResult`.

Formats: ``terminal`` (grouped, coloured, for people), ``json`` (the machine record,
schema in docs/report-schema.json), ``junit`` (CI test dashboards), ``sarif``
(code-scanning dashboards), ``html`` (one self-contained page) and ``markdown``
(pull-request comments); plus `render_matrix` for server mode's conformance matrix.
`TerminalHandler` and `ReportWriter` subscribe to the engine's event stream.
"""

from speccheck.report._handlers import ReportWriter, TerminalHandler
from speccheck.report._matrix import render_matrix
from speccheck.report._spec import (
    FORMATS,
    ReportSpec,
    check_writable,
    default_path,
    default_reports,
    parse_report_spec,
)
from speccheck.report._write import render, write_reports

__all__ = [
    "FORMATS",
    "ReportSpec",
    "ReportWriter",
    "TerminalHandler",
    "check_writable",
    "default_path",
    "default_reports",
    "parse_report_spec",
    "render",
    "render_matrix",
    "write_reports",
]
