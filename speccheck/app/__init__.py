"""App mode: check a WSGI or ASGI application in-process under the reference drivers.

    from speccheck.app import check_app
    violations = check_app(my_asgi_app, paths=["/", "POST:/items"], examples=200)

The command line is `speccheck app MODULE:ATTR` (and `speccheck replay` for one finding).
Imports are deferred: the drivers in the spec packs import this package's helpers.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from speccheck._violations import Violation

__all__ = ["check_app"]


def check_app(
    app: Any,
    interface: str = "auto",
    *,
    paths: Iterable[str] | None = None,
    examples: int = 200,
    max_time: float = 20.0,
    seed: int = 0,
    timeout: float = 5.0,
    lifespan: bool = True,
    target: str = "MODULE:ATTR",
    select: Iterable[str] | None = None,
    ignore: Iterable[str] | None = None,
) -> list[Violation]:
    """Drive generated traffic through ``app`` and return what app mode finds, shrunk.

    ``paths`` are ``[METHOD:]/path`` strings (``WS:/path`` for websocket routes) added to
    the routes discovered from the framework; ``target`` is how replay lines name the app;
    ``select`` / ``ignore`` pick the lint rules (as for the lint middlewares; opt-in rules
    such as H102 run only when selected).
    Lifespan startup failing raises `UsageError`, unless the startup broke the spec (under
    any of the lifespan spec_versions tried): then those findings are returned, and no
    request is sent. App faults are findings, never exceptions.
    """
    from speccheck.app._harness import make_harness
    from speccheck.app._load import detect_interface, discover_routes, parse_paths
    from speccheck.app._runner import AppRunOptions
    from speccheck.app._runner import check_app as run
    from speccheck.app._strategies import Route

    app, detected = detect_interface(app, interface)
    routes = discover_routes(app) + parse_paths(paths) or [Route(b"/")]
    harness = make_harness(app, detected, timeout=timeout, lifespan=lifespan, select=select, ignore=ignore)
    try:
        options = AppRunOptions(target=target, routes=routes, examples=examples, max_time=max_time, seed=seed)
        return run(harness, options)
    finally:
        harness.close()
