"""Rule definitions of the WSGI spec pack: PEP 3333, server and application side."""

from __future__ import annotations

from speccheck._rules import Rule
from wsgi_checks._rules_app import APP_RULES
from wsgi_checks._rules_more import MORE_RULES
from wsgi_checks._rules_server import SERVER_RULES

__all__ = ["HTTP_CODES", "RULES"]

RULES: tuple[Rule, ...] = SERVER_RULES + MORE_RULES + APP_RULES

# The shared HTTP-derived rules (speccheck._http_rules) that WSGILint checks.
HTTP_CODES: tuple[str, ...] = ("H101", "H102", "H103", "H104", "H105", "H109")
