"""The catalogue: every rule of every spec pack, looked up by code."""

from __future__ import annotations

import functools
import importlib

from speccheck._errors import InternalError, UsageError
from speccheck._rules import Rule

__all__ = ["RULE_MODULES", "all_rules", "get_rule"]

# Each module holds ``RULES: tuple[Rule, ...]``. A third spec pack adds its module here.
RULE_MODULES = (
    "wsgi_checks._rules",
    "asgi_checks._rules",
    "speccheck._http_rules",
    "speccheck._target_rules",
    "speccheck.server._rules",
    "speccheck.server._conn_rules",
    "speccheck.server._reaction_rules",
    "speccheck.server._ws_rules",
    "speccheck.app._rules",
)


@functools.cache
def all_rules() -> tuple[Rule, ...]:
    rules: list[Rule] = []
    for module_name in RULE_MODULES:
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name is not None and module_name.startswith(exc.name):
                continue  # a pack not installed or not built
            raise
        rules.extend(module.RULES)
    codes: dict[str, Rule] = {}
    names: dict[str, Rule] = {}
    for rule in rules:
        if rule.code in codes:
            raise InternalError(f"rule code {rule.code} defined twice")
        if rule.name in names:
            raise InternalError(f"rule name {rule.name} used by {names[rule.name].code} and {rule.code}")
        codes[rule.code] = names[rule.name] = rule
    return tuple(sorted(rules, key=lambda r: r.code))


@functools.cache
def _by_code() -> dict[str, Rule]:
    return {r.code: r for r in all_rules()} | {r.name: r for r in all_rules()}


def get_rule(code: str) -> Rule:
    """The rule with this code (or name); `UsageError` naming the code if none has it."""
    try:
        return _by_code()[code.upper() if code[:1].isalpha() and code[1:].isdigit() else code]
    except (KeyError, IndexError):
        raise UsageError(f"unknown rule code {code!r} (see `speccheck rules`)") from None
