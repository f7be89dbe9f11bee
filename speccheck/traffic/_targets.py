"""Request-targets: always legal origin-form on the wire, rich in what it decodes to.

RFC 9112 3.2.1 https://www.rfc-editor.org/rfc/rfc9112#section-3.2.1
"origin-form = absolute-path [ "?" query ]". Anything that is not a pchar (or "/" "?"
in the query) is percent-encoded, so the interesting part is what a server decodes:
UTF-8 and non-UTF-8 escapes, ``%2F`` inside a segment, dot segments, empty segments
(``//``), an empty or bare query, repeated keys, ``+`` and ``%20``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from hypothesis import strategies as st

from speccheck.traffic._abnf import PCHAR_LITERAL, QUERY_LITERAL, pct_encode
from speccheck.traffic._options import RequestOptions

__all__ = ["paths", "queries", "request_targets", "targets"]

# Segments whose decoding is where servers and frameworks disagree.
_ODD_SEGMENTS = (
    b"",
    b".",
    b"..",
    b"%2E",
    b"%2e%2E",
    b"%2F",
    b"a%2Fb",
    b"%2f..%2f",
    b"%25",
    b"%252F",
    b"%00",
    b"%C3%A9",
    b"%c3%a9",
    b"%E2%82%AC",
    b"%F0%9F%98%80",
    b"%FF",
    b"%C3",
    b"%C0%AF",
    b"%ED%A0%80",
    b"+",
    b"a+b",
    b"%20",
    b";p=1",
    b"@:",
    b"~user",
)
_KEYS = (b"a", b"b", b"q", b"id", b"a%5B%5D", b"k+1", b"%C3%A9", b"", b"x")
_VALUES = (b"", b"1", b"a+b", b"a%20b", b"%2B", b"%26", b"%3D", b"=", b"?", b"/", b"%FF", b"%C3%A9", b"%E2%82%AC")

_literal_segment = st.text(alphabet=PCHAR_LITERAL, min_size=1, max_size=10).map(lambda s: s.encode("ascii"))
_text_segment = st.builds(
    lambda text, lower: pct_encode(text.encode("utf-8"), lower=lower),
    st.text(max_size=6),
    st.booleans(),
)
_bytes_segment = st.builds(lambda raw, lower: pct_encode(raw, lower=lower), st.binary(max_size=6), st.booleans())
segments = st.one_of(st.sampled_from(_ODD_SEGMENTS), _literal_segment, _text_segment, _bytes_segment)


def _join_path(prefix: bytes, parts: list[bytes]) -> bytes:
    if not parts:
        return prefix
    joined = b"/".join(parts)
    return prefix + joined if prefix.endswith(b"/") else prefix + b"/" + joined


def paths(prefixes: Sequence[bytes] | None = None) -> st.SearchStrategy[bytes]:
    """Legal absolute paths; with ``prefixes``, each starts with one of them (a route to aim at)."""
    start = st.just(b"/") if prefixes is None else st.sampled_from(list(prefixes))
    return st.builds(_join_path, start, st.lists(segments, max_size=6))


_query_text = st.builds(
    lambda text, plus: pct_encode(text.encode("utf-8"), query=True).replace(b"%20", b"+" if plus else b"%20"),
    st.text(max_size=6),
    st.booleans(),
)
_query_literal = st.text(alphabet=QUERY_LITERAL, max_size=8).map(lambda s: s.encode("ascii"))
_query_bytes = st.binary(max_size=4).map(lambda raw: pct_encode(raw, query=True))
_keys = st.one_of(st.sampled_from(_KEYS), _query_text)
_values = st.one_of(st.sampled_from(_VALUES), _query_text, _query_bytes, _query_literal)
_pairs = st.one_of(
    st.builds(lambda k, v: k + b"=" + v, _keys, _values),
    _keys,  # a key without "="
    st.just(b""),  # an empty pair, as in "a=1&&b=2"
)


def queries() -> st.SearchStrategy[bytes | None]:
    """The part after ``?``: ``None`` for no ``?`` at all, ``b""`` for a bare ``?``,
    else pairs with repeated keys, ``+``, escapes and raw ``/`` and ``?``."""
    return st.one_of(
        st.none(),
        st.just(b""),
        st.lists(_pairs, min_size=1, max_size=6).map(b"&".join),
        _query_literal,
    )


def _target(path: bytes, query: bytes | None) -> bytes:
    return path if query is None else path + b"?" + query


def targets(prefixes: Sequence[bytes] | None = None) -> st.SearchStrategy[bytes]:
    """Legal origin-form request-targets (RFC 9112 3.2.1) as they go on the wire."""
    return st.builds(_target, paths(prefixes), queries())


def request_targets(paths: Iterable[str | bytes] | None = None) -> st.SearchStrategy[bytes]:
    """A hypothesis strategy of legal origin-form request-targets (RFC 9112 3.2.1) as raw
    bytes, each starting with one of ``paths`` if given (as ``requests(paths=...)``)."""
    return targets(RequestOptions.build(paths=paths).paths)
