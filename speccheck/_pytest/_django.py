"""Django's test clients, linted: the seam behind ``Client`` and ``AsyncClient``.

``django.test.Client`` calls ``ClientHandler.__call__(environ)`` and gets a response
object back; there is no ``start_response`` and no iterable, so a WSGI lint around the
project's ``application`` never sees the test client's traffic. The adapter here runs
the original handler inside a one-request WSGI app that replays the response the way
Django's own ``WSGIHandler`` does (status line, headers plus one ``Set-Cookie`` per
cookie, the body) through the session's lint, and returns the response object
unchanged. ``AsyncClientHandler`` gets the ASGI twin (as ``ASGIHandler`` sends it).

Streaming responses are replayed without their body (and without a Content-Length),
because reading it here would consume what the test is about to read.
"""

from __future__ import annotations

import contextvars
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from speccheck._pytest._patch import Installed

__all__ = ["wrap_test_client"]


def _headers(response: Any) -> list[tuple[str, str]]:
    # As django.core.handlers.wsgi.WSGIHandler.__call__ builds them.
    headers = [(str(k), str(v)) for k, v in response.items()]
    headers += [("Set-Cookie", c.output(header="")) for c in response.cookies.values()]
    if response.streaming:
        headers = [(k, v) for k, v in headers if k.lower() != "content-length"]
    return headers


def _status(response: Any) -> str:
    return f"{response.status_code} {response.reason_phrase}"


def _ignore_start_response(
    status: str, headers: list[tuple[str, str]], exc_info: Any = None
) -> Callable[[bytes], None]:
    return lambda data: None


def wrap_test_client(
    lint: Any, interface: str, installed: Installed, route: contextvars.ContextVar[Callable[..., Any]]
) -> None:
    from django.test import client  # type: ignore[import-untyped]

    if interface == "wsgi":
        handler_cls: Any = client.ClientHandler
        original = handler_cls.__call__

        def wsgi_call(self: Any, environ: Any, *args: Any, **kwargs: Any) -> Any:
            box: list[Any] = []

            def app(env: Any, start_response: Any) -> Iterable[bytes]:
                response = original(self, env, *args, **kwargs)
                box.append(response)
                start_response(_status(response), _headers(response))
                return [] if response.streaming else [response.content]

            token = route.set(app)
            try:
                body = lint(environ, _ignore_start_response)
                try:
                    for _ in body:
                        pass
                finally:
                    close = getattr(body, "close", None)
                    if close is not None:
                        close()
            finally:
                route.reset(token)
            return box[0]

        handler_cls.__call__ = wsgi_call
    else:
        handler_cls = client.AsyncClientHandler
        original = handler_cls.__call__

        async def asgi_call(self: Any, scope: Any, *args: Any, **kwargs: Any) -> Any:
            box: list[Any] = []

            async def app(scope_: Any, receive: Any, send: Any) -> None:
                response = await original(self, scope_, *args, **kwargs)
                box.append(response)
                headers = [(k.encode("ascii"), v.encode("latin-1")) for k, v in _headers(response)]
                await send({"type": "http.response.start", "status": response.status_code, "headers": headers})
                await send({"type": "http.response.body", "body": b"" if response.streaming else response.content})

            # The client hands Django the body in the scope; the lint sees it as one event.
            body = b""
            if "_body_file" in scope:
                body = scope["_body_file"].read()
                scope["_body_file"] = client.FakePayload(body)
            sent_request = False

            async def receive() -> dict[str, Any]:
                nonlocal sent_request
                if not sent_request:
                    sent_request = True
                    return {"type": "http.request", "body": body, "more_body": False}
                return {"type": "http.disconnect"}

            async def send(message: Any) -> None:
                return None

            token = route.set(app)
            try:
                await lint(scope, receive, send)
            finally:
                route.reset(token)
            return box[0]

        handler_cls.__call__ = asgi_call

    def undo() -> None:
        handler_cls.__call__ = original

    installed._undo.append(undo)
    installed.seams.append(f"django.test.client.{handler_cls.__name__}")
