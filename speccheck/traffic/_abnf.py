"""The character classes generation stays inside, and the checks that prove it.

Every generated request-target, header name and header value is built from these
classes, so a plan is legal HTTP/1.1 by construction; the regular expressions are
what the tests (and users) check the output against.
"""

from __future__ import annotations

import re
import string

__all__ = [
    "FIELD_VALUE_RE",
    "ORIGIN_FORM_RE",
    "PCHAR_LITERAL",
    "QUERY_LITERAL",
    "TCHAR",
    "TOKEN_RE",
    "is_field_value",
    "is_origin_form",
    "is_token",
    "pct_encode",
]

# RFC 9110 5.6.2 https://www.rfc-editor.org/rfc/rfc9110#section-5.6.2
# "tchar = "!" / "#" / "$" / "%" / "&" / "'" / "*" / "+" / "-" / "." / "^" / "_" / "`" / "|" / "~" / DIGIT / ALPHA"
TCHAR = "!#$%&'*+-.^_`|~" + string.digits + string.ascii_letters
TOKEN_RE = re.compile(rb"[!#$%&'*+\-.^_`|~0-9A-Za-z]+\Z")

# RFC 3986 2.2, 2.3, 3.3 https://www.rfc-editor.org/rfc/rfc3986#section-3.3
# "pchar = unreserved / pct-encoded / sub-delims / ":" / "@""
UNRESERVED = string.ascii_letters + string.digits + "-._~"
SUB_DELIMS = "!$&'()*+,;="
PCHAR_LITERAL = UNRESERVED + SUB_DELIMS + ":@"
# RFC 3986 3.4: "query = *( pchar / "/" / "?" )"
QUERY_LITERAL = PCHAR_LITERAL + "/?"

# RFC 9112 3.2.1 https://www.rfc-editor.org/rfc/rfc9112#section-3.2.1
# "origin-form = absolute-path [ "?" query ]"; absolute-path = 1*( "/" segment ) (RFC 9110 4.1).
_PCHAR = rb"(?:[A-Za-z0-9\-._~!$&'()*+,;=:@]|%[0-9A-Fa-f]{2})"
ORIGIN_FORM_RE = re.compile(rb"(?:/" + _PCHAR + rb"*)+(?:\?(?:" + _PCHAR + rb"|[/?])*)?\Z")

# RFC 9110 5.5 https://www.rfc-editor.org/rfc/rfc9110#section-5.5
# "field-value = *field-content; field-content = field-vchar [ 1*( SP / HTAB / field-vchar ) field-vchar ]"
# field-vchar = VCHAR / obs-text, so no leading or trailing whitespace and no CTL.
FIELD_VALUE_RE = re.compile(rb"(?:[\x21-\x7e\x80-\xff](?:[\x20\x09\x21-\x7e\x80-\xff]*[\x21-\x7e\x80-\xff])?)?\Z")

_LITERAL_BYTES = {ord(c) for c in PCHAR_LITERAL}
_QUERY_BYTES = {ord(c) for c in QUERY_LITERAL}
_HEX = b"0123456789ABCDEF"


def pct_encode(raw: bytes, *, query: bool = False, lower: bool = False) -> bytes:
    """Percent-encode every byte of ``raw`` that may not appear literally in a path
    segment (or, with ``query=True``, in a query). ``%`` itself is always encoded."""
    keep = _QUERY_BYTES if query else _LITERAL_BYTES
    hexdigits = _HEX.lower() if lower else _HEX
    out = bytearray()
    for byte in raw:
        if byte in keep:
            out.append(byte)
        else:
            out += b"%" + hexdigits[byte >> 4 : (byte >> 4) + 1] + hexdigits[byte & 15 : (byte & 15) + 1]
    return bytes(out)


def is_origin_form(target: bytes) -> bool:
    """True if ``target`` is a legal origin-form request-target (RFC 9112 3.2.1)."""
    return ORIGIN_FORM_RE.match(target) is not None


def is_token(name: bytes) -> bool:
    """True if ``name`` is a legal token, e.g. a method or a header field name (RFC 9110 5.6.2)."""
    return TOKEN_RE.match(name) is not None


def is_field_value(value: bytes) -> bool:
    """True if ``value`` is a legal field value as it comes out of a parser: VCHAR,
    obs-text, SP and HTAB, without leading or trailing whitespace (RFC 9110 5.5)."""
    return FIELD_VALUE_RE.match(value) is not None
