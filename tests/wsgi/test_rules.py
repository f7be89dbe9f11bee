"""Every rule WSGILint checks fires on its breaking fixture, and only there."""

from __future__ import annotations

from typing import Any

import pytest

from fixtures.wsgi.table import ALSO, CASES, CORRECT, MIDDLEWARE_CASES, Scenario
from speccheck import Level, Side, Spec, get_rule
from wsgi_checks import HTTP_CODES, RULES, WSGILint


def lint(app: Any) -> WSGILint:
    return WSGILint(app, mode="collect", select=["W", "H"])


def codes(scenario: Scenario) -> list[str]:
    checked, _ = scenario.run(lint)
    return sorted(v.code for v in checked.violations)


def test_every_rule_has_fixtures() -> None:
    owned = {rule.code for rule in RULES} | set(HTTP_CODES)
    assert set(CASES) | set(MIDDLEWARE_CASES) == owned
    assert not set(CASES) & set(MIDDLEWARE_CASES)


@pytest.mark.parametrize("code", sorted(CASES))
def test_rule_fires_on_broken_fixture_only(code: str) -> None:
    broken, correct = CASES[code]
    also = ALSO.get(code, set())
    assert codes(broken) == sorted({code} | also), f"{broken!r} should break exactly {code}"
    assert codes(correct) == sorted(also), f"{correct!r} is correct and must stay silent"


@pytest.mark.parametrize("scenario", CORRECT, ids=repr)
def test_correct_scenarios_are_silent(scenario: Scenario) -> None:
    assert codes(scenario) == []


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.code)
def test_rule_data(rule: Any) -> None:
    assert rule.spec is Spec.PEP3333
    assert rule.url.startswith("https://peps.python.org/pep-3333/#")
    assert rule.quote and rule.bad and rule.fix
    # W4xx: middleware, blamed as the server of the application below it
    assert (rule.side is Side.SERVER) == rule.code.startswith(("W1", "W2", "W3", "W4"))
    assert rule.level in (Level.MUST, Level.SHOULD, Level.ADVICE)
    assert get_rule(rule.code) is rule


@pytest.mark.parametrize("code", sorted(CASES))
def test_violation_shape(code: str) -> None:
    broken, _ = CASES[code]
    checked, _ = broken.run(lint)
    (violation,) = [v for v in checked.violations if v.code == code]
    rule = get_rule(code)
    assert violation.side == rule.side.value
    assert violation.level == rule.level.value
    assert violation.message
    assert violation.exchange is not None and violation.exchange.interface == "wsgi"
    if rule.side is Side.APP:
        # blamed on the app's own source line, in fixtures/wsgi/apps.py
        assert violation.location is not None, code
        assert violation.location.file.endswith("apps.py"), (code, violation.location)
