"""Everything PEP 3333: rules, WSGILint, the reference driver, the probe app."""

from __future__ import annotations

from wsgi_checks._exchange import exchange_from_environ
from wsgi_checks._lint import WSGILint
from wsgi_checks._middleware import check_middleware, probe_app
from wsgi_checks._rules import HTTP_CODES, RULES

__all__ = ["HTTP_CODES", "RULES", "WSGILint", "check_middleware", "exchange_from_environ", "probe_app"]
