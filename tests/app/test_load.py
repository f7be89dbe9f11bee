"""Finding the app: interface detection, route discovery per framework, --path parsing."""

from __future__ import annotations

import importlib
from typing import Any

import pytest

from speccheck._errors import UsageError
from speccheck.app._load import detect_interface, discover_routes, parse_paths
from speccheck.app._strategies import Route


def _app(name: str) -> Any:
    return importlib.import_module(f"fixtures.apps.frameworks.{name}").app


@pytest.mark.frameworks
@pytest.mark.parametrize(
    ("name", "interface", "expected"),
    [
        ("flask_app", "wsgi", {b"/", b"/items/1", b"/echo", b"/form"}),
        ("django_app", "wsgi", {b"/", b"/items/1", b"/echo"}),
        ("bottle_app", "wsgi", {b"/", b"/items/1", b"/echo"}),
        ("falcon_app", "wsgi", set()),
        ("starlette_app", "asgi", {b"/", b"/items/1", b"/echo"}),
        ("fastapi_app", "asgi", {b"/", b"/items/1", b"/items", b"/echo"}),
        ("quart_app", "asgi", {b"/", b"/items/1", b"/echo"}),
        ("litestar_app", "asgi", {b"/", b"/items/1", b"/echo"}),
        ("django_asgi_app", "asgi", {b"/", b"/items/1", b"/echo"}),
    ],
)
def test_framework_interface_and_routes(name: str, interface: str, expected: set[bytes]) -> None:
    app, detected = detect_interface(_app(name))
    assert detected == interface
    assert expected <= {r.path for r in discover_routes(app)}


def test_detects_plain_callables() -> None:
    async def asgi(scope: Any, receive: Any, send: Any) -> None:
        pass

    def wsgi(environ: Any, start_response: Any) -> list[bytes]:
        return []

    class ASGI2:
        def __init__(self, scope: Any) -> None:
            self.scope = scope

        async def __call__(self, receive: Any, send: Any) -> None:
            pass

    assert detect_interface(asgi)[1] == "asgi"
    assert detect_interface(wsgi)[1] == "wsgi"
    assert detect_interface(ASGI2)[1] == "asgi"
    assert detect_interface(wsgi, "asgi")[1] == "asgi"
    with pytest.raises(UsageError, match="not callable"):
        detect_interface(42)


def test_parse_paths() -> None:
    assert parse_paths(["/a", "POST:/items/{id}", "get:/x y"]) == [
        Route(b"/a"),
        Route(b"/items/1", ("POST",)),
        Route(b"/x%20y", ("GET",)),
    ]
    for bad in ("items", "BREW:/pot"):
        with pytest.raises(UsageError):
            parse_paths([bad])
