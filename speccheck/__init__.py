"""speccheck: the engine shared by the WSGI and ASGI spec packs.

Rules as data, violations, the collector, the event stream and the reports.
The lint middlewares live in ``wsgi_checks`` and ``asgi_checks``.
"""

from speccheck._catalogue import all_rules, get_rule
from speccheck._collector import Collector
from speccheck._errors import (
    AppSpecViolation,
    InternalError,
    ServerSpecViolation,
    SpecViolation,
    SpecWarning,
    UsageError,
)
from speccheck._outcome import exit_code
from speccheck._rules import Check, Level, Rule, Side, Spec
from speccheck._run import RunInfo, RunResult
from speccheck._sink import Mode, Sink
from speccheck._version import __version__
from speccheck._violations import Exchange, Location, Violation

__all__ = [
    "AppSpecViolation",
    "Check",
    "Collector",
    "Exchange",
    "InternalError",
    "Level",
    "Location",
    "Mode",
    "Rule",
    "RunInfo",
    "RunResult",
    "ServerSpecViolation",
    "Side",
    "Sink",
    "Spec",
    "SpecViolation",
    "SpecWarning",
    "UsageError",
    "Violation",
    "__version__",
    "all_rules",
    "exit_code",
    "get_rule",
]
