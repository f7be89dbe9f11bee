"""Header list checks for scopes and for every event that carries headers.

https://asgi.readthedocs.io/en/latest/specs/www.html#response-start-send-event
  "An iterable of [name, value] two-item iterables ... Header names must be lowercased.
  ... Pseudo headers (present in HTTP/2 and HTTP/3) must not be present."
https://asgi.readthedocs.io/en/latest/specs/www.html#http-connection-scope
  "Header names should be lowercased, but it is not required ... Pseudo headers ...
  must be removed"
RFC 9110 5.1 (field-name = token), 5.5 (no CR/LF/NUL in values): H106, H107.

`scan(headers)` returns the pairs as a list of ``(name, value)`` bytes plus the problems
found, so callers check the shape once and reuse the pairs (content-length, trailers).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from speccheck._http import TOKEN_BYTES_RE, VALUE_BAD_BYTES_RE

__all__ = ["NO_HEADERS", "HeaderScan", "scan"]

NO_HEADERS: list[Any] = []  # the default of an absent headers key (never mutated)

_match_token = TOKEN_BYTES_RE.match
_search_bad = VALUE_BAD_BYTES_RE.search
# A lowercase token: the name is fine for every rule here. Names seen to be fine are
# remembered (bounded), so the common case is one set lookup per header.
_match_good = re.compile(rb"[!#$%&'*+\-.^_`|~0-9a-z]+\Z").match
_GOOD: set[bytes] = set()
_GOOD_MAX = 4096


class HeaderScan:
    """What one header list looked like. Lists are empty when all is well."""

    __slots__ = ("bad_chars", "bad_name", "not_lower", "pairs", "pseudo", "shape", "tuples")

    def __init__(self) -> None:
        self.tuples = 0  # entries (or the list itself) given as tuples: A116 for events
        self.pairs: list[tuple[bytes, bytes]] = []
        self.shape: list[str] = []  # descriptions of malformed entries
        self.not_lower: list[bytes] = []
        self.pseudo: list[bytes] = []
        self.bad_name: list[bytes] = []
        self.bad_chars: list[bytes] = []


def scan(headers: Any, *, http_chars: bool = False) -> HeaderScan:
    """Check shape, lowercase and pseudo-headers; with ``http_chars`` also the RFC 9110
    token / control-character rules (for response headers)."""
    result = HeaderScan()
    if type(headers) is not list and (isinstance(headers, str | bytes | dict) or not isinstance(headers, Iterable)):
        result.shape.append(f"headers must be an iterable of [name, value] pairs, got {type(headers).__name__}")
        return result
    pairs = result.pairs
    append = pairs.append
    good = _GOOD
    if type(headers) is tuple:
        result.tuples += 1
    count = 0
    for item in headers:
        count += 1
        if count > 10_000:
            break
        cls = type(item)
        if cls is list and len(item) == 2:
            name, value = item
            if type(name) is bytes and type(value) is bytes and name in good:
                append((name, value))
                if http_chars and _search_bad(value):
                    result.bad_chars.append(name)
                continue
        elif cls is tuple:
            result.tuples += 1
        elif isinstance(item, str | bytes) or not isinstance(item, Iterable):
            result.shape.append(f"header entry {item!r:.60} is not a [name, value] pair")
            continue
        else:
            item = list(item)
        if len(item) != 2:
            result.shape.append(f"header entry {item!r:.60} has {len(item)} items, not 2")
            continue
        name, value = item
        if type(name) is not bytes or type(value) is not bytes:
            result.shape.append(
                f"header entry [{name!r:.40}, {value!r:.40}] is [{type(name).__name__}, {type(value).__name__}],"
                " not [bytes, bytes]"
            )
            continue
        append((name, value))
        if _match_good(name):
            if len(good) < _GOOD_MAX:
                good.add(name)
            if http_chars and _search_bad(value):
                result.bad_chars.append(name)
            continue
        if name[:1] == b":":
            result.pseudo.append(name)
            continue
        if name != name.lower():
            result.not_lower.append(name)
        if http_chars:
            if not _match_token(name):
                result.bad_name.append(name)
            if _search_bad(value):
                result.bad_chars.append(name)
    return result
