"""Zero-change mode: ``--speccheck-lint MODULE:ATTR`` lints an app in place for a session.

Test clients hold a reference to the app object, not to the module attribute, so
replacing the attribute is not enough. The seams, in order of preference:

- an app that is an instance of a Python class (Flask, Starlette, FastAPI, Quart,
  Django's WSGIHandler/ASGIHandler, most frameworks): its ``__class__`` is swapped for
  a subclass whose ``__call__`` runs the original one under the lint, so every
  reference to the object, held anywhere, goes through the lint;
- Django's test ``Client`` / ``AsyncClient`` never call the project's WSGI/ASGI handler:
  they build a ``ClientHandler`` / ``AsyncClientHandler`` that returns a response
  object, not a WSGI/ASGI exchange. For a Django handler their ``__call__`` is wrapped
  as well, by an adapter that replays the response as a WSGI ``start_response`` + body
  (or ASGI ``http.response.start`` + ``http.response.body``) through the same lint;
- a plain function (or an object whose class cannot be swapped): the module attribute
  is replaced, which reaches code that looks the attribute up after the session starts.

One lint per target collects for the whole session; each test reads what is new in it
(`speccheck._pytest._ledger.Watch`). Everything is undone at the end of the session.
"""

from __future__ import annotations

import contextvars
import importlib
import importlib.util
import inspect
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from speccheck._collector import Collector
from speccheck._errors import UsageError
from speccheck._pytest._ledger import Watch
from speccheck._pytest._lintfix import lint_class
from speccheck._pytest._policy import Policy

__all__ = ["Installed", "check_spec", "install", "is_asgi"]

# The app the session lint calls for this request: the original __call__ or an adapter.
_route: contextvars.ContextVar[Callable[..., Any]] = contextvars.ContextVar("speccheck_route")


@dataclass
class Installed:
    spec: str
    interface: str
    watch: Watch
    seams: list[str] = field(default_factory=list)  # what was wrapped, for the header line
    _undo: list[Callable[[], None]] = field(default_factory=list)

    def uninstall(self) -> None:
        while self._undo:
            self._undo.pop()()


def is_asgi(app: Any) -> bool:
    """ASGI 3 apps are coroutine functions or objects with an ``async def __call__``."""
    if inspect.iscoroutinefunction(app):
        return True
    call = type(app).__dict__.get("__call__") or next(
        (c.__dict__["__call__"] for c in type(app).__mro__ if "__call__" in c.__dict__), None
    )
    return call is not None and inspect.iscoroutinefunction(call)


def check_spec(spec: str) -> tuple[str, str]:
    """(module, attr) of a well-formed ``MODULE:ATTR`` whose module can be found (not imported)."""
    module_name, sep, attr = spec.partition(":")
    if not sep or not module_name or not attr:
        raise UsageError(f"--speccheck-lint takes MODULE:ATTR (like myproject.wsgi:application), got {spec!r}")
    try:
        found = importlib.util.find_spec(module_name)
    except (ImportError, ValueError) as exc:
        raise UsageError(f"--speccheck-lint {spec}: cannot import {module_name!r}: {exc!r}") from None
    if found is None:
        raise UsageError(f"--speccheck-lint {spec}: cannot import {module_name!r}: no such module")
    return module_name, attr


def _resolve(spec: str) -> tuple[Any, str, Any]:
    module_name, attr = check_spec(spec)
    try:
        module = importlib.import_module(module_name)
    except Exception as exc:
        raise UsageError(f"--speccheck-lint {spec}: cannot import {module_name!r}: {exc!r}") from None
    owner: Any = module
    parts = attr.split(".")
    for part in parts[:-1]:
        owner = getattr(owner, part, None)
    if owner is None or not hasattr(owner, parts[-1]):
        raise UsageError(f"--speccheck-lint {spec}: {module_name!r} has no attribute {attr!r}")
    app = getattr(owner, parts[-1])
    if not callable(app):
        raise UsageError(f"--speccheck-lint {spec}: {attr!r} is a {type(app).__name__}, not a WSGI/ASGI app")
    return owner, parts[-1], app


async def _dispatch_asgi(scope: Any, receive: Any, send: Any) -> None:
    await _route.get()(scope, receive, send)


def _dispatch_wsgi(environ: Any, start_response: Any) -> Any:
    return _route.get()(environ, start_response)


def install(spec: str, policy: Policy) -> Installed:
    owner, attr, app = _resolve(spec)
    interface = "asgi" if is_asgi(app) else "wsgi"
    dispatch = _dispatch_asgi if interface == "asgi" else _dispatch_wsgi
    collector = Collector()
    lint = lint_class(interface)(dispatch, mode="collect", collector=collector, **policy.lint_kwargs())
    installed = Installed(spec, interface, Watch(lint, f"--speccheck-lint={spec}", collector))
    is_django = any(c.__module__.startswith("django.core.handlers.") for c in type(app).__mro__)
    if not _swap_class(app, lint, interface, installed):
        _replace_attribute(owner, attr, app, lint, interface, installed)
    if is_django:
        from speccheck._pytest._django import wrap_test_client

        wrap_test_client(lint, interface, installed, _route)
    return installed


def _swap_class(app: Any, lint: Any, interface: str, installed: Installed) -> bool:
    cls = type(app)
    if inspect.isfunction(app) or inspect.ismethod(app) or cls.__module__ == "builtins":
        return False
    original = cls.__call__

    if interface == "asgi":

        async def asgi_call(self: Any, scope: Any, receive: Any, send: Any) -> None:
            token = _route.set(lambda s, r, w: original(self, s, r, w))
            try:
                await lint(scope, receive, send)
            finally:
                _route.reset(token)

        call: Callable[..., Any] = asgi_call
    else:

        def wsgi_call(self: Any, environ: Any, start_response: Any) -> Any:
            token = _route.set(lambda e, s: original(self, e, s))
            try:
                return lint(environ, start_response)
            finally:
                _route.reset(token)

        call = wsgi_call
    # Empty __slots__: the same instance layout, so even slotted classes can be swapped.
    namespace = {"__call__": call, "__module__": cls.__module__, "__qualname__": cls.__qualname__, "__slots__": ()}
    try:
        app.__class__ = type(cls.__name__, (cls,), namespace)
    except TypeError:  # a final class, a C type, a metaclass that refuses: replace the attribute
        return False

    def undo() -> None:
        app.__class__ = cls

    installed._undo.append(undo)
    installed.seams.append(f"{cls.__module__}.{cls.__qualname__} instance")
    return True


def _replace_attribute(owner: Any, attr: str, app: Any, lint: Any, interface: str, installed: Installed) -> None:
    if interface == "asgi":

        async def linted_asgi(scope: Any, receive: Any, send: Any) -> None:
            token = _route.set(app)
            try:
                await lint(scope, receive, send)
            finally:
                _route.reset(token)

        replacement: Callable[..., Any] = linted_asgi
    else:

        def linted_wsgi(environ: Any, start_response: Any) -> Any:
            token = _route.set(app)
            try:
                return lint(environ, start_response)
            finally:
                _route.reset(token)

        replacement = linted_wsgi
    setattr(owner, attr, replacement)

    def undo() -> None:
        setattr(owner, attr, app)

    installed._undo.append(undo)
    installed.seams.append(f"attribute {attr}")
