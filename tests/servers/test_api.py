"""The public surface of the server-side packages is exactly what is intended."""

from __future__ import annotations

import speccheck.client
import speccheck.server
import speccheck.targets
from speccheck.server import ResponsePlan, ServerRun, check_server, run_server
from speccheck.server._rules import RULES


def test_exported_names() -> None:
    assert sorted(speccheck.server.__all__) == [
        "DEFAULT_EXAMPLES",
        "DEFAULT_MAX_TIME",
        "ResponsePlan",
        "ServerRun",
        "check_server",
        "run_server",
    ]
    assert sorted(speccheck.client.__all__) == ["Outcome", "WireConnection", "WireResponse"]
    assert sorted(speccheck.targets.__all__) == [
        "PRESETS",
        "ServerProcess",
        "Target",
        "command_target",
        "free_port",
        "get_target",
        "installed_targets",
        "wait_for_port",
    ]
    assert callable(check_server)
    assert callable(run_server)
    assert ServerRun.__name__ == "ServerRun"
    assert ResponsePlan("x").status == 200


def test_rules_are_in_the_catalogue() -> None:
    catalogue = {r.code: r for r in speccheck.all_rules()}
    for rule in RULES:
        assert catalogue.get(rule.code) == rule
        assert rule.code.startswith("S")
        assert rule.url.startswith("https://")


def test_probe_modules_stay_light() -> None:
    """The probe's side channel must not import the runner, the client or hypothesis."""
    import subprocess
    import sys

    code = (
        "import sys, speccheck.server._plans, wsgi_checks._probe, asgi_checks._probe; "
        "bad = [m for m in ('speccheck.server._runner', 'speccheck.client', 'hypothesis') if m in sys.modules]; "
        "print(bad); sys.exit(1 if bad else 0)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr
