"""``requests()``: the hypothesis strategy for legal HTTP/1.1 requests.

Legal by construction (RFC 9112): an origin-form target, token method, token header
names, clean field values, Host on HTTP/1.1, and a body that is either framed by
Content-Length or chunked (HTTP/1.1 only); ``framing="none"`` only without content,
since "If this is a request message and none of the above are true, then the message
body length is zero" (RFC 9112 6.3 https://www.rfc-editor.org/rfc/rfc9112#section-6.3).
"""

from __future__ import annotations

import itertools
import random
import string
from collections.abc import Iterable
from typing import TypeVar

from hypothesis import strategies as st

from speccheck.traffic._abnf import TCHAR
from speccheck.traffic._headers import header_lists
from speccheck.traffic._options import DEFAULT_MAX_BODY, STANDARD_METHODS, RequestOptions
from speccheck.traffic._plans import RequestPlan
from speccheck.traffic._targets import targets

__all__ = ["body_bytes", "chunk_splits", "requests"]

_EXCLUDED = frozenset({"CONNECT", "PRI"})
T = TypeVar("T")
_SMALL_BODY = 32  # up to this size hypothesis draws every byte; above, a seed does


def body_bytes(size: int, seed: int, kind: int) -> bytes:
    """A body of ``size`` bytes made cheaply: text (kind 0, what shrinking ends at), zeros
    (kind 1) or random bytes from ``seed`` (kind 2)."""
    if kind == 0:
        unit = b"0123456789abcdefghijklmnopqrstuvwxyz\n"
        return (unit * (size // len(unit) + 1))[:size]
    if kind == 1:
        return bytes(size)
    return random.Random(seed).randbytes(size)


def chunk_splits(size: int, cuts: Iterable[int]) -> tuple[int, ...]:
    """Piece sizes (all > 0, summing to ``size``) for cut points inside ``0..size``."""
    points = sorted({c for c in cuts if 0 < c < size})
    bounds = [0, *points, size]
    return tuple(b - a for a, b in itertools.pairwise(bounds))


def _bodies(max_body: int) -> st.SearchStrategy[bytes]:
    """40% empty, 40% small (drawn byte by byte, they shrink well), 20% up to ``max_body``
    (made from a seed: fast at any size). Shrinks towards empty."""
    if max_body == 0:
        return st.just(b"")
    small = st.binary(min_size=1, max_size=min(_SMALL_BODY, max_body))
    seeded = st.builds(body_bytes, st.integers(0, min(1024, max_body)) | st.integers(0, max_body), _SEEDS, _KINDS)

    @st.composite
    def bodies(draw: st.DrawFn) -> bytes:
        roll = draw(_ROLL)  # one_of() would not do: it drops repeated branches, so no weights
        if roll < 4:
            return b""
        return draw(small) if roll < 8 else draw(seeded)

    return bodies()


_SEEDS = st.integers(0, 2**32 - 1)
_ROLL = st.integers(0, 9)
_KINDS = st.integers(0, 2)
_CHUNK_MODE = st.integers(0, 3)
_CUTS = st.lists(st.integers(0, 2**24), max_size=7)


def _chunks(draw: st.DrawFn, size: int) -> tuple[int, ...]:
    if size <= 1:
        return ()
    mode = draw(_CHUNK_MODE)
    if mode == 0:
        return ()  # one piece
    if mode == 1 and size <= 64:
        return (1,) * size  # byte by byte
    if mode == 2:
        piece = 1 + draw(_SEEDS) % size
        return chunk_splits(size, range(piece, size, piece))
    return chunk_splits(size, [c % size for c in draw(_CUTS)])


def _method_strategy(options: RequestOptions, *, with_body: bool) -> st.SearchStrategy[str] | None:
    """Methods usable without content, or (``with_body``) able to carry content; None if none."""

    def usable(method: str) -> bool:
        if with_body:
            return any(options.may_have_body(method, v) for v in options.http_versions)
        return any(options.framings_for(method, v, has_body=False) for v in options.http_versions)

    if options.methods is not None:
        listed = [m for m in options.methods if usable(m)]
        return st.sampled_from(listed) if listed else None
    extension = st.one_of(
        st.text(alphabet=string.ascii_uppercase, min_size=1, max_size=10),
        st.text(alphabet=TCHAR, min_size=1, max_size=12),
    ).filter(lambda m: m not in _EXCLUDED and usable(m))
    standard_list = [m for m in STANDARD_METHODS if usable(m)]
    if not standard_list:
        return None
    standard = st.sampled_from(standard_list)

    @st.composite
    def methods(draw: st.DrawFn) -> str:
        # 1 in 5 an extension token: some servers (llhttp) answer them all with 400.
        return draw(extension) if draw(_ROLL) >= 8 else draw(standard)

    return methods()


def _pick(draw: st.DrawFn, choices: tuple[T, ...]) -> T:
    return choices[draw(_SEEDS) % len(choices)] if len(choices) > 1 else choices[0]


def _request_strategy(options: RequestOptions) -> st.SearchStrategy[RequestPlan]:
    # Sub-strategies are built once here: building them inside each draw costs hypothesis
    # a fresh validation every time and halves the generation rate.
    method_st = _method_strategy(options, with_body=False)
    body_method_st = _method_strategy(options, with_body=True)
    target_st = targets(options.paths)
    headers_st = header_lists(options.max_headers)
    body_st = _bodies(options.max_body)
    assert method_st is not None  # RequestOptions.build checked that some method is usable

    @st.composite
    def request(draw: st.DrawFn) -> RequestPlan:
        # The body first, then a method that can carry it: shrinking then keeps POST & co.
        body = draw(body_st) if body_method_st is not None else b""
        method = draw(body_method_st if body and body_method_st is not None else method_st)
        versions = tuple(v for v in options.http_versions if options.framings_for(method, v, has_body=bool(body)))
        version = _pick(draw, versions)
        target = draw(target_st)
        headers = draw(headers_st)
        framing = _pick(draw, options.framings_for(method, version, has_body=bool(body)))
        chunks = _chunks(draw, len(body))
        # RFC 9112 3.2: Host is mandatory in HTTP/1.1; HTTP/1.0 may omit it.
        host = b"127.0.0.1" if version == "1.1" or draw(st.booleans()) else None
        return RequestPlan(method, target, headers, body, framing, version, host, chunks)

    return request()


def requests(
    *,
    methods: Iterable[str] | None = None,
    paths: Iterable[str | bytes] | None = None,
    max_body: int = DEFAULT_MAX_BODY,
    framings: Iterable[str] | None = None,
    http_versions: Iterable[str] = ("1.1",),
    max_headers: int = 12,
) -> st.SearchStrategy[RequestPlan]:
    """A hypothesis strategy of legal HTTP/1.x requests as ``RequestPlan``.

    - ``methods``: the methods to use (tokens; CONNECT and PRI are refused). Default:
      GET HEAD POST PUT DELETE PATCH OPTIONS plus random extension tokens.
    - ``paths``: route prefixes to aim at (``"/api/items"``); every target starts with one.
      A prefix that is not legal on the wire is percent-encoded segment by segment.
    - ``max_body``: the largest body in bytes; most bodies are small (0-32 bytes).
      GET, HEAD, DELETE and TRACE never get a body (RFC 9110 9.3).
    - ``framings``: among ``"content-length"``, ``"chunked"`` (HTTP/1.1 only) and
      ``"none"`` (only for requests without content).
    - ``http_versions``: among ``"1.0"`` and ``"1.1"``.
    - ``max_headers``: how many generated header fields at most (duplicates included).

    Targets carry percent-encoding (UTF-8 and not), ``%2F``, dot segments, ``//``, a bare
    ``?``, repeated keys and ``+``; headers repeat, mix case and use odd but legal names
    and values (obs-text, tabs, empty). ``chunks`` splits the body arbitrarily. Host,
    Content-Length and Transfer-Encoding come from ``host`` and ``framing`` at
    ``to_bytes()``; connection-control fields (Connection, Upgrade, Expect, TE, ...) are
    never generated. Raises ``UsageError`` for arguments that leave nothing to draw.
    """
    options = RequestOptions.build(
        methods=methods,
        paths=paths,
        max_body=max_body,
        framings=framings,
        http_versions=http_versions,
        max_headers=max_headers,
    )
    return _request_strategy(options)
