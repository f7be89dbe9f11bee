"""Everything ASGI: rules, ASGILint, the reference driver, the probe app."""

from __future__ import annotations

from asgi_checks._exchange import exchange_from_scope
from asgi_checks._lint import ASGILint
from asgi_checks._machines import HTTP_RECEIVE, HTTP_SEND, LIFESPAN, WEBSOCKET
from asgi_checks._rules import H_CODES, RULES

__all__ = ["HTTP_RECEIVE", "HTTP_SEND", "H_CODES", "LIFESPAN", "RULES", "WEBSOCKET", "ASGILint", "exchange_from_scope"]
