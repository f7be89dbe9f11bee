"""Everything ASGI: rules, ASGILint, the reference driver, the probe app.

    from asgi_checks import ASGILint

    app = ASGILint(app, mode="collect")      # "warn" (default) | "raise" | "collect"
    starlette_app.add_middleware(ASGILint, mode="warn", ignore="A116")
    ...
    for violation in app.violations: print(violation)

``RULES`` are the pack's rules (codes A1xx-A7xx); ``H_CODES`` the shared HTTP rules the
lint also applies; ``HTTP_RECEIVE``, ``HTTP_SEND``, ``WEBSOCKET`` and ``LIFESPAN`` are
the transition tables it runs; ``exchange_from_scope`` describes a scope as an Exchange.
"""

from __future__ import annotations

from asgi_checks._exchange import exchange_from_scope
from asgi_checks._lint import ASGILint
from asgi_checks._machines import HTTP_RECEIVE, HTTP_SEND, LIFESPAN, WEBSOCKET
from asgi_checks._rules import H_CODES, RULES

__all__ = ["HTTP_RECEIVE", "HTTP_SEND", "H_CODES", "LIFESPAN", "RULES", "WEBSOCKET", "ASGILint", "exchange_from_scope"]
