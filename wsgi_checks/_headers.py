"""App side: the status and headers handed to start_response (W511-W522, H104, H105, H109).

https://peps.python.org/pep-3333/#the-start-response-callable

Hot path: a status string seen before and found good is looked up in a small cache;
a header name seen before and found good maps straight to its lower-case form; a
value is accepted by two C-level string predicates (``isascii`` and ``isprintable``)
and only looked at closely when one of them says no.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from speccheck._http import TOKEN_RE, VALUE_BAD_RE

if TYPE_CHECKING:
    from wsgi_checks._call import Call

__all__ = ["check_headers", "check_status"]

_STATUS = re.compile(r"([0-9]{3}) ([^\x00-\x1f\x7f]*)\Z")
_CTL = re.compile(r"[\x00-\x1f\x7f]")
_CACHE_LIMIT = 512
_good_status: dict[str, int] = {}
_good_names: dict[str, str] = {}
# Header tuples found good -> their Content-Length (or -1 for other headers).
_good_items: dict[tuple[str, str], int] = {}
_ITEMS_LIMIT = 4096
# PEP 3333 "Other HTTP Features": RFC 2616 13.5.1 hop-by-hop headers; Transfer-Encoding has its own rule.
_HOP_BY_HOP = frozenset(
    {"connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te", "trailers", "upgrade"}
)
_SPECIAL = _HOP_BY_HOP | {"transfer-encoding", "status", "content-length"}


def check_status(call: Call, status: Any) -> int:
    """Check the status; return its code (0 if it has none we can read)."""
    if type(status) is str:
        code = _good_status.get(status)
        if code is not None:
            return code
    else:
        # "where you see the word "string" in this document, it refers to a "native" string"
        call.app("W511", f"status is {status!r} ({type(status).__name__}), not a str", signature=type(status).__name__)
        if not isinstance(status, (bytes, bytearray)):
            return 0
        status = bytes(status).decode("latin-1")
    good = True
    if _CTL.search(status):
        # "The string must not contain control characters, and must not be terminated with a carriage return, linefeed"
        call.app("W513", f"status {status!r} contains a control character", signature=status)
        good = False
    if not status.isascii() and max(status) > "\xff":
        # "It is a fatal error for an application to supply strings containing any other Unicode character"
        call.app("W514", f"status {status!r} has characters above U+00FF", signature=status)
        good = False
    match = _STATUS.match(status)
    if match is None or status != status.strip() or "  " in status[3:5]:
        if good:  # a control character already explains a broken shape
            # "a Status-Code and a Reason-Phrase, in that order and separated by a single space, with no surrounding whitespace"
            call.app(
                "W512", f"status {status!r} is not 'DDD Reason-Phrase'", expected="e.g. '200 OK'", signature=status
            )
        good = False
        head = status.strip()[:3]
        code = int(head) if head.isdigit() and head.isascii() else 0
    else:
        code = int(match.group(1))
    if code and not 100 <= code <= 599:
        # RFC 9110 15: "The status code of a response is a three-digit integer code"; classes 1xx-5xx.
        call.app("H109", f"status code {code} is outside 100-599", signature=str(code))
        good = False
    if good and type(status) is str and len(_good_status) < _CACHE_LIMIT:
        _good_status[status] = code
    return code


def check_headers(call: Call, headers: Any, code: int) -> int | None:
    """Check the header list; return the declared Content-Length (None if absent or invalid)."""
    if type(headers) is list and code >= 200 and code != 204:
        # Fast path: every header already seen and found good (Content-Length ones carry their value).
        length = None
        get = _good_items.get
        try:
            for item in headers:
                known = get(item, -2)
                if known == -1:
                    continue
                if known == -2 or (length is not None and length != known):
                    break
                length = known
            else:
                return length
        except TypeError:  # an unhashable item: the slow path says what is wrong with it
            pass
    return _check_all(call, headers, code)


def _check_all(call: Call, headers: Any, code: int) -> int | None:
    if type(headers) is not list:
        # "It must be a Python list; i.e. type(response_headers) is ListType"
        call.app(
            "W515", f"response_headers is a {type(headers).__name__}, not a list", signature=type(headers).__name__
        )
        try:
            headers = list(headers)
        except TypeError:
            return None
    length: int | None = None
    lengths = 0
    for item in headers:
        if type(item) is not tuple or len(item) != 2:
            # "The response_headers argument is a list of (header_name, header_value) tuples."
            call.app("W516", f"header {item!r} is not a (name, value) tuple", signature=type(item).__name__)
            continue
        name, value = item
        if type(name) is not str or type(value) is not str:
            call.app("W516", f"header {item!r} is not a pair of str", signature="types")
            continue
        good = True
        lname = _good_names.get(name)
        if lname is None:
            lname, good = _check_name(call, name)
        if not (value.isascii() and value.isprintable()):
            good = _check_value(call, name, value) and good
        number = -1
        if lname in _SPECIAL:
            if lname == "content-length":
                lengths += 1
                length = _content_length(call, value, code, length, lengths)
                if length is None or code < 200 or code == 204:
                    good = False
                else:
                    number = length
            else:
                good = False
                if lname == "transfer-encoding":
                    # "applications must not apply any kind of Transfer-Encoding to their output, such as chunking or gzipping"
                    call.app("W521", f"the app set Transfer-Encoding: {value}", signature=value)
                elif lname == "status":
                    call.app("W522", f"the app set a {name!r} header", signature=name)
                else:
                    # "WSGI applications must not generate any "hop-by-hop" headers"
                    call.app("W520", f"the app set the hop-by-hop header {name!r}", signature=lname)
        if good and len(_good_items) < _ITEMS_LIMIT:
            _good_items[item] = number
    return length


def _check_name(call: Call, name: str) -> tuple[str, bool]:
    lname = name.lower()
    if not TOKEN_RE.match(name):
        if not name.isascii() and max(name) > "\xff":
            call.app("W519", f"header name {name!r} has characters above U+00FF", signature=name)
        else:
            # "Each header_name must be a valid HTTP header field-name ..., without a trailing colon or other punctuation."
            call.app("W517", f"header name {name!r} is not an HTTP token", signature=name)
        return lname, False
    if len(_good_names) < _CACHE_LIMIT:
        _good_names[name] = lname
    return lname, True


def _check_value(call: Call, name: str, value: str) -> bool:
    good = True
    if VALUE_BAD_RE.search(value):
        good = False
        # "Each header_value must not include any control characters, including carriage returns or linefeeds"
        call.app("W518", f"value of header {name!r} contains a control character: {value!r}", signature=name)
    if not value.isascii() and max(value) > "\xff":
        good = False
        call.app("W519", f"value of header {name!r} has characters above U+00FF: {value!r}", signature=name)
    return good


def _content_length(call: Call, value: str, code: int, previous: int | None, seen: int) -> int | None:
    if code and (code < 200 or code == 204):
        # RFC 9110 8.6: "A server MUST NOT send a Content-Length header field in any response
        # with a status code of 1xx (Informational) or 204 (No Content)."
        call.app("H104", f"a {code} response has Content-Length: {value}", signature=str(code))
    text = value.strip(" \t")
    if not (text.isdigit() and text.isascii()):
        # RFC 9110 8.6: "Content-Length = 1*DIGIT"
        call.app("H105", f"Content-Length {value!r} is not a decimal number", signature=value)
        return None
    number = int(text)
    if seen > 1 and previous != number:
        call.app("H105", "the app sent several different Content-Length headers", signature="several")
        return None
    return number
