"""Every rule of the ASGI pack (prefix ``A``), plus the lookup the lint uses.

A1xx general / message schema, A2xx http scope and receive (server), A3xx http send
and state machine (app), A4xx websocket, A5xx lifespan, A6xx extensions and TLS,
A7xx spec-version gating. The lint also checks the shared HTTP rules H101-H109.
"""

from __future__ import annotations

from asgi_checks._rules_general import RULES as _GENERAL
from asgi_checks._rules_http import RULES as _HTTP
from asgi_checks._rules_other import RULES as _OTHER
from asgi_checks._rules_ws import RULES as _WS
from speccheck._http_rules import RULES as _H
from speccheck._rules import Rule

__all__ = ["H_CODES", "RULE", "RULES"]

RULES: tuple[Rule, ...] = _GENERAL + _HTTP + _WS + _OTHER

# The shared HTTP rules this pack checks on ASGI responses.
H_CODES: tuple[str, ...] = ("H101", "H102", "H103", "H104", "H105", "H106", "H107", "H108", "H109")

RULE: dict[str, Rule] = {r.code: r for r in RULES} | {r.code: r for r in _H if r.code in H_CODES}
