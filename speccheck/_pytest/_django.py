"""Django's test clients, linted: the seam behind ``Client`` and ``AsyncClient``.

``django.test.Client`` calls ``ClientHandler.__call__(environ)`` and gets a response
object back; there is no ``start_response`` and no iterable, so a WSGI lint around the
project's ``application`` never sees the test client's traffic. The adapter here runs
the original handler inside a one-request WSGI app that replays the response the way
Django's own ``WSGIHandler`` does (status line, headers plus one ``Set-Cookie`` per
cookie, the body) through the session's lint, and returns the response object
unchanged. ``AsyncClientHandler`` gets the ASGI twin (as ``ASGIHandler`` sends it).

App-side findings are blamed on the view that produced the response (the replay, not
the app, calls ``start_response``, so the lint's own blame would land on Django's test
client). Streaming responses are replayed without their body (and without a Content-Length),
because reading it here would consume what the test is about to read.
"""

from __future__ import annotations

import contextvars
import inspect
import os
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from speccheck._collector import Collector
from speccheck._violations import Location

if TYPE_CHECKING:
    from speccheck._pytest._patch import Installed

__all__ = ["wrap_test_client"]

_DJANGO_TEST = os.sep + os.path.join("django", "test") + os.sep


def _headers(response: Any) -> list[tuple[str, str]]:
    # As django.core.handlers.wsgi.WSGIHandler.__call__ builds them.
    headers = [(str(k), str(v)) for k, v in response.items()]
    headers += [("Set-Cookie", c.output(header="")) for c in response.cookies.values()]
    if response.streaming:
        headers = [(k, v) for k, v in headers if k.lower() != "content-length"]
    return headers


def _status(response: Any) -> str:
    return f"{response.status_code} {response.reason_phrase}"


def _view_location(response: Any) -> Location | None:
    """The view that produced ``response`` (its class for class-based views)."""
    request = getattr(response, "wsgi_request", None) or getattr(response, "asgi_request", None)
    func = getattr(getattr(request, "resolver_match", None), "func", None)
    target = getattr(func, "view_class", None) or func
    if target is None:
        return None
    try:
        target = inspect.unwrap(target)
        file = inspect.getsourcefile(target)
        line = inspect.getsourcelines(target)[1]
    except (TypeError, OSError, ValueError):
        return None
    return Location(file, line, getattr(target, "__qualname__", "")) if file else None


def _blame_the_view(collector: Collector | None, before: set[tuple[str, str]], response: Any) -> None:
    """The replay above calls start_response, not the app, so the lint's blame lands on
    Django's test client; an app-side finding of this request is the view's doing."""
    if collector is None or response is None:
        return
    location = _view_location(response)
    if location is None:
        return
    for violation in collector.violations():
        if violation.key in before or violation.side != "app":
            continue
        if violation.location is None or _DJANGO_TEST in violation.location.file:
            violation.location = location


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

            collector = installed.watch.collector
            before = {v.key for v in collector.violations()} if collector is not None else set()
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
            _blame_the_view(collector, before, box[0] if box else None)
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

            collector = installed.watch.collector
            before = {v.key for v in collector.violations()} if collector is not None else set()
            token = route.set(app)
            try:
                await lint(scope, receive, send)
            finally:
                route.reset(token)
            _blame_the_view(collector, before, box[0] if box else None)
            return box[0]

        handler_cls.__call__ = asgi_call

    def undo() -> None:
        handler_cls.__call__ = original

    installed._undo.append(undo)
    installed.seams.append(f"django.test.client.{handler_cls.__name__}")
