"""The probe's WebSocket side, and its lifespan variations (served by ``asgi_checks._probe``).

WebSocket: the runner writes ``$SPECCHECK_PROBE_DIR/ws-<id>.json`` (what to do: accept
with which subprotocol and headers, echo, close after n messages with which code, or deny)
and the client sends ``x-speccheck-id: <id>`` in the handshake. The probe records the scope,
every ``receive()`` message (type, text or bytes, size, digest), the disconnect code, and what
a ``send()`` after the disconnect raised, into ``<id>.obs.json``.

Lifespan variations: with ``SPECCHECK_PROBE_LIFESPAN=fail|raise|state`` set, ``variant()``
serves every scope: the lifespan fails startup, raises, or stores state; an HTTP request is
answered with a JSON body saying what the app saw (the state, whether startup completed).
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from speccheck.server._plans import ID_HEADER, probe_dir, write_observation

__all__ = ["LIFESPAN_ENV", "STATE_KEY", "STATE_VALUE", "VARIANT", "variant", "websocket"]

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

LIFESPAN_ENV = "SPECCHECK_PROBE_LIFESPAN"
VARIANT = os.environ.get(LIFESPAN_ENV, "")
STATE_KEY = "speccheck"
STATE_VALUE = "state-from-lifespan"
FAIL_MESSAGE = "speccheck probe: planned startup failure"
_MAX_MESSAGES = 1000
_WAIT = 10.0  # the longest the probe waits for one event (longer than the client and runner wait)


def spec_version(scope: Scope) -> tuple[int, ...]:
    asgi = scope.get("asgi") or {}
    raw = str(asgi.get("spec_version") or "2.0") if isinstance(asgi, dict) else "2.0"
    try:
        return tuple(int(p) for p in raw.split("."))
    except ValueError:
        return (2, 0)


def _load(ident: str) -> dict[str, Any]:
    directory = probe_dir()
    if directory is None or not ident.replace("-", "").isalnum():
        return {}
    try:
        with open(os.path.join(directory, f"ws-{ident}.json"), encoding="utf-8") as f:
            data: dict[str, Any] = json.load(f)
    except (OSError, ValueError):
        return {}
    return data


def _describe(message: Message) -> dict[str, Any]:
    text, data = message.get("text"), message.get("bytes")
    out: dict[str, Any] = {"type": str(message.get("type"))}
    if out["type"] == "websocket.receive":
        out["text_set"] = text is not None
        out["bytes_set"] = data is not None
        payload = text.encode("utf-8") if isinstance(text, str) else data if isinstance(data, bytes) else b""
        out["kind"] = "text" if text is not None else "bytes"
        out["len"] = len(payload)
        out["sha"] = hashlib.sha1(payload).hexdigest()
    elif out["type"] == "websocket.disconnect":
        out["code"] = message.get("code")
        out["reason"] = message.get("reason")
    return out


async def websocket(scope: Scope, receive: Receive, send: Send) -> None:
    from asgi_checks._probe import scope_json

    ident = ""
    for name, value in scope.get("headers", ()):
        if bytes(name).lower() == ID_HEADER.encode():
            ident = bytes(value).decode("latin-1")
    plan = _load(ident)
    version = spec_version(scope)
    scope_data, types = scope_json(scope)
    obs: dict[str, Any] = {"id": ident, "scope": scope_data, "types": types, "receive": [], "errors": []}
    state = scope.get("state")
    obs["state"] = {str(k): repr(v) for k, v in state.items()} if isinstance(state, dict) else None
    obs["publish"] = ident
    try:
        await _session(scope, receive, send, plan, version, obs)
    except Exception as exc:
        obs["errors"].append(f"{type(exc).__name__}: {exc}")
    finally:
        obs["final"] = True
        if ident:
            from asgi_checks._probe import _lint_findings

            obs["lint"] = _lint_findings()  # server-side findings of the lint around the probe
            write_observation(ident, obs)


async def _next(receive: Receive, obs: dict[str, Any]) -> Message | None:
    try:
        message = await asyncio.wait_for(receive(), _WAIT)
    except asyncio.TimeoutError:
        obs["errors"].append("receive() timed out")
        return None
    obs["receive"].append(_describe(message))
    if obs.get("publish"):  # what was seen so far, in case the next event never comes
        write_observation(str(obs["publish"]), obs)
    return message


async def _session(
    scope: Scope, receive: Receive, send: Send, plan: dict[str, Any], version: tuple[int, ...], obs: dict[str, Any]
) -> None:
    first = await _next(receive, obs)
    if first is None:
        return
    mode = plan.get("mode", "echo")
    extensions = scope.get("extensions") or {}
    if mode == "deny-response" and "websocket.http.response" in extensions:
        body = b"speccheck denied"
        headers = [(b"content-type", b"text/plain"), (b"content-length", str(len(body)).encode())]
        await send({"type": "websocket.http.response.start", "status": 401, "headers": headers})
        await send({"type": "websocket.http.response.body", "body": body})
        obs["denied"] = "response"
        return
    if mode in ("deny", "deny-response"):
        await send({"type": "websocket.close"})
        obs["denied"] = "close"
        return
    accept: dict[str, Any] = {"type": "websocket.accept", "subprotocol": plan.get("subprotocol")}
    headers = [(str(n).encode("latin-1"), str(v).encode("latin-1")) for n, v in plan.get("headers", ())]
    if headers and version >= (2, 1):
        accept["headers"] = headers
        obs["accept_headers"] = True
    await send(accept)
    obs["accepted"] = True  # the handshake must now complete (RFC 6455 4.2.2; S543)
    close_after = plan.get("close_after")
    echoed = 0
    for _ in range(_MAX_MESSAGES):
        message = await _next(receive, obs)
        if message is None:
            return
        kind = message.get("type")
        if kind == "websocket.disconnect":
            if not obs.get("app_closed"):  # after its own close, a send() is the app's error
                await _send_after_close(send, obs)
            return
        if kind != "websocket.receive" or obs.get("app_closed"):
            continue
        text = message.get("text")
        out: dict[str, Any] = {"type": "websocket.send"}
        if text is not None:
            out["text"] = text
        else:
            out["bytes"] = message.get("bytes") or b""
        try:
            await send(out)
        except OSError as exc:  # the client left meanwhile (asgi-www 2.4): its disconnect is still due
            obs["errors"].append(f"echo: {type(exc).__name__}: {exc}")
            continue
        echoed += 1
        if close_after is not None and echoed >= int(close_after):
            close: dict[str, Any] = {"type": "websocket.close", "code": int(plan.get("close_code", 1000))}
            if version >= (2, 3) and plan.get("close_reason"):
                close["reason"] = str(plan["close_reason"])
                obs["close_reason_sent"] = True
            try:
                await send(close)
            except OSError as exc:  # the client left meanwhile (asgi-www 2.4): its disconnect is still due
                obs["errors"].append(f"close: {type(exc).__name__}: {exc}")
                obs.pop("close_reason_sent", None)
                continue
            obs["app_closed"] = True


async def _send_after_close(send: Send, obs: dict[str, Any]) -> None:
    """ "If send() is called on a closed connection the server should raise a
    server-specific subclass of OSError" (asgi-www, since spec version 2.4)."""
    try:
        await asyncio.wait_for(send({"type": "websocket.send", "text": "late"}), _WAIT)
    except asyncio.TimeoutError:
        obs["late_send"] = {"raised": "timeout", "oserror": False}
    except Exception as exc:  # what it raised is the observation
        obs["late_send"] = {"raised": type(exc).__name__, "oserror": isinstance(exc, OSError)}
    else:
        obs["late_send"] = {"raised": "", "oserror": False}


# --- lifespan variations ------------------------------------------------------------------

_STARTED: dict[str, Any] = {"done": False, "state": False, "events": []}


def _note(event: str) -> None:
    """Append to ``lsv-<pid>.json``: the runner learns which lifespan events were sent."""
    _STARTED["events"].append(event)
    directory = probe_dir()
    if directory is None:
        return
    try:
        with open(os.path.join(directory, f"lsv-{os.getpid()}.json"), "w", encoding="utf-8") as f:
            f.write(json.dumps({"events": _STARTED["events"]}))
    except OSError:
        pass


async def _lifespan(scope: Scope, receive: Receive, send: Send) -> None:
    _note("scope")
    if VARIANT == "raise":
        raise RuntimeError("speccheck probe: this app does not support lifespan")
    message = await receive()
    _note(str(message.get("type")))
    if message.get("type") != "lifespan.startup":
        return
    if VARIANT == "fail":
        await send({"type": "lifespan.startup.failed", "message": FAIL_MESSAGE})
        return
    state = scope.get("state")
    if isinstance(state, dict):
        state[STATE_KEY] = STATE_VALUE
        _STARTED["state"] = True
    await asyncio.sleep(0.2)
    _STARTED["done"] = True
    await send({"type": "lifespan.startup.complete"})
    message = await receive()
    _note(str(message.get("type")))
    if message.get("type") == "lifespan.shutdown":
        await asyncio.sleep(0.2)  # cleanup time: "A server must wait for this message before terminating."
        _note("shutdown-complete-sending")
        await send({"type": "lifespan.shutdown.complete"})


async def _http(scope: Scope, receive: Receive, send: Send) -> None:
    state = scope.get("state")
    seen = {
        "state": {str(k): str(v) for k, v in state.items()} if isinstance(state, dict) else None,
        "started": _STARTED["done"],
        "lifespan_state": _STARTED["state"],
        "variant": VARIANT,
    }
    body = json.dumps(seen).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": body})


async def variant(scope: Scope, receive: Receive, send: Send) -> None:
    kind = scope.get("type")
    if kind == "lifespan":
        await _lifespan(scope, receive, send)
    elif kind == "http":
        await _http(scope, receive, send)
    elif kind == "websocket":
        await websocket(scope, receive, send)
