"""Request sent vs environ/scope observed by the probe (rules S101-S118): the WSGI
oracle (``_oracle_wsgi``), the ASGI oracle (``_oracle_asgi``) and what they share
(``_oracle_common``), under one name."""

from __future__ import annotations

from speccheck.server._oracle_asgi import ASGI_CODES, check_asgi_request
from speccheck.server._oracle_common import grouped as _grouped
from speccheck.server._oracle_common import header_signature as _header_signature
from speccheck.server._oracle_common import path_variants, wire_headers
from speccheck.server._oracle_wsgi import WSGI_CODES, check_wsgi_request

__all__ = [
    "ASGI_CODES",
    "WSGI_CODES",
    "_grouped",
    "_header_signature",
    "check_asgi_request",
    "check_wsgi_request",
    "path_variants",
    "wire_headers",
]
