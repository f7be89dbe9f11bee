"""``websocket_sessions()``: what a WebSocket client does, as a ``WebSocketPlan``.

A plan is the opening handshake (target, extra headers, offered subprotocols) and the
client's actions after it, ending in a close or an abort. Legal by construction
(RFC 6455): subprotocols are tokens (4.1 "Sec-WebSocket-Protocol ... tokens"), ping
payloads are at most 125 bytes (5.5 "All control frames MUST have a payload length of
125 bytes or less"), close reasons at most 123 bytes of UTF-8, and close codes are ones
an endpoint may send (7.4.1/7.4.2: 1000-1003, 1007-1011 and 3000-4999; 1005, 1006 and
1015 "MUST NOT be set as a status code in a Close control frame").
"""

from __future__ import annotations

import string
from dataclasses import dataclass

from hypothesis import strategies as st

from speccheck._errors import UsageError
from speccheck.traffic._abnf import TCHAR
from speccheck.traffic._headers import header_names, header_values
from speccheck.traffic._options import RequestOptions
from speccheck.traffic._requests import body_bytes
from speccheck.traffic._targets import targets

__all__ = [
    "Abort",
    "Close",
    "Ping",
    "SendBytes",
    "SendText",
    "WebSocketAction",
    "WebSocketPlan",
    "fit_utf8",
    "is_sendable_close_code",
    "websocket_sessions",
]

# Handshake fields the client/transport sets itself (RFC 6455 4.1), and Origin, which a server
# may use to refuse the handshake (10.2) and so would make the session depend on its policy.
_HANDSHAKE_HEADERS = frozenset({b"origin"})


def fit_utf8(text: str, limit: int) -> str:
    """``text`` cut to at most ``limit`` bytes of UTF-8, never inside a character."""
    return text.encode("utf-8")[:limit].decode("utf-8", "ignore")


def is_sendable_close_code(code: int) -> bool:
    """Whether an endpoint may put ``code`` in a Close frame (RFC 6455 7.4.1, 7.4.2)."""
    return 1000 <= code <= 1003 or 1007 <= code <= 1011 or 3000 <= code <= 4999


@dataclass(frozen=True, slots=True)
class SendText:
    """Send one text message. ``cuts``: byte offsets (in its UTF-8, ascending, may cut inside a
    character) where the message is split into frames (RFC 6455 5.4); empty: one frame.
    ``ping``: a ping with this payload sent between the first two fragments (5.4: "Control
    frames MAY be injected in the middle of a fragmented message")."""

    text: str
    cuts: tuple[int, ...] = ()
    ping: bytes | None = None


@dataclass(frozen=True, slots=True)
class SendBytes:
    """Send one binary message (may be empty); ``cuts`` and ``ping`` as for ``SendText``."""

    data: bytes
    cuts: tuple[int, ...] = ()
    ping: bytes | None = None


@dataclass(frozen=True, slots=True)
class Ping:
    """Send a ping with this payload (at most 125 bytes)."""

    payload: bytes = b""


@dataclass(frozen=True, slots=True)
class Close:
    """Start the closing handshake; ``code=None`` sends a Close frame with no status
    (then ``reason`` is empty)."""

    code: int | None = 1000
    reason: str = ""


@dataclass(frozen=True, slots=True)
class Abort:
    """Drop the TCP connection without a closing handshake."""


WebSocketAction = SendText | SendBytes | Ping | Close | Abort


@dataclass(frozen=True, slots=True)
class WebSocketPlan:
    """One WebSocket session from the client side.

    ``target`` is the origin-form request-target of the handshake; ``headers`` are extra
    handshake fields (never Host, Upgrade, Connection or Sec-WebSocket-*, which the
    transport sets, nor Origin); ``subprotocols`` are offered in order; ``actions`` run in order after
    the handshake and end with one ``Close`` or ``Abort``.
    """

    target: bytes = b"/"
    headers: tuple[tuple[bytes, bytes], ...] = ()
    subprotocols: tuple[str, ...] = ()
    actions: tuple[WebSocketAction, ...] = (Close(),)

    @property
    def raw_path(self) -> bytes:
        return self.target.split(b"?", 1)[0]

    @property
    def query_string(self) -> bytes:
        parts = self.target.split(b"?", 1)
        return parts[1] if len(parts) == 2 else b""


_SUBPROTOCOL = st.one_of(
    st.sampled_from(("chat", "superchat", "graphql-ws", "graphql-transport-ws", "v1.json", "mqtt", "wamp.2.json")),
    st.text(alphabet=TCHAR, min_size=1, max_size=12),
)
_CLOSE_CODES = st.one_of(
    st.sampled_from((1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 3000, 4000, 4999)),
    st.integers(3000, 4999),
)
# The reason is at most 123 bytes of UTF-8: a 125-byte control payload minus the 2-byte code.
_REASONS = st.text(max_size=40).map(lambda r: fit_utf8(r, 123))
_CLOSE = st.one_of(st.builds(Close, _CLOSE_CODES, st.just("") | _REASONS), st.just(Close(None, "")))
# 3 in 4 sessions close, 1 in 4 abort (one_of() would drop a repeated branch, so no weights).
_ENDINGS: st.SearchStrategy[Close | Abort] = st.builds(
    lambda roll, close: Abort() if roll == 3 else close, st.integers(0, 3), _CLOSE
)


def _cut(size: int, raw: list[int]) -> tuple[int, ...]:
    return tuple(sorted(r % (size + 1) for r in raw))


def _fragments() -> st.SearchStrategy[tuple[list[int], bytes | None]]:
    """Raw cut points (taken modulo the message size) and the optional interleaved ping: one
    message in three is fragmented, some into empty fragments (5.4 allows them)."""
    cuts = st.lists(st.integers(0, 2**20), min_size=1, max_size=4)
    fragmented = st.tuples(cuts, st.none() | st.binary(max_size=16))
    return st.builds(lambda roll, frag: frag if roll == 0 else ([], None), st.integers(0, 2), fragmented)


def _text(text: str, frag: tuple[list[int], bytes | None]) -> SendText:
    return SendText(text, _cut(len(text.encode("utf-8")), frag[0]), frag[1] if frag[0] else None)


def _bytes(data: bytes, frag: tuple[list[int], bytes | None]) -> SendBytes:
    return SendBytes(data, _cut(len(data), frag[0]), frag[1] if frag[0] else None)


def _ws_headers(name: bytes) -> bool:
    return name.lower() not in _HANDSHAKE_HEADERS and not name.lower().startswith(b"sec-websocket-")


def websocket_sessions(
    *,
    paths: list[str | bytes] | tuple[str | bytes, ...] | None = None,
    max_message: int = 65536,
    max_actions: int = 8,
) -> st.SearchStrategy[WebSocketPlan]:
    """A hypothesis strategy of ``WebSocketPlan``.

    - ``paths``: route prefixes every handshake target starts with (as for ``requests()``).
    - ``max_message``: the largest message in bytes (text is counted in UTF-8); most are small.
    - ``max_actions``: how many sends and pings at most before the final close or abort.

    About one message in three is sent fragmented (``cuts``), some with a ping in between.
    """
    if not isinstance(max_message, int) or max_message < 0:
        raise UsageError(f"max_message must be an int >= 0, got {max_message!r}")
    if not isinstance(max_actions, int) or max_actions < 0:
        raise UsageError(f"max_actions must be an int >= 0, got {max_actions!r}")
    options = RequestOptions.build(paths=paths)
    small = min(32, max_message)
    texts = st.one_of(
        st.text(max_size=small).map(lambda t: fit_utf8(t, max_message)),
        st.builds(
            lambda n, c: (c * n)[: max(0, max_message // 4)],
            st.integers(0, max_message),
            st.sampled_from(string.ascii_letters + "é€😀"),
        ),
    )
    blobs = st.one_of(
        st.binary(max_size=small),
        st.builds(body_bytes, st.integers(0, max_message), st.integers(0, 2**32 - 1), st.integers(0, 2)),
    )
    sends = st.one_of(
        st.builds(_text, texts, _fragments()),
        st.builds(_bytes, blobs, _fragments()),
        st.builds(Ping, st.binary(max_size=125)),
    )
    headers = st.lists(st.tuples(header_names().filter(_ws_headers), header_values()), max_size=4).map(tuple)
    return st.builds(
        lambda target, hdrs, protos, body, end: WebSocketPlan(target, hdrs, tuple(protos), (*body, end)),
        targets(options.paths),
        headers,
        st.lists(_SUBPROTOCOL, max_size=3, unique=True),
        st.lists(sends, max_size=max_actions),
        _ENDINGS,
    )
