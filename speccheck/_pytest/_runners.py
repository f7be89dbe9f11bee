"""The two conformance runs as calls the plugin can make: server mode and app mode.

Server mode is `speccheck.server.check_server`. App mode mirrors what ``speccheck app``
does (load, detect the interface, discover routes, drive the reference harness,
explore and shrink) and returns a `RunResult` the same way. Inside pytest, app mode
takes its example count and seed from hypothesis' active settings profile
(``--hypothesis-profile``, ``settings.load_profile``) and ``--hypothesis-seed``, unless
the call or ``--speccheck-examples`` gives them.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from typing import Any

import pytest

from speccheck._errors import UsageError
from speccheck._run import RunInfo, RunResult

__all__ = ["hypothesis_defaults", "run_app", "run_server"]

APP_MAX_TIME = 20.0  # as `speccheck app`


def hypothesis_defaults(config: pytest.Config | None) -> tuple[int, int | None]:
    """(max_examples of the active hypothesis profile, --hypothesis-seed or None)."""
    from hypothesis import settings

    seed: int | None = None
    if config is not None:
        try:
            raw = config.getoption("hypothesis_seed")
        except ValueError:  # hypothesis' pytest plugin not loaded
            raw = None
        if raw is not None:
            try:
                seed = int(raw)
            except ValueError:
                seed = abs(hash(raw)) % (2**32)
    return int(settings().max_examples), seed  # settings() inherits the loaded profile


def run_server(
    target: str,
    *,
    select: Iterable[str] | None,
    ignore: Iterable[str],
    examples: int | None = None,
    max_time: float | None = None,
    **options: Any,
) -> RunResult:
    from speccheck.server import check_server

    if examples is not None:
        options["examples"] = examples
    result: RunResult = check_server(
        target,
        select=list(select) if select is not None else None,
        ignore=list(ignore),
        max_time=max_time,
        **options,
    )
    return result


def run_app(
    app: Any,
    *,
    select: Iterable[str] | None,
    ignore: Iterable[str],
    examples: int,
    seed: int = 0,
    max_time: float | None = None,
    interface: str = "auto",
    paths: Iterable[str] | None = None,
    timeout: float = 5.0,
    lifespan: bool = True,
    name: str = "",
) -> RunResult:
    """App-mode conformance of ``app`` (an app object or ``"MODULE:ATTR"``)."""
    from speccheck._catalogue import all_rules
    from speccheck._rules import Side
    from speccheck._selection import resolve_selection
    from speccheck.app._harness import make_harness
    from speccheck.app._load import detect_interface, discover_routes, load_app, parse_paths
    from speccheck.app._runner import AppRunOptions, check_app
    from speccheck.app._strategies import Route

    label = app if isinstance(app, str) else name or _name(app)
    obj = load_app(app) if isinstance(app, str) else app
    obj, kind = detect_interface(obj, interface)
    routes = discover_routes(obj) + parse_paths(list(paths) if paths is not None else None)
    if not any(r.path == b"/" for r in routes):
        routes.append(Route(b"/"))
    budget = max_time if max_time is not None else APP_MAX_TIME
    explore = budget if max_time is None else budget * 0.7
    options = AppRunOptions(
        target=label,
        routes=routes,
        examples=examples,
        max_time=explore,
        seed=seed,
        shrink_budget=max(2.0, budget - explore if max_time is not None else budget / 3),
    )
    enabled = resolve_selection(all_rules(), list(select) if select is not None else None, list(ignore))
    info = RunInfo(command="app", target=label, interface=kind, seed=seed)
    started = time.monotonic()
    harness_options: dict[str, Any] = {"timeout": timeout, "select": select, "ignore": list(ignore)}
    if kind == "asgi":
        harness_options["lifespan"] = lifespan
    harness = make_harness(obj, kind, **harness_options)
    try:
        violations = check_app(harness, options)
    finally:
        harness.close()
    info.duration = time.monotonic() - started
    pack = "W" if kind == "wsgi" else "A"
    diff = {"D002", "D004", "D006"} if kind == "wsgi" else {"D001", "D003", "D005"}
    checked = {r.code for r in all_rules() if r.code[0] in (pack, "H") and r.side is Side.APP} | diff
    checked |= {"T005", "T006"}
    kept = [v for v in violations if v.code in enabled]
    return RunResult(info, kept, [r for r in all_rules() if r.code in checked & enabled])


def _name(app: Any) -> str:
    """``module:attr`` where the object can be found again (for the replay line)."""
    module = getattr(app, "__module__", None)
    qualname = getattr(app, "__qualname__", None)
    if isinstance(module, str) and isinstance(qualname, str) and "<" not in qualname:
        return f"{module}:{qualname}"
    return str(qualname or type(app).__qualname__)


def check_options(given: dict[str, Any], allowed: Iterable[str], what: str) -> None:
    unknown = sorted(set(given) - set(allowed))
    if unknown:
        raise UsageError(f"{what} got unknown option(s) {', '.join(unknown)}; it takes {', '.join(sorted(allowed))}")
