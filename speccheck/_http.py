"""Small HTTP facts shared by both spec packs (RFC 9110/9112)."""

from __future__ import annotations

import re

__all__ = [
    "CONNECTION_SPECIFIC",
    "HOP_BY_HOP",
    "NO_CONTENT_STATUSES",
    "TOKEN_BYTES_RE",
    "TOKEN_RE",
    "VALUE_BAD_BYTES_RE",
    "VALUE_BAD_RE",
    "content_forbidden",
]

# RFC 9110 5.6.2: token = 1*tchar
TOKEN_RE = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+\Z")
TOKEN_BYTES_RE = re.compile(rb"[!#$%&'*+\-.^_`|~0-9A-Za-z]+\Z")
# RFC 9110 5.5: field values are VCHAR / obs-text / SP / HTAB; CTLs (incl. DEL) never.
VALUE_BAD_RE = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")
VALUE_BAD_BYTES_RE = re.compile(rb"[\x00-\x08\x0a-\x1f\x7f]")

# PEP 3333 "Other HTTP Features" (RFC 2616 13.5.1 hop-by-hop list).
HOP_BY_HOP = frozenset(
    {
        "connection",
        "keep-alive",
        "proxy-authenticate",
        "proxy-authorization",
        "te",
        "trailers",
        "transfer-encoding",
        "upgrade",
    }
)
# RFC 9110 7.6.1 connection-specific fields an origin app should never set.
CONNECTION_SPECIFIC = frozenset({"connection", "keep-alive", "proxy-connection", "te", "transfer-encoding", "upgrade"})


def content_forbidden(status: int) -> bool:
    """1xx, 204 and 304 responses never carry content (RFC 9110 6.4.1)."""
    return status < 200 or status == 204 or status == 304


NO_CONTENT_STATUSES = frozenset({204, 304} | set(range(100, 200)))
