"""The public surface is exactly what is intended (and every exported name exists)."""

from __future__ import annotations

import importlib

import pytest

PUBLIC = {
    "speccheck": {
        "AppSpecViolation", "Check", "Collector", "Exchange", "InternalError", "Level", "Location", "Mode",
        "Rule", "RunInfo", "RunResult", "ServerSpecViolation", "Side", "Sink", "Spec", "SpecViolation",
        "SpecWarning", "UsageError", "Violation", "__version__", "all_rules", "exit_code", "get_rule",
    },
}  # fmt: skip


@pytest.mark.parametrize("module_name", sorted(PUBLIC))
def test_exports(module_name: str) -> None:
    module = importlib.import_module(module_name)
    assert set(module.__all__) == PUBLIC[module_name]
    for name in module.__all__:
        assert hasattr(module, name), f"{module_name}.{name} is exported but missing"
