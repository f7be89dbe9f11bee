"""Zero false positives, property-based: any spec-legal response (any status, any
chunking, any optional key present or absent, extra keys, lists or no Content-Length)
and any spec-legal server behaviour (optional scope keys dropped, body split anyhow)
produces no finding."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from asgi_checks import ASGILint
from fixtures.asgi.harness import http_scope, run_sync

OPTIONAL_SCOPE_KEYS = ["scheme", "raw_path", "query_string", "root_path", "client", "server", "state", "extensions"]
SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

names = st.from_regex(rb"\Ax-[a-z0-9-]{1,12}\Z", fullmatch=True)
values = st.binary(max_size=20).map(lambda b: bytes(c for c in b if c >= 0x20 and c != 0x7F))
chunks = st.lists(st.binary(max_size=64), max_size=6)
extra = st.dictionaries(
    st.from_regex(r"\Axx_[a-z]{1,5}\Z", fullmatch=True), st.integers(-(2**63), 2**63 - 1), max_size=2
)


@st.composite
def responses(draw: Any) -> tuple[int, list[dict[str, Any]], str]:
    method = draw(st.sampled_from(["GET", "POST", "HEAD", "PUT", "DELETE", "OPTIONS"]))
    status = draw(st.integers(100, 599).filter(lambda s: s != 101))
    no_body = status < 200 or status in (204, 304) or method == "HEAD"
    parts = [] if no_body else draw(chunks)
    headers = [[n, v] for n, v in draw(st.lists(st.tuples(names, values), max_size=4))]
    if not no_body and draw(st.booleans()):
        headers.append([b"content-length", str(sum(map(len, parts))).encode()])
    if draw(st.booleans()):
        headers.append([b"transfer-encoding", b"chunked"])  # allowed: the server must ignore it
    start: dict[str, Any] = {"type": "http.response.start", "status": status, **draw(extra)}
    if headers or draw(st.booleans()):
        start["headers"] = headers
    messages = [start]
    for part in parts:
        messages.append({"type": "http.response.body", "body": part, "more_body": True})
    last: dict[str, Any] = {"type": "http.response.body"}
    if draw(st.booleans()):
        last["more_body"] = False
    messages.append(last)
    return status, messages, method


@st.composite
def requests(draw: Any) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    scope = http_scope(
        method=draw(st.sampled_from(["GET", "POST", "M-SEARCH"])),
        http_version=draw(st.sampled_from(["1.0", "1.1", "2"])),
    )
    for key in draw(st.lists(st.sampled_from(OPTIONAL_SCOPE_KEYS), unique=True)):
        del scope[key]
    if "raw_path" in scope and draw(st.booleans()):
        scope["raw_path"] = None
    body = draw(st.lists(st.binary(max_size=32), max_size=4))
    events: list[dict[str, Any]] = [{"type": "http.request", "body": b, "more_body": True} for b in body]
    final: dict[str, Any] = {"type": "http.request"}
    if draw(st.booleans()):
        final["body"] = b""
    events.append(final)
    return scope, events


def reader(messages: list[dict[str, Any]]) -> Any:
    async def app(scope: Any, receive: Any, send: Any) -> None:
        more = True
        while more:
            more = (await receive()).get("more_body", False)
        for msg in messages:
            await send(msg)

    return app


@SETTINGS
@given(responses())
def test_legal_responses_are_silent(plan: tuple[int, list[dict[str, Any]], str]) -> None:
    _, messages, method = plan
    lint = ASGILint(reader(messages), mode="collect")
    outcome = run_sync(lint, http_scope(method=method), [{"type": "http.request"}])
    assert outcome.error is None
    assert lint.violations == []


@SETTINGS
@given(requests())
def test_legal_servers_are_silent(request: tuple[dict[str, Any], list[dict[str, Any]]]) -> None:
    scope, events = request
    ok = [{"type": "http.response.start", "status": 200}, {"type": "http.response.body", "body": b"ok"}]
    lint = ASGILint(reader(ok), mode="collect", select=["A", "H"])
    outcome = run_sync(lint, scope, events)
    assert outcome.error is None
    assert lint.violations == []


@st.composite
def sessions(draw: Any) -> tuple[dict[str, Any], list[dict[str, Any]], list[Any]]:
    """A legal websocket session: offered subprotocols, client frames, the app's plan."""
    from fixtures.asgi.cases import ws_proto

    offered = draw(st.lists(st.sampled_from(["chat", "superchat", "v2.json"]), unique=True, max_size=3))
    scope = ws_proto(*offered) if offered else http_scope(type="websocket", scheme="ws", subprotocols=[])
    scope.pop("method", None)
    frames = draw(
        st.lists(
            st.one_of(
                st.binary(max_size=16).map(lambda b: {"bytes": b}), st.text(max_size=16).map(lambda t: {"text": t})
            ),
            max_size=4,
        )
    )
    events = [{"type": "websocket.connect"}] + [{"type": "websocket.receive", **f} for f in frames]
    if draw(st.booleans()):
        events.append({"type": "websocket.disconnect", "code": draw(st.sampled_from([1000, 1001, 1005, 1006, 4000]))})
    accept: dict[str, Any] = {"type": "websocket.accept"}
    if offered and draw(st.booleans()):
        accept["subprotocol"] = draw(st.sampled_from(offered))
    if draw(st.booleans()):
        accept["headers"] = [[b"x-server", b"speccheck"]]
    close: dict[str, Any] = {"type": "websocket.close"}
    if draw(st.booleans()):
        close["code"] = draw(st.sampled_from([1000, 1001, 1008, 1011, 3000, 4999]))
    if draw(st.booleans()):
        close["reason"] = draw(st.text(max_size=30))
    return scope, events, [accept, len(frames), close]


@SETTINGS
@given(sessions())
def test_legal_websocket_sessions_are_silent(session: tuple[dict[str, Any], list[dict[str, Any]], list[Any]]) -> None:
    scope, events, (accept, frames, close) = session
    scope["asgi"] = {"version": "3.0", "spec_version": "2.5"}

    async def app(scope: Any, receive: Any, send: Any) -> None:
        await receive()
        await send(accept)
        for _ in range(frames):
            msg = await receive()
            if msg["type"] == "websocket.disconnect":
                return
            await send({"type": "websocket.send", "bytes": msg.get("bytes"), "text": msg.get("text")})
        await send(close)

    lint = ASGILint(app, mode="collect")
    outcome = run_sync(lint, scope, events)
    assert outcome.error is None
    assert lint.violations == []
