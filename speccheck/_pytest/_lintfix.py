"""The ``wsgi_lint`` / ``asgi_lint`` fixtures and the per-test policy from the marker.

``wrapped = wsgi_lint(app)`` returns the app inside a `WSGILint` in collect mode: the
app runs undisturbed, and when the test body ends every finding at or above the
fail-on level fails the test with one block per finding. Findings made during the
test's teardown fail the teardown.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable
from typing import Any

import pytest

from speccheck._errors import UsageError
from speccheck._pytest._ledger import Ledger, Watch
from speccheck._pytest._options import settings_key
from speccheck._pytest._policy import Policy

__all__ = ["LintFactory", "ledger_key", "lint_class", "policy_of"]

ledger_key = pytest.StashKey[Ledger]()
_policy_key = pytest.StashKey[dict[bool, Policy]]()

_LINTS = {"wsgi": ("wsgi_checks", "WSGILint"), "asgi": ("asgi_checks", "ASGILint")}


def lint_class(interface: str) -> Any:
    """WSGILint or ASGILint, imported only when first needed."""
    module_name, name = _LINTS[interface]
    try:
        return getattr(importlib.import_module(module_name), name)
    except (ImportError, AttributeError) as exc:
        raise UsageError(f"{module_name}.{name} is not available: {exc}") from None


def policy_of(item: pytest.Item, *, zero_change: bool = False) -> Policy:
    """The session policy (of the fixtures, or of ``--speccheck-lint``) with the test's
    ``speccheck`` markers on top, farthest first."""
    cache = item.stash.setdefault(_policy_key, {})
    policy = cache.get(zero_change)
    if policy is None:
        settings = item.config.stash[settings_key]
        policy = settings.lint_policy if zero_change else settings.policy
        for marker in reversed(list(item.iter_markers("speccheck"))):
            if marker.args:
                raise UsageError(
                    f"@pytest.mark.speccheck takes keyword arguments only (select=, ignore=, fail_on=, side=), "
                    f"got positional {marker.args!r} on {item.nodeid}"
                )
            policy = policy.with_marker(marker.kwargs, item.nodeid)
        cache[zero_change] = policy
    return policy


def ledger_of(item: pytest.Item) -> Ledger:
    ledger = item.stash.get(ledger_key, None)
    if ledger is None:
        ledger = item.stash[ledger_key] = Ledger()
    return ledger


class LintFactory:
    """What the fixture returns: call it with an app to get the app under lint."""

    def __init__(self, request: pytest.FixtureRequest, interface: str) -> None:
        self._request = request
        self._interface = interface
        self.lints: list[Any] = []

    def __call__(
        self,
        app: Any,
        *,
        select: str | Iterable[str] | None = None,
        ignore: str | Iterable[str] | None = None,
        fail_on: str | None = None,
        side: str | None = None,
        **lint_options: Any,
    ) -> Any:
        if not callable(app):
            raise UsageError(f"{self._interface}_lint(app) needs a callable app, got {type(app).__name__}")
        if "mode" in lint_options:
            raise UsageError(f"{self._interface}_lint collects and fails the test itself; do not pass mode=")
        node = self._request.node
        if not isinstance(node, pytest.Item):
            raise UsageError(f"{self._interface}_lint is function-scoped: request it from a test")
        policy = policy_of(node).layered(select=select, ignore=ignore, fail_on=fail_on, side=side)
        lint = lint_class(self._interface)(app, mode="collect", **policy.lint_kwargs(), **lint_options)
        label = f"{self._interface}_lint({_name(app)})"
        ledger_of(node).add(Watch(lint, label), policy)
        self.lints.append(lint)
        return lint

    @property
    def violations(self) -> list[Any]:
        """Everything the lints made by this fixture have found so far (failing or not)."""
        return [v for lint in self.lints for v in lint.violations]


def _name(app: Any) -> str:
    name = getattr(app, "__qualname__", None) or type(app).__qualname__
    return str(name)
