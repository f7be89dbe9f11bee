"""The reference ASGI driver: an in-process server that obeys the ASGI spec exactly and
varies every choice the spec leaves to the server.

One `ASGIDelivery` names the choices made for one HTTP exchange, so a finding can show
which delivery exposed it; ``ASGIDelivery()`` is the baseline (what uvicorn does).

ASGI www https://asgi.readthedocs.io/en/latest/specs/www.html#request-receive-event:
"If more_body is set, treat as start of body and concatenate on further chunks" (so the
body may come in any number of ``http.request`` messages, empty ones included).
body may come in any number of ``http.request`` messages, empty ones included).
raw_path "Optional; if missing defaults to None", client and server "Optional; if missing
defaults to None", asgi["spec_version"] "Optional; if missing assume "2.0"".
ASGI www #disconnect-receive-event: ``http.disconnect`` is "Sent to the application if
receive is called after a response has been sent or after the HTTP connection has been
closed"; #disconnected-client-send-exception: ``send()`` on a closed connection "should
raise a server-specific subclass of OSError".
ASGI lifespan https://asgi.readthedocs.io/en/latest/specs/lifespan.html#scope: an app
raising for the lifespan scope opts out, and "the server must continue". The lifespan
scope's spec_version is "Optional; if missing defaults to "1.0"", and 1.0 has no
``*.failed`` events (version history: "2.0: Added startup.failed and shutdown.failed"):
the driver's own lifespan says "2.0", and `lifespan_cycle` runs extra lifespan scopes
under the other legal values (`PROBE_LIFESPAN_SPECS`).
ASGI extensions https://asgi.readthedocs.io/en/latest/extensions.html: a server
advertises what it supports in ``scope["extensions"]``, and an app "must check" that an
extension is there before using it. ``response_extensions=True`` is a server that
implements them all (`HTTP_EXTENSIONS`; websocket denial responses too).

Not expressible as data here: the per-exchange timeout (``asyncio.wait``), and that an
app stuck in a CPU loop (never awaiting) cannot be interrupted in-process.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass
from typing import Any, ClassVar, Literal
from urllib.parse import unquote_to_bytes

from speccheck._errors import UsageError
from speccheck._location import register_internal_dir
from speccheck.app._answer import Answer, raised
from speccheck.app._delivery import DeliveryFields
from speccheck.traffic import RequestPlan

__all__ = [
    "HTTP_EXTENSIONS",
    "PROBE_LIFESPAN_SPECS",
    "ASGIDelivery",
    "ASGIDriver",
    "ClientDisconnected",
    "body_messages",
    "build_scope",
]

# The http response extensions this driver implements when it advertises them.
HTTP_EXTENSIONS = (
    "http.response.trailers",
    "http.response.pathsend",
    "http.response.zerocopysend",
    "http.response.early_hint",
    "http.response.push",
    "http.response.debug",
)
# Lifespan spec_version values of the extra lifespan runs ("" leaves the key out: 1.0).
PROBE_LIFESPAN_SPECS = ("", "1.0")
_FILE_LIMIT = 1 << 20  # bytes read from a pathsend / zerocopysend file into the answer

register_internal_dir(os.path.dirname(os.path.abspath(__file__)))

Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[MutableMapping[str, Any], Receive, Send], Awaitable[None]]
RawPath = Literal["bytes", "none", "absent"]


class ClientDisconnected(OSError):
    """Raised by ``send()`` once the (simulated) client has gone (ASGI spec 2.4)."""


@dataclass(frozen=True, slots=True)
class ASGIDelivery(DeliveryFields):
    """The legal choices for one HTTP exchange.

    ``split``: sizes of successive ``http.request`` bodies, 0 meaning an empty message
    (``()`` = the whole body in one message); ``trailing_empty``: end with an extra empty
    message; ``disconnect_mid``: the client goes away halfway through the body messages.
    The other fields say which optional scope keys are present and with what value
    (``spec_version=""`` leaves it out; ``state=False`` is a server without lifespan state,
    only used when the app's lifespan stored nothing there); ``omit_defaults`` leaves
    ``body``/``more_body`` out of ``http.request`` messages where they hold their defaults;
    ``response_extensions`` advertises (and implements) the response extensions.
    """

    KIND: ClassVar[str] = "asgi"

    split: tuple[int, ...] = ()
    trailing_empty: bool = False
    disconnect_mid: bool = False
    root_path: bool = True
    client: bool = True
    server: bool = True
    raw_path: RawPath = "bytes"
    spec_version: str = "2.4"
    extensions: bool = False
    state: bool = True
    omit_defaults: bool = False
    response_extensions: bool = False

    def validate(self) -> None:
        if self.raw_path not in ("bytes", "none", "absent"):
            raise UsageError(f"delivery field 'raw_path' must be 'bytes', 'none' or 'absent', got {self.raw_path!r}")


def body_messages(body: bytes, delivery: ASGIDelivery) -> list[Message]:
    pieces: list[bytes] = []
    at = 0
    for size in delivery.split:
        if at >= len(body) and size:
            break
        pieces.append(body[at : at + size])
        at += size
    if at < len(body) or not pieces:
        pieces.append(body[at:])
    if delivery.trailing_empty and pieces[-1]:
        pieces.append(b"")
    last = len(pieces) - 1
    messages: list[Message] = [{"type": "http.request", "body": p, "more_body": i < last} for i, p in enumerate(pieces)]
    if delivery.omit_defaults:  # body "missing defaults to b''", more_body "missing defaults to False"
        for message in messages:
            if not message["body"]:
                del message["body"]
            if not message["more_body"]:
                del message["more_body"]
    return messages


def build_scope(plan: RequestPlan, delivery: ASGIDelivery, state: dict[str, Any] | None = None) -> dict[str, Any]:
    asgi: dict[str, str] = {"version": "3.0"}
    if delivery.spec_version:
        asgi["spec_version"] = delivery.spec_version
    headers = [[n.lower(), v] for n, v in plan.framing_headers() + list(plan.headers)]
    scope: dict[str, Any] = {
        "type": "http",
        "asgi": asgi,
        "http_version": plan.http_version,
        "method": plan.method,
        "scheme": "http",
        "path": unquote_to_bytes(plan.raw_path).decode("utf-8", "replace"),
        "query_string": plan.query_string,
        "headers": headers,
    }
    if delivery.raw_path == "bytes":
        scope["raw_path"] = plan.raw_path
    elif delivery.raw_path == "none":
        scope["raw_path"] = None
    if delivery.root_path:
        scope["root_path"] = ""
    if delivery.client:
        scope["client"] = ("127.0.0.1", 50123)
    if delivery.server:
        scope["server"] = ("127.0.0.1", 8000)
    if delivery.extensions:
        scope["extensions"] = {}
    if delivery.response_extensions:
        scope["extensions"] = {name: {} for name in HTTP_EXTENSIONS}
    if state is not None and delivery.state:
        scope["state"] = dict(state)  # lifespan: "a shallow copy of the namespace"
    return scope


class _Exchange:
    """receive() and send() of one HTTP connection scope."""

    def __init__(self, messages: list[Message], cut: int | None) -> None:
        self.messages = messages
        self.cut = cut  # deliver this many body messages, then the client is gone
        self.index = 0
        self.gone = False
        self.done = asyncio.Event()
        self.status: int | None = None
        self.headers: list[tuple[str, str]] = []
        self.body: list[bytes] = []
        self.complete = False
        self.trailers = False  # promised in http.response.start: the response ends with the last trailers
        self.body_done = False

    async def receive(self) -> Message:
        if self.cut is not None and self.index >= self.cut:
            self.gone = True
            await asyncio.sleep(0)  # an app polling receive() in a loop still lets the time limit fire
            return {"type": "http.disconnect"}
        if self.index < len(self.messages):
            message = self.messages[self.index]
            self.index += 1
            return dict(message)
        await self.done.wait()  # the body is all in: the next event is the end of the connection
        return {"type": "http.disconnect"}

    async def send(self, message: Message) -> None:
        if self.gone:
            raise ClientDisconnected("the client disconnected")
        kind = message.get("type")
        if self.complete:
            return  # "any further messages on the channel will be ignored"
        if kind == "http.response.start" and self.status is None:
            self.status = int(message["status"])
            self.headers = [
                (bytes(n).decode("latin-1").lower(), bytes(v).decode("latin-1")) for n, v in message.get("headers", ())
            ]
            self.trailers = bool(message.get("trailers", False))
        elif self.status is None or self.body_done:
            if kind == "http.response.trailers" and self.body_done and not message.get("more_trailers", False):
                self._end()
        elif kind == "http.response.body":
            self.body.append(bytes(message.get("body", b"")))
            if not message.get("more_body", False):
                self._end_body()
        elif kind == "http.response.pathsend":
            self.body.append(_read_file(lambda: open(str(message["path"]), "rb")))
            self._end_body()
        elif kind == "http.response.zerocopysend":
            self.body.append(_read_zerocopy(message))
            if not message.get("more_body", False):
                self._end_body()
        # early_hint, push, debug: a server may act on them or not; the answer is the same

    def _end_body(self) -> None:
        self.body_done = True
        if not self.trailers:
            self._end()

    def _end(self) -> None:
        self.complete = True
        self.done.set()

    def answer(self) -> Answer:
        if self.status is None:
            return Answer(500, note="the app returned without starting a response; a server answers 500")
        if not self.complete:
            return Answer(
                500, note="the app returned before finishing its response body; a server closes the connection"
            )
        return Answer(self.status, tuple(self.headers), b"".join(self.body))


def _read_file(opener: Callable[[], Any]) -> bytes:
    """A file's bytes for the answer (bounded); an unreadable file leaves a marker, as a
    server's error would end the response."""
    try:
        with opener() as handle:
            return bytes(handle.read(_FILE_LIMIT))
    except (OSError, TypeError, ValueError) as exc:
        return f"<unreadable file: {type(exc).__name__}>".encode()


def _read_zerocopy(message: Message) -> bytes:
    """extensions.rst Zero Copy Send: ``count`` bytes (all if missing) from ``offset`` (the
    current position if missing) of ``file``; the app closes the file, not the server."""
    file: Any = message.get("file")
    offset, count = message.get("offset"), message.get("count")
    try:
        if offset is not None:
            file.seek(offset)
        limit = _FILE_LIMIT if count is None else min(int(count), _FILE_LIMIT)
        return bytes(file.read(limit))
    except (AttributeError, OSError, TypeError, ValueError) as exc:
        return f"<unreadable file: {type(exc).__name__}>".encode()


class ASGIDriver:
    """Runs an ASGI app on its own event loop: lifespan around HTTP exchanges.

    Use as a context manager, or call `startup` / `deliver` / `shutdown` / `close`.
    """

    def __init__(self, app: ASGIApp, *, timeout: float = 10.0, lifespan: bool = True) -> None:
        self.app = app
        self.timeout = timeout
        self.loop = asyncio.new_event_loop()
        self.use_lifespan = lifespan
        self.state: dict[str, Any] = {}
        self.lifespan_supported: bool | None = None
        self._lifespan_task: asyncio.Task[None] | None = None
        self._lifespan_inbox: asyncio.Queue[Message] | None = None
        self._lifespan_outbox: asyncio.Queue[Message] | None = None

    def __enter__(self) -> ASGIDriver:
        self.startup()
        return self

    def __exit__(self, *exc: object) -> None:
        try:
            self.shutdown()
        finally:
            self.close()

    # -- lifespan ---------------------------------------------------------------

    def startup(self) -> str:
        """Run lifespan startup. Returns "" when started (or the app opted out), else the
        app's ``lifespan.startup.failed`` message (or why it did not answer)."""
        if not self.use_lifespan:
            return ""
        return self.loop.run_until_complete(self._startup())

    async def _startup(self, spec_version: str = "2.0") -> str:
        inbox: asyncio.Queue[Message] = asyncio.Queue()
        outbox: asyncio.Queue[Message] = asyncio.Queue()
        self._lifespan_inbox, self._lifespan_outbox = inbox, outbox
        asgi = {"version": "3.0", "spec_version": spec_version} if spec_version else {"version": "3.0"}
        scope = {"type": "lifespan", "asgi": asgi, "state": self.state}

        async def send(message: Message) -> None:
            await outbox.put(dict(message))

        async def run() -> None:
            await self.app(scope, inbox.get, send)

        self._lifespan_task = self.loop.create_task(run())
        await inbox.put({"type": "lifespan.startup"})
        reply = await self._lifespan_reply()
        if reply is None:  # raised or returned: the app does not do lifespan (legal)
            self.lifespan_supported = False
            return ""
        self.lifespan_supported = True
        if reply.get("type") == "lifespan.startup.complete":
            return ""
        if reply.get("type") == "lifespan.startup.failed":
            return f"lifespan.startup.failed: {reply.get('message', '')!s}"
        return f"the app answered lifespan.startup with {reply.get('type')!r}"

    async def _lifespan_reply(self) -> Message | None:
        assert self._lifespan_task is not None and self._lifespan_outbox is not None
        getter = asyncio.ensure_future(self._lifespan_outbox.get())
        done, _ = await asyncio.wait(
            {getter, self._lifespan_task}, timeout=self.timeout, return_when=asyncio.FIRST_COMPLETED
        )
        if getter in done:
            return getter.result()
        getter.cancel()
        if self._lifespan_task in done:
            if not self._lifespan_task.cancelled():
                self._lifespan_task.exception()  # retrieved: an opt-out, not an error
            return None
        return {"type": "timeout"}

    def lifespan_cycle(self, spec_version: str) -> str:
        """One extra lifespan scope with this ``spec_version`` ("" leaves it out) and its own
        state: startup, then shutdown if it started. Returns what `startup` / `shutdown`
        return for it. Run it before `startup` or after `shutdown`, never while the
        driver's own lifespan is running (a server runs one lifespan scope at a time)."""
        saved = (self._lifespan_task, self._lifespan_inbox, self._lifespan_outbox, self.state, self.lifespan_supported)
        self.state = {}
        try:
            failure = self.loop.run_until_complete(self._startup(spec_version))
            if not failure and self.lifespan_supported:
                failure = self.loop.run_until_complete(self._shutdown())
            task = self._lifespan_task
            if task is not None and not task.done():  # a failed startup the app did not return from
                task.cancel()
                self.loop.run_until_complete(asyncio.wait({task}, timeout=1.0))
            return failure
        finally:
            self._lifespan_task, self._lifespan_inbox, self._lifespan_outbox, self.state = saved[:4]
            self.lifespan_supported = saved[4]

    def shutdown(self) -> str:
        if self._lifespan_task is None or self.loop.is_closed():
            return ""
        return self.loop.run_until_complete(self._shutdown())

    async def _shutdown(self) -> str:
        assert self._lifespan_task is not None and self._lifespan_inbox is not None
        if self._lifespan_task.done():
            return ""
        await self._lifespan_inbox.put({"type": "lifespan.shutdown"})
        reply = await self._lifespan_reply()
        if not self._lifespan_task.done():
            self._lifespan_task.cancel()
        if reply is None or reply.get("type") == "lifespan.shutdown.complete":
            return ""
        return f"lifespan shutdown: {reply.get('type')} {reply.get('message', '')}".strip()

    def close(self) -> None:
        if self.loop.is_closed():
            return
        pending = [t for t in asyncio.all_tasks(self.loop) if not t.done()]
        for task in pending:
            task.cancel()
        if pending:
            self.loop.run_until_complete(asyncio.wait(pending, timeout=1.0))
        self.loop.close()

    # -- HTTP ---------------------------------------------------------------------

    def deliver(self, plan: RequestPlan, delivery: ASGIDelivery = ASGIDelivery(), app: ASGIApp | None = None) -> Answer:
        """One HTTP exchange; never raises for app faults (they are in the `Answer`)."""
        return self.loop.run_until_complete(self.deliver_async(plan, delivery, app))

    async def deliver_async(self, plan: RequestPlan, delivery: ASGIDelivery, app: ASGIApp | None = None) -> Answer:
        messages = body_messages(plan.body, delivery)
        cut = len(messages) // 2 if delivery.disconnect_mid else None
        exchange = _Exchange(messages, cut)
        scope = build_scope(plan, delivery, self.state)
        task = asyncio.ensure_future((app or self.app)(scope, exchange.receive, exchange.send))
        done, _ = await asyncio.wait({task}, timeout=self.timeout)
        if not done:
            location = _task_location(task)
            task.cancel()
            await asyncio.wait({task}, timeout=1.0)
            return Answer(hung=True, location=location)
        exc = task.exception()
        if exc is not None:
            return raised(exc)
        return exchange.answer()


def _task_location(task: asyncio.Task[Any]) -> Any:
    """Where a hung task is suspended: its innermost awaiting frame that is the app's."""
    from speccheck._location import _is_ours
    from speccheck._violations import Location

    found = None
    coro: Any = task.get_coro()
    while coro is not None:
        frame = getattr(coro, "cr_frame", None) or getattr(coro, "gi_frame", None)
        if frame is not None and not _is_ours(frame.f_code.co_filename):
            found = Location(frame.f_code.co_filename, frame.f_lineno, frame.f_code.co_name)
        coro = getattr(coro, "cr_await", None) or getattr(coro, "gi_yieldfrom", None)
    return found
