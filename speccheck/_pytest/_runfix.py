"""The ``speccheck_app`` / ``speccheck_server`` fixtures: a conformance run inside a test.

``result = speccheck_server("uvicorn", examples=200)`` runs server mode and returns the
`speccheck.RunResult`; ``result = speccheck_app(app_or_"module:attr", paths=["/items"])``
runs app mode. The test goes on (so it can inspect the result); when its body ends,
violations at or above the fail-on level fail it, like the lint fixtures' findings.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pytest

from speccheck._errors import UsageError
from speccheck._pytest._ledger import Watch
from speccheck._pytest._lintfix import ledger_of, policy_of
from speccheck._pytest._options import settings_key
from speccheck._pytest._runners import check_options, hypothesis_defaults, run_app, run_server
from speccheck._run import RunResult
from speccheck._violations import Violation

__all__ = ["ConformanceFixture"]

SERVER_OPTIONS = (
    "command",
    "interface",
    "examples",
    "max_time",
    "seed",
    "startup_timeout",
    "exchange_timeout",
    "connections",
)
APP_OPTIONS = ("interface", "paths", "examples", "max_time", "seed", "timeout", "lifespan", "name")


class _Found:
    """A finished run's violations, read by a `Watch` like a lint's."""

    def __init__(self) -> None:
        self.violations: list[Violation] = []


class ConformanceFixture:
    def __init__(self, request: pytest.FixtureRequest, mode: str) -> None:
        self._request = request
        self._mode = mode
        self.results: list[RunResult] = []

    def __call__(
        self,
        target: Any,
        *,
        select: str | Iterable[str] | None = None,
        ignore: str | Iterable[str] | None = None,
        fail_on: str | None = None,
        side: str | None = None,
        **options: Any,
    ) -> RunResult:
        node = self._request.node
        if not isinstance(node, pytest.Item):
            raise UsageError(f"speccheck_{self._mode} is function-scoped: request it from a test")
        config = node.config
        settings = config.stash[settings_key]
        policy = policy_of(node).layered(select=select, ignore=ignore, fail_on=fail_on, side=side)
        options.setdefault("max_time", settings.max_time)
        if self._mode == "server":
            if not isinstance(target, str):
                raise UsageError(f"speccheck_server(target) takes a preset name like 'uvicorn', got {target!r}")
            check_options(options, SERVER_OPTIONS, "speccheck_server")
            options.setdefault("examples", settings.examples)
            result = run_server(target, select=policy.select, ignore=policy.ignore, **options)
            label = f"speccheck_server({target!r})"
        else:
            check_options(options, APP_OPTIONS, "speccheck_app")
            examples, seed = hypothesis_defaults(config)
            if options.get("examples") is None:
                options["examples"] = settings.examples or examples
            if options.get("seed") is None:
                options["seed"] = seed or 0
            result = run_app(target, select=policy.select, ignore=policy.ignore, **options)
            label = f"speccheck_app({result.info.target})"
        found = _Found()
        ledger_of(node).add(Watch(found, label), policy)
        found.violations = list(result.violations)
        self.results.append(result)
        return result
