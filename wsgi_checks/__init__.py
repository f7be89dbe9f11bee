"""Everything PEP 3333: rules, WSGILint, the reference driver, the probe app."""

from __future__ import annotations

from wsgi_checks._rules import RULES

__all__ = ["RULES"]
