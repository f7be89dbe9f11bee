"""Everything ASGI: rules, ASGILint, the reference driver, the probe app."""

from __future__ import annotations

from asgi_checks._rules import RULES

__all__ = ["RULES"]
