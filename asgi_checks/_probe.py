"""The ASGI probe app: records what the server handed it and performs a response plan.

Serve it as ``asgi_checks._probe:app``. A request carrying ``x-speccheck-id`` and
``x-speccheck-plan`` headers is answered per the named plan (see
``speccheck.server._plans``) and its observation (scope, every ``receive()`` message,
the body as read, what ``send()`` raised, server-side lint findings) is written to
``$SPECCHECK_PROBE_DIR/<id>.obs.json``. Requests without an id get a small 200.
Lifespan startup/shutdown complete and are recorded in ``lifespan-<pid>.json``.
"""

from __future__ import annotations

import asyncio
import base64
import json
import os
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from asgi_checks import _probe_ws as _ws
from speccheck.server._plans import ID_HEADER, PLAN_HEADER, load_plan, probe_dir, write_observation
from speccheck.server._probe_lint import ProbeLint

__all__ = ["app"]

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

_ID = ID_HEADER.encode()
_PLAN = PLAN_HEADER.encode()
_MAX_MESSAGES = 100_000


def _json_value(value: Any) -> Any:
    if isinstance(value, bytes):
        return value.decode("latin-1")
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    if isinstance(value, dict):
        return {str(k): _json_value(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_json_value(v) for v in value]
    return repr(value)


def scope_json(scope: Scope) -> tuple[dict[str, Any], dict[str, str]]:
    """The scope as JSON (bytes as latin-1 text) and the Python type of each key."""
    out: dict[str, Any] = {}
    types: dict[str, str] = {}
    for key, value in scope.items():
        types[key] = type(value).__name__
        if key == "state":
            continue
        if key == "extensions" and isinstance(value, dict):
            out[key] = sorted(str(k) for k in value)
        elif key == "headers":
            out[key] = [[_json_value(n), _json_value(v)] for n, v in value]
        else:
            out[key] = _json_value(value)
    return out, types


# Where this process is in the lifespan protocol: "none" (the server sent no lifespan
# scope, which is its right), "starting" (startup received, complete not yet sent),
# "started", "stopping". A request seen while "starting" breaks "A server must wait for
# this message [lifespan.startup.complete] before it starts processing connections."
_LIFESPAN = {"state": "none"}
_STARTUP_DELAY = 0.3  # hold startup open a little, so a server that does not wait shows it
_SHUTDOWN_DELAY = 0.2  # cleanup time; "A server must wait for this message before terminating."


async def _lifespan(scope: Scope, receive: Receive, send: Send) -> None:
    events: list[str] = []
    for _ in range(2):
        message = await receive()
        kind = str(message.get("type"))
        events.append(kind)
        _record_lifespan(scope, events)
        if kind == "lifespan.startup":
            _LIFESPAN["state"] = "starting"
            await asyncio.sleep(_STARTUP_DELAY)
            await send({"type": "lifespan.startup.complete"})
            _LIFESPAN["state"] = "started"
        elif kind == "lifespan.shutdown":
            _LIFESPAN["state"] = "stopping"
            await asyncio.sleep(_SHUTDOWN_DELAY)
            events.append("shutdown-complete-sending")
            _record_lifespan(scope, events)
            await send({"type": "lifespan.shutdown.complete"})
            return


def _record_lifespan(scope: Scope, events: list[str]) -> None:
    directory = probe_dir()
    if directory is None:
        return
    data = {"pid": os.getpid(), "events": events, "scope": scope_json(scope)[0]}
    path = os.path.join(directory, f"lifespan-{os.getpid()}.json")
    try:
        with open(path, "w", encoding="utf-8") as f:
            f.write(json.dumps(data))
    except OSError:
        pass


def _plain_headers(scope: Scope) -> tuple[str, str]:
    ident = plan = ""
    for name, value in scope.get("headers", ()):
        lower = bytes(name).lower()
        if lower == _ID:
            ident = bytes(value).decode("latin-1")
        elif lower == _PLAN:
            plan = bytes(value).decode("latin-1")
    return ident, plan


async def _http(scope: Scope, receive: Receive, send: Send) -> None:
    ident, plan_name = _plain_headers(scope)
    plan = load_plan(plan_name)
    scope_data, types = scope_json(scope)
    obs: dict[str, Any] = {
        "id": ident,
        "interface": "asgi",
        "pid": os.getpid(),
        "plan": plan.name,
        "scope": scope_data,
        "types": types,
        "receive": [],
        "errors": [],
        "lifespan": _LIFESPAN["state"],
    }

    def publish() -> None:
        if ident:
            obs["lint"] = _lint_findings()
            write_observation(ident, obs)

    body = bytearray()
    complete = False
    try:
        if plan.read_body:
            for _ in range(_MAX_MESSAGES):
                message = await receive()
                kind = message.get("type")
                chunk = message.get("body", b"")
                more = message.get("more_body", False)
                obs["receive"].append(
                    {"type": kind, "len": len(chunk) if isinstance(chunk, bytes) else -1, "more_body": more}
                )
                if kind == "http.request":
                    if isinstance(chunk, (bytes, bytearray)):
                        body += chunk
                    if not more:
                        complete = True
                        break
                else:
                    break
            obs["body"] = base64.b64encode(bytes(body)).decode("ascii")
            obs["body_complete"] = complete
        headers = [(n.encode("latin-1"), v.encode("latin-1")) for n, v in plan.headers]
        headers.append((_ID, ident.encode("latin-1")))
        if plan.hold:
            await _hold(plan.hold, receive, send, headers, obs, publish)
            return
        # extensions.rst, HTTP Trailers: only a server that advertises the extension may be
        # sent trailers=True and an http.response.trailers message; otherwise answer plainly.
        trailers = [(n.encode("latin-1"), v.encode("latin-1")) for n, v in plan.trailers]
        if trailers:
            advertised = "http.response.trailers" in (scope.get("extensions") or {})
            obs["trailers"] = {"advertised": advertised, "sent": [list(t) for t in plan.trailers] if advertised else []}
            trailers = trailers if advertised else []
        # Published before the response starts: the client may see a complete response
        # (HEAD, 204, 304) as soon as the start is sent. Errors after this re-publish.
        publish()
        if plan.fault == "before-start":
            raise RuntimeError("speccheck probe: planned exception before the response")
        if plan.fault == "no-response":
            return  # the app's bug: it returns without a response; the client must not be left hanging
        start: dict[str, Any] = {"type": "http.response.start", "status": plan.status, "headers": headers}
        if trailers:
            start["trailers"] = True
        await send(start)
        # The body is produced for HEAD too (H102 is advice for apps): dropping it is the server's job.
        chunks = [c.encode("latin-1") for c in plan.body] or [b""]
        for index, chunk in enumerate(chunks):
            if plan.raise_after is not None and index >= plan.raise_after:
                raise RuntimeError("speccheck probe: planned exception mid-body")
            last = index == len(chunks) - 1
            if last and plan.hang:
                await asyncio.sleep(3600)
            await send({"type": "http.response.body", "body": chunk, "more_body": not last})
        if trailers:
            await send({"type": "http.response.trailers", "headers": trailers, "more_trailers": False})
        if plan.after == "receive":
            # www.rst: http.disconnect is "Sent to the application if receive is called
            # after a response has been sent"; the client keeps the connection open meanwhile.
            obs["late_receive"] = await _bounded_receive(receive, _LATE_WAIT)
            publish()
    except Exception as exc:
        obs["errors"].append(f"{type(exc).__name__}: {exc}")
        publish()
        raise


_LATE_WAIT = 2.0  # the longest a receive() or send() of the reaction plans may take


async def _bounded_receive(receive: Receive, wait: float) -> dict[str, Any]:
    """The next receive() message's type and how long it took, or "timeout"."""
    started = asyncio.get_running_loop().time()
    try:
        message = await asyncio.wait_for(receive(), wait)
    except asyncio.TimeoutError:
        return {"type": "timeout", "elapsed": wait}
    except Exception as exc:  # what it raised is the observation
        return {"type": f"raised {type(exc).__name__}", "elapsed": asyncio.get_running_loop().time() - started}
    return {"type": str(message.get("type")), "elapsed": asyncio.get_running_loop().time() - started}


async def _hold(
    wait: float, receive: Receive, send: Send, headers: list[tuple[bytes, bytes]], obs: dict[str, Any], publish: Any
) -> None:
    """The client-abort plan: tell the runner the app is running, wait (bounded) for the
    http.disconnect the client's close must produce, then send() the response anyway and
    record what that send() did (raised which class, returned, or hung)."""
    obs["holding"] = True
    publish()
    obs["held"] = await _bounded_receive(receive, wait)
    late: dict[str, Any] = {"raised": "", "oserror": False, "mro": []}
    messages = (
        {"type": "http.response.start", "status": 200, "headers": headers},
        {"type": "http.response.body", "body": b"late", "more_body": False},
    )
    for message in messages:
        try:
            await asyncio.wait_for(send(message), _LATE_WAIT)
        except asyncio.TimeoutError:
            late = {"raised": "timeout", "oserror": False, "mro": []}
            break
        except Exception as exc:  # what it raised is the observation
            mro = [f"{c.__module__}.{c.__qualname__}" for c in type(exc).__mro__]
            late = {"raised": type(exc).__name__, "oserror": isinstance(exc, OSError), "mro": mro}
            break
    obs["late_send"] = late
    obs["holding"] = False
    publish()


async def probe(scope: Scope, receive: Receive, send: Send) -> None:
    kind = scope.get("type")
    if _ws.VARIANT:  # a lifespan variation (its own server start): asgi_checks._probe_ws serves it all
        await _ws.variant(scope, receive, send)
    elif kind == "lifespan":
        await _lifespan(scope, receive, send)
    elif kind == "http":
        await _http(scope, receive, send)
    elif kind == "websocket":
        await _ws.websocket(scope, receive, send)


def _lint_class() -> type:
    from asgi_checks import ASGILint

    return ASGILint


_PROBE_LINT = ProbeLint()
_lint_findings = _PROBE_LINT.findings
app: Callable[[Scope, Receive, Send], Awaitable[None]] = _PROBE_LINT.wrap(probe, _lint_class)
