"""Real frameworks under a real uvicorn, wrapped in ASGILint(mode="collect"): streaming,
POST echo, websocket echo, redirect, 404 and lifespan must produce zero findings."""

from __future__ import annotations

import socket
import time
from typing import Any

import pytest

from asgi_checks import ASGILint
from fixtures.asgi.frameworks import BUILDERS, CHUNKS, HAS_WEBSOCKET
from fixtures.asgi.servers import serve_uvicorn

httpx = pytest.importorskip("httpx")
pytestmark = [pytest.mark.frameworks, pytest.mark.servers]

# Findings that stand because the framework really breaks the spec (see the sentence).
KNOWN: dict[str, dict[str, str]] = {
    # django.core.handlers.asgi.ASGIHandler.send_response keeps header case on purpose
    # ("some non-RFC compliant clients ... require e.g. Content-Type").
    "django": {"A304": "www.rst Response Start: 'Header names must be lowercased.'"},
}

BODY = bytes(range(256)) * 400  # 100 KiB: arrives in several http.request messages


# Request targets sent verbatim (httpx would normalise some): the scope's path must match
# its raw_path (A216) and the query stay percent-encoded (A215) whatever each server does
# with encoded slashes, invalid UTF-8, dot-segments, "//" and raw UTF-8 (which it may reject).
ODD_TARGETS = (
    b"/no/such%2Fpage",
    b"/caf%C3%A9",
    b"/bad%FF%FE",
    b"/a/./b/../no-such",
    b"//double//slash",
    b"/no-such?q=a%20b&r=caf%C3%A9+x&s=/?",
    b"/%7Euser/no-such",
    b"/caf\xc3\xa9",
)


def raw_get(base: str, target: bytes, timeout: float = 10.0) -> int:
    """GET ``target`` byte for byte; the status code (0 if the server closed silently)."""
    host, _, port = base.removeprefix("http://").rpartition(":")
    request = b"GET " + target + b" HTTP/1.1\r\nHost: " + host.encode() + b"\r\nConnection: close\r\n\r\n"
    with socket.create_connection((host, int(port)), timeout=timeout) as sock:
        sock.sendall(request)
        data = b""
        deadline = time.monotonic() + timeout
        while b"\r\n" not in data and time.monotonic() < deadline:
            chunk = sock.recv(4096)
            if not chunk:
                break
            data += chunk
    parts = data.split(b" ", 2)
    return int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else 0


def drive(base: str, websocket: bool) -> None:
    for target in ODD_TARGETS:
        assert raw_get(base, target) in (0, 400, 404, 405), target
    with httpx.Client(base_url=base, timeout=10) as client:
        got = client.get("/stream")
        assert got.status_code == 200
        assert got.content == b"".join(CHUNKS)
        echoed = client.post("/echo", content=BODY)
        assert echoed.status_code == 200
        assert echoed.content == BODY
        moved = client.get("/redirect")
        assert moved.status_code in (301, 302, 303, 307, 308)
        assert moved.headers["location"].endswith("/stream")
        assert client.get("/no/such/page").status_code == 404
        assert client.head("/stream").status_code in (200, 405)
    if websocket:
        from websockets.sync.client import connect

        with connect(base.replace("http://", "ws://") + "/ws", open_timeout=10, close_timeout=5) as ws:
            for text in ("one", "two", "three"):
                ws.send(text)
                assert ws.recv(timeout=10) == text


@pytest.mark.parametrize("name", sorted(BUILDERS))
def test_framework_is_clean_under_uvicorn(name: str) -> None:
    try:
        app = BUILDERS[name]()
    except ImportError as exc:  # pragma: no cover - the test extra installs them all
        pytest.skip(f"{name} not installed: {exc}")
    lint = ASGILint(app, mode="collect")
    with serve_uvicorn(lint) as base:
        drive(base, websocket=name in HAS_WEBSOCKET)
    found = {v.code: v.one_line() for v in lint.violations}
    assert set(found) == set(KNOWN.get(name, {})), "\n".join(found.values())
    assert lint.seen["http"] >= 5
    assert lint.seen["lifespan"] == 1
    if name in HAS_WEBSOCKET:
        assert lint.seen["websocket"] == 1


def test_client_leaving_a_stream_midway_is_not_blamed_on_the_app() -> None:
    """uvicorn (spec 2.3/2.4) and Starlette's StreamingResponse when the client goes away:
    the response never completes, and that is nobody's violation."""

    lint = ASGILint(BUILDERS["starlette"](), mode="collect")
    with serve_uvicorn(lint) as base:
        with httpx.Client(base_url=base, timeout=10) as client, client.stream("GET", "/forever") as response:
            assert response.status_code == 200
            first = next(response.iter_bytes())
            assert first.startswith(b"tick")
        deadline = time.monotonic() + 10
        while lint.seen["http"] < 1 and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(0.5)  # let the app notice the disconnect and return
    assert [v.one_line() for v in lint.violations] == []
    assert lint.seen["http"] == 1


def test_uvicorn_websocket_send_after_disconnect_raises_oserror() -> None:
    """uvicorn's websocket scope claims spec 2.4, so send() after websocket.disconnect
    should raise an OSError subclass (A706 watches for the opposite); it does."""

    from websockets.sync.client import connect

    raised: list[type[BaseException]] = []

    async def app(scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "websocket":
            raise ValueError(f"unsupported scope type {scope['type']!r}")
        await receive()
        await send({"type": "websocket.accept"})
        while (await receive())["type"] != "websocket.disconnect":
            pass
        try:
            await send({"type": "websocket.send", "text": "late"})
        except OSError as exc:
            raised.append(type(exc))

    lint = ASGILint(app, mode="collect")
    with serve_uvicorn(lint, lifespan="off") as base:
        with connect(base.replace("http://", "ws://") + "/", open_timeout=10) as ws:
            ws.send("hi")
        deadline = time.monotonic() + 10
        while not raised and time.monotonic() < deadline:
            time.sleep(0.05)
    assert raised
    assert issubclass(raised[0], OSError)
    assert lint.violations == []


def test_uvicorn_rejects_an_invalid_event() -> None:
    """asgi.rst Error Handling: the server 'should raise an exception out of the send
    awaitable'. uvicorn does (TypeError on a str body), so A108 stays silent while the
    app's own A307 is reported at its line."""
    caught: list[BaseException] = []

    async def app(scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            raise ValueError(f"unsupported scope type {scope['type']!r}")
        await send({"type": "http.response.start", "status": 200, "headers": [[b"content-type", b"text/plain"]]})
        try:
            await send({"type": "http.response.body", "body": "text"})
        except TypeError as exc:
            caught.append(exc)
            await send({"type": "http.response.body", "body": b"fallback"})

    lint = ASGILint(app, mode="collect", select=["A108", "A307"])
    with serve_uvicorn(lint, lifespan="off") as base:
        assert httpx.get(base + "/", timeout=10).content == b"fallback"
    assert len(caught) == 1
    assert [v.code for v in lint.violations] == ["A307"]
