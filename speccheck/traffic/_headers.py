"""Header fields: legal, odd, duplicated, in mixed case.

RFC 9110 5.1 https://www.rfc-editor.org/rfc/rfc9110#section-5.1 "field-name = token",
and 5.5 "field-value = *field-content" of VCHAR, obs-text, SP and HTAB with no leading
or trailing whitespace (a parser strips it as OWS, so the value would not round-trip).
Names that control framing or the connection are never generated (``RESERVED_HEADERS``).
"""

from __future__ import annotations

from hypothesis import strategies as st

from speccheck._errors import UsageError
from speccheck.traffic._abnf import TCHAR
from speccheck.traffic._options import RESERVED_HEADERS

__all__ = ["header_fields", "header_lists", "header_names", "header_values", "vary_case"]

_COMMON_NAMES = (
    b"Accept",
    b"Accept-Encoding",
    b"Accept-Language",
    b"Authorization",
    b"Cache-Control",
    b"Content-Type",
    b"Cookie",
    b"If-None-Match",
    b"Origin",
    b"Range",
    b"Referer",
    b"User-Agent",
    b"X-Forwarded-For",
    b"X-Request-Id",
    b"X-Custom",
    b"X_Custom",  # underscore: CGI-style environ keys make it collide with X-Custom
    b"x.dotted",
    b"~tilde",
    b"Content-Length-Extra",
    b"Http-Host",
    b"a",
)
_ODD_VALUES = (
    b"",
    b"0",
    b"a\tb",
    b"a  b",
    b"\x80\xff",
    b"caf\xe9",
    b"caf\xc3\xa9",
    b"a, b",
    b",",
    b'"quoted, string"',
    b"text/html; charset=utf-8",
    b"a=1; b=2",
    b"%00",
    b"\\",
    b"*/*",
)
# VCHAR (0x21-0x7E), SP, HTAB and obs-text (0x80-0xFF), as latin-1 text.
_VALUE_CHARS = "".join(chr(c) for c in range(0x20, 0x7F)) + "\t" + "".join(chr(c) for c in range(0x80, 0x100))


def vary_case(name: bytes, mask: int) -> bytes:
    """``name`` with the letters whose bit is set in ``mask`` case-swapped."""
    return bytes(
        c ^ 0x20 if (mask >> i) & 1 and (0x41 <= c <= 0x5A or 0x61 <= c <= 0x7A) else c for i, c in enumerate(name)
    )


def _not_reserved(name: bytes) -> bool:
    return name.lower() not in RESERVED_HEADERS


def header_names() -> st.SearchStrategy[bytes]:
    """Legal field names (tchar tokens incl. ``_ . ~``) in mixed case, never a reserved one."""
    return _NAMES


_NAMES = st.builds(
    vary_case,
    st.one_of(
        st.sampled_from(_COMMON_NAMES),
        st.text(alphabet=TCHAR, min_size=1, max_size=16).map(lambda s: s.encode("ascii")).filter(_not_reserved),
    ),
    st.integers(0, 2**16 - 1),
)


def _strip(value: str) -> bytes:
    return value.strip(" \t").encode("latin-1")


def header_values() -> st.SearchStrategy[bytes]:
    """Legal field values: empty, tabs inside, obs-text, commas, quotes."""
    return _VALUES


_VALUES = st.one_of(st.sampled_from(_ODD_VALUES), st.text(alphabet=_VALUE_CHARS, max_size=40).map(_strip))


def _with_duplicates(
    fields: list[tuple[bytes, bytes]], picks: list[tuple[int, int, bytes | None]]
) -> tuple[tuple[bytes, bytes], ...]:
    out = list(fields)
    for index, mask, value in picks:
        name, old = fields[index % len(fields)]
        out.insert(index % (len(out) + 1), (vary_case(name, mask), old if value is None else value))
    return tuple(out)


def header_lists(max_headers: int = 12) -> st.SearchStrategy[tuple[tuple[bytes, bytes], ...]]:
    """Ordered header lists with duplicates (same name, maybe another case and value)."""
    if max_headers == 0:
        return st.just(())
    fields = st.lists(st.tuples(header_names(), header_values()), max_size=max_headers)
    picks = st.lists(
        st.tuples(st.integers(0, 63), st.integers(0, 255), st.none() | header_values()),
        max_size=min(3, max_headers),
    )

    def build(
        draw_fields: list[tuple[bytes, bytes]], draw_picks: list[tuple[int, int, bytes | None]]
    ) -> tuple[tuple[bytes, bytes], ...]:
        if not draw_fields:
            return ()
        return _with_duplicates(draw_fields, draw_picks[: max(0, max_headers - len(draw_fields))])

    return st.builds(build, fields, picks)


def header_fields(max_headers: int = 12) -> st.SearchStrategy[tuple[tuple[bytes, bytes], ...]]:
    """A hypothesis strategy of ordered header fields as ``(name, value)`` bytes pairs, as
    ``RequestPlan.headers`` holds them: legal, duplicated, mixed case, odd names and values,
    never a framing or connection-control field; at most ``max_headers`` of them."""
    if not isinstance(max_headers, int) or isinstance(max_headers, bool) or max_headers < 0:
        raise UsageError(f"max_headers must be an int >= 0, got {max_headers!r}")
    return header_lists(max_headers)
