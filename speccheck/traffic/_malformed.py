"""``malformed_requests()``: requests that break HTTP/1.1 in exactly one labelled way.

For parsing-rejection tests. Each is a legal ``requests()`` plan with one defect put
in, and says what is wrong and what RFC 9110/9112 lets a server do about it: some
defects MUST be rejected with 400, others only SHOULD or MAY be (a server that
processes them in the documented way is conforming, so an oracle must accept both).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Literal, get_args

from hypothesis import currently_in_test_context
from hypothesis import strategies as st

from speccheck._errors import UsageError
from speccheck.traffic._plans import RequestPlan
from speccheck.traffic._requests import requests

__all__ = [
    "MALFORMED_KINDS",
    "MalformedKind",
    "MalformedRequest",
    "Rejection",
    "malformed_requests",
    "sample_malformed",
]

MalformedKind = Literal[
    "content-length-and-chunked",
    "conflicting-content-lengths",
    "invalid-content-length",
    "bad-chunk-size",
    "missing-host",
    "whitespace-before-colon",
    "malformed-http-version",
    "unsupported-http-version",
    "obs-fold",
]
Rejection = Literal["must", "should", "may"]
_RFC9112 = "https://www.rfc-editor.org/rfc/rfc9112"
_RFC9110 = "https://www.rfc-editor.org/rfc/rfc9110"

# kind -> (what RFC lets a server do, spec URL, what is wrong)
_KINDS: dict[MalformedKind, tuple[Rejection, str, str]] = {
    # "A server MAY reject a request that contains both Content-Length and Transfer-Encoding or process
    # such a request in accordance with the Transfer-Encoding alone. Regardless, the server MUST close
    # the connection after responding to such a request" (RFC 9112 6.1)
    "content-length-and-chunked": (
        "may",
        f"{_RFC9112}#section-6.1",
        "both Content-Length and Transfer-Encoding: chunked; a server may reject it or use chunked alone, "
        "and must close the connection after responding",
    ),
    # "the message framing is invalid and the recipient MUST treat it as an unrecoverable error ...
    # the server MUST respond with a 400 (Bad Request) status code and then close the connection" (6.3)
    "conflicting-content-lengths": (
        "must",
        f"{_RFC9112}#section-6.3",
        "two Content-Length fields with different values: invalid framing, 400 and close",
    ),
    "invalid-content-length": (
        "must",
        f"{_RFC9112}#section-6.3",
        "a Content-Length that is not a non-negative decimal: invalid framing, 400 and close",
    ),
    # chunk-size = 1*HEXDIG (RFC 9112 7.1); a bad one makes the framing invalid (6.3).
    "bad-chunk-size": (
        "must",
        f"{_RFC9112}#section-7.1",
        "a chunk-size that is not 1*HEXDIG: the chunked framing cannot be parsed",
    ),
    # "A server MUST respond with a 400 (Bad Request) status code to any HTTP/1.1 request message that
    # lacks a Host header field" (RFC 9112 3.2)
    "missing-host": ("must", f"{_RFC9112}#section-3.2", "an HTTP/1.1 request without Host: 400"),
    # "A server MUST reject, with a response status code of 400 (Bad Request), any received request
    # message that contains whitespace between a header field name and colon." (RFC 9112 5.1)
    "whitespace-before-colon": (
        "must",
        f"{_RFC9112}#section-5.1",
        "whitespace between a field name and the colon: 400",
    ),
    # "Recipients of an invalid request-line SHOULD respond with either a 400 (Bad Request) error or a
    # 301 (Moved Permanently) redirect" (RFC 9112 3)
    "malformed-http-version": (
        "should",
        f"{_RFC9112}#section-3",
        "an HTTP-version that is not HTTP/DIGIT.DIGIT: an invalid request-line, 400 (or 301)",
    ),
    # 505 "the server does not support, or refuses to support, the major version of HTTP that was used
    # in the request message" (RFC 9110 15.6.6); an HTTP/1 server may also answer in 1.1.
    "unsupported-http-version": (
        "may",
        f"{_RFC9110}#section-15.6.6",
        "a well-formed but unsupported major version (HTTP/2.0 and up in HTTP/1 syntax): 505 allowed",
    ),
    # "A server that receives an obs-fold in a request message ... MUST either reject the message by
    # sending a 400 (Bad Request) ... or replace each received obs-fold with one or more SP octets"
    # (RFC 9112 5.2)
    "obs-fold": (
        "may",
        f"{_RFC9112}#section-5.2",
        "a field value folded over two lines (obs-fold): reject with 400 or unfold to SP",
    ),
}
MALFORMED_KINDS: tuple[MalformedKind, ...] = get_args(MalformedKind)

_BAD_CHUNK_SIZES = (b"", b"g", b"zz", b"-5", b"0x5", b" 5", b"+5", b"5.0")
_BAD_CONTENT_LENGTHS = (b"abc", b"-1", b"+5", b"1.5", b"0x10", b"5 5", b"1e3", b"")
_BAD_VERSIONS = (b"HTTP/1", b"HTTP/1.1.1", b"http/1.1", b"HTTP/11.1", b"HTTP/1.x", b"HTTPS/1.1", b"HTTP/ 1.1")
_HIGH_VERSIONS = ("2.0", "3.0", "4.0", "9.9")


@dataclass(frozen=True, slots=True)
class MalformedRequest:
    """A request with one defect: ``kind``, in words ``reason``, what a server must, should
    or may do about it (``rejection``: reject with a 4xx/5xx), the ``spec_url`` saying so,
    the bytes to send (``data``) and the legal ``base`` plan it was made from."""

    kind: MalformedKind
    reason: str
    rejection: Rejection
    spec_url: str
    data: bytes
    base: RequestPlan

    def to_bytes(self) -> bytes:
        """The bytes to send, as for ``RequestPlan.to_bytes``."""
        return self.data


def _insert_header(plan: RequestPlan, at: int, field: tuple[bytes, bytes]) -> RequestPlan:
    headers = list(plan.headers)
    headers.insert(at % (len(headers) + 1), field)
    return replace(plan, headers=tuple(headers))


def _after_request_line(data: bytes, line: bytes) -> bytes:
    end = data.index(b"\r\n") + 2
    return data[:end] + line + b"\r\n" + data[end:]


def _build(kind: MalformedKind, base: RequestPlan, pick: int, extra: int) -> bytes:
    body_len = len(base.body)
    if kind == "content-length-and-chunked":
        plan = _insert_header(replace(base, framing="chunked"), pick, (b"Content-Length", b"%d" % body_len))
        return plan.to_bytes()
    if kind == "conflicting-content-lengths":
        other = body_len + 1 + extra
        return _insert_header(base, pick, (b"Content-Length", b"%d" % other)).to_bytes()
    if kind == "invalid-content-length":
        bad = _BAD_CONTENT_LENGTHS[pick % len(_BAD_CONTENT_LENGTHS)]
        return _insert_header(replace(base, framing="none"), extra, (b"Content-Length", bad)).to_bytes()
    if kind == "bad-chunk-size":
        head = replace(base, body=b"", chunks=(), framing="chunked").to_bytes()[: -len(b"0\r\n\r\n")]
        bad = _BAD_CHUNK_SIZES[pick % len(_BAD_CHUNK_SIZES)]
        piece = base.body or b"x"
        return head + bad + b"\r\n" + piece + b"\r\n0\r\n\r\n"
    if kind == "missing-host":
        return replace(base, host=None, http_version="1.1").to_bytes()
    if kind == "whitespace-before-colon":
        space = (b" ", b"\t", b"  ")[pick % 3]
        return _insert_header(base, extra, (b"X-Spaced" + space, b"1")).to_bytes()
    if kind == "malformed-http-version":
        data = base.to_bytes()
        end = data.index(b"\r\n")
        line = data[:end].rsplit(b" ", 1)[0] + b" " + _BAD_VERSIONS[pick % len(_BAD_VERSIONS)]
        return line + data[end:]
    if kind == "unsupported-http-version":
        return replace(base, http_version=_HIGH_VERSIONS[pick % len(_HIGH_VERSIONS)]).to_bytes()
    # obs-fold
    return _after_request_line(base.to_bytes(), b"X-Folded: first\r\n" + (b" ", b"\t")[pick % 2] + b"second")


def malformed_requests(
    kinds: list[MalformedKind] | tuple[MalformedKind, ...] | None = None,
) -> st.SearchStrategy[MalformedRequest]:
    """A hypothesis strategy of ``MalformedRequest``: legal POST/PUT/PATCH requests with a
    Content-Length body, each broken in one way among ``kinds`` (default: all of
    ``MALFORMED_KINDS``). Raises ``UsageError`` for an unknown kind."""
    chosen = MALFORMED_KINDS if kinds is None else tuple(kinds)
    if not chosen or any(k not in _KINDS for k in chosen):
        raise UsageError(f"kinds must be a non-empty list among {MALFORMED_KINDS!r}, got {kinds!r}")
    bases = requests(methods=("POST", "PUT", "PATCH"), max_body=256, framings=("content-length",), max_headers=4)

    def make(kind: MalformedKind, base: RequestPlan, pick: int, extra: int) -> MalformedRequest:
        rejection, url, reason = _KINDS[kind]
        return MalformedRequest(kind, reason, rejection, url, _build(kind, base, pick, extra), base)

    return st.builds(make, st.sampled_from(chosen), bases, st.integers(0, 63), st.integers(0, 63))


def sample_malformed(
    n: int,
    seed: int = 0,
    kinds: list[MalformedKind] | tuple[MalformedKind, ...] | None = None,
) -> list[MalformedRequest]:
    """``n`` examples of ``malformed_requests(kinds)``, the same list for the same ``seed``
    (for one hypothesis version). Call it outside a ``@given`` test: it runs its own search."""
    from speccheck.traffic._fast import _collect

    if not isinstance(n, int) or isinstance(n, bool) or n < 0:
        raise UsageError(f"n must be an int >= 0, got {n!r}")
    if n == 0:
        return []
    if currently_in_test_context():
        raise UsageError("sample_malformed() runs its own hypothesis search and cannot run inside a @given test")
    return _collect(malformed_requests(kinds), n, seed)[:n]
