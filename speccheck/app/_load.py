"""Finding the app: import ``MODULE:ATTR`` (the current directory on sys.path, as
uvicorn does), tell WSGI from ASGI, and list the routes the framework exposes."""

from __future__ import annotations

import importlib
import importlib.util
import inspect
import os
import re
import sys
import traceback
from collections.abc import Iterable
from typing import Any

from speccheck._errors import UsageError
from speccheck.app._strategies import Route

__all__ = ["AppImportError", "detect_interface", "discover_routes", "load_app", "parse_paths"]

_PARAM = re.compile(r"<[^>]*>|\{[^}]*\}")
_METHODS = ("GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS")


class AppImportError(UsageError):
    """The app's module raised while importing; ``details`` is its own traceback."""

    def __init__(self, message: str, details: str) -> None:
        super().__init__(message)
        self.details = details


def _import_module(name: str) -> Any:
    if name.endswith(".py") or os.sep in name:
        path = os.path.abspath(name if name.endswith(".py") else name + ".py")
        if not os.path.isfile(path):
            raise UsageError(f"cannot import {name!r}: no such file {path}")
        module_name = os.path.splitext(os.path.basename(path))[0]
        spec = importlib.util.spec_from_file_location(module_name, path)
        if spec is None or spec.loader is None:  # pragma: no cover - a .py file always has a spec
            raise UsageError(f"cannot import {name!r}")
        module = importlib.util.module_from_spec(spec)
        sys.modules[module_name] = module
        sys.path.insert(0, os.path.dirname(path))
        spec.loader.exec_module(module)
        return module
    return importlib.import_module(name)


def load_app(spec: str) -> Any:
    """The object named by ``MODULE:ATTR`` (ATTR may be dotted; default ``app``)."""
    module_name, _, attr = spec.partition(":")
    if not module_name:
        raise UsageError(f"the app must be given as MODULE:ATTR, like myproject.asgi:application; got {spec!r}")
    if os.getcwd() not in sys.path:
        sys.path.insert(0, os.getcwd())
    try:
        module = _import_module(module_name)
    except UsageError:
        raise
    except ModuleNotFoundError as exc:
        if exc.name and module_name.startswith(exc.name):
            raise UsageError(
                f"cannot import module {module_name!r}: not found (run from the project directory?)"
            ) from None
        raise AppImportError(f"importing {module_name!r} failed: {exc!r}", traceback.format_exc()) from None
    except BaseException as exc:  # the app's own import-time error, SystemExit included
        if isinstance(exc, KeyboardInterrupt):
            raise
        raise AppImportError(f"importing {module_name!r} failed: {exc!r}", traceback.format_exc()) from None
    obj: Any = module
    for part in (attr or "app").split("."):
        try:
            obj = getattr(obj, part)
        except AttributeError:
            raise UsageError(f"module {module_name!r} has no attribute {attr or 'app'!r}") from None
    return obj


def _is_async(obj: Any) -> bool:
    if inspect.iscoroutinefunction(obj):
        return True
    call = getattr(obj, "__call__", None)  # noqa: B004 - the bound method is what we inspect
    return call is not None and inspect.iscoroutinefunction(call)


def detect_interface(app: Any, requested: str = "auto") -> tuple[Any, str]:
    """(app as a single ASGI 3 callable or the WSGI callable, "asgi" | "wsgi")."""
    if not callable(app):
        raise UsageError(f"{app!r} is not a WSGI or ASGI application (it is not callable)")
    from asgiref.compatibility import is_double_callable

    if requested == "asgi":
        return _asgi3(app), "asgi"
    if requested == "wsgi":
        return app, "wsgi"
    if requested != "auto":
        raise UsageError(f"--interface must be auto, wsgi or asgi; got {requested!r}")
    if _is_async(app):
        return app, "asgi"
    if inspect.isclass(app) and is_double_callable(app):  # type: ignore[no-untyped-call]
        return _asgi3(app), "asgi"
    try:
        params = [
            p
            for p in inspect.signature(app).parameters.values()
            if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
        ]
    except (TypeError, ValueError):
        return app, "wsgi"
    if len(params) == 3:
        raise UsageError(f"{app!r} takes three arguments but is not async: not an ASGI 3 app (use --interface asgi?)")
    return app, "wsgi"


def _asgi3(app: Any) -> Any:
    """``app`` as an ASGI 3 single callable. An adapted legacy shape (ASGI2 double callable,
    sync callable) keeps the original in ``_speccheck_original``: the harness gives that to
    the lint, which adapts it the same way and reports the shape (A101, A102)."""
    from asgi_checks._lint import _callable_kind

    kind = _callable_kind(app)
    if kind == "single":
        return app
    if kind == "double":
        from asgiref.compatibility import double_to_single_callable

        adapter: Any = double_to_single_callable(app)  # type: ignore[no-untyped-call]
    else:

        async def adapter(scope: Any, receive: Any, send: Any) -> None:
            result = app(scope, receive, send)
            if inspect.isawaitable(result):
                await result

    adapter._speccheck_original = app
    return adapter


def _fill(path: str) -> bytes:
    filled = _PARAM.sub("1", path)
    if not filled.startswith("/"):
        filled = "/" + filled
    from urllib.parse import quote

    return quote(filled, safe="/:@!$&'()*+,;=-._~%").encode("ascii")


def _route(path: str, methods: Iterable[str] | None) -> Route:
    known = tuple(m for m in (methods or ()) if m in (*_METHODS, "WS"))
    return Route(_fill(path), tuple(sorted(known)))


def _starlette_routes(routes: Iterable[Any], prefix: str = "") -> list[Route]:
    out: list[Route] = []
    for route in routes:
        path = getattr(route, "path", None)
        if not isinstance(path, str):
            continue
        sub = getattr(route, "routes", None)
        methods = getattr(route, "methods", None)
        if sub and not methods:
            out += _starlette_routes(sub, prefix + path)
        elif methods is not None:
            out.append(_route(prefix + path, methods))
        elif "WebSocket" in type(route).__name__:
            out.append(Route(_fill(prefix + path), ("WS",)))
    return out


def _django_routes(patterns: Iterable[Any], prefix: str = "") -> list[Route]:
    out: list[Route] = []
    for pattern in patterns:
        text = str(getattr(pattern, "pattern", ""))
        if type(getattr(pattern, "pattern", None)).__name__ == "RegexPattern":
            text = text.lstrip("^").rstrip("$").replace("\\", "")
            if re.search(r"[()\[\]*+?|]", text):
                continue
        sub = getattr(pattern, "url_patterns", None)
        if sub is not None:
            out += _django_routes(sub, prefix + text)
        else:
            out.append(_route("/" + prefix + text, None))
    return out


def discover_routes(app: Any) -> list[Route]:
    """Routes from the framework's own tables (Flask/werkzeug/Quart url_map, Starlette,
    FastAPI and Litestar routes, Bottle routes, Django's URLconf); [] when unknown."""
    try:
        url_map = getattr(app, "url_map", None)
        if url_map is not None and hasattr(url_map, "iter_rules"):
            return [
                Route(_fill(r.rule), ("WS",)) if getattr(r, "websocket", False) else _route(r.rule, r.methods)
                for r in url_map.iter_rules()
            ]
        routes = getattr(app, "routes", None)
        if routes is not None and not callable(routes):
            rows = list(routes)
            if rows and hasattr(rows[0], "rule") and hasattr(rows[0], "method"):  # bottle
                return [_route(r.rule, [r.method]) for r in rows]
            return _starlette_routes(rows)
        if type(app).__module__.startswith("django."):
            from django.urls import get_resolver  # type: ignore[import-untyped]

            return _django_routes(get_resolver().url_patterns)
    except Exception:  # a framework we misread: fall back to the given paths
        return []
    return []


def parse_paths(values: Iterable[str] | None) -> list[Route]:
    """``--path /x`` and ``--path POST:/x`` values as routes."""
    out: list[Route] = []
    for value in values or ():
        method, sep, path = value.partition(":")
        if not sep or value.startswith("/"):
            method, path = "", value
        if not path.startswith("/"):
            raise UsageError(f"--path takes [METHOD:]/path, like POST:/items; got {value!r}")
        if method and method.upper() not in (*_METHODS, "WS"):
            raise UsageError(f"--path method must be one of {', '.join(_METHODS)} or WS (websocket); got {method!r}")
        out.append(Route(_fill(path), (method.upper(),) if method else ()))
    return out
