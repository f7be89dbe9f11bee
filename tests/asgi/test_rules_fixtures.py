"""Every ASGI rule fires on its broken fixture and nowhere else; every correct twin is silent."""

from __future__ import annotations

import pytest

from asgi_checks import H_CODES, RULES, ASGILint
from fixtures.asgi.cases import OPEN_FILES, PAIRS, Case
from fixtures.asgi.harness import ClosedError, run_sync

SELECT = ["A", *H_CODES]  # every A rule and the H rules this pack checks, opt-in ones included


def fired(case: Case, *, tolerate: bool = False) -> set[str]:
    """The codes reported. A correct app may raise on an invalid event from a broken
    server ("it should raise an exception"), so ``tolerate`` lets bad fixtures fail."""
    if case.select:
        lint = ASGILint(case.app, mode="collect", select=case.select)
    else:  # A108 (the server accepted an invalid event) would fire beside every invalid-event fixture
        lint = ASGILint(case.app, mode="collect", select=SELECT, ignore=["A108", *case.ignore])
    try:
        outcome = run_sync(
            lint, case.scope, case.events, raise_after_disconnect=case.raise_after_disconnect, validate=case.validate
        )
    finally:
        while OPEN_FILES:
            OPEN_FILES.pop().close()
    if outcome.error is not None and not isinstance(outcome.error, ClosedError) and not tolerate:
        raise outcome.error
    return {v.code for v in lint.violations}


@pytest.mark.parametrize(("code", "bad"), [(code, bad) for code, bad, _ in PAIRS], ids=[p[0] for p in PAIRS])
def test_rule_fires_on_its_fixture_only(code: str, bad: Case) -> None:
    assert fired(bad, tolerate=True) == {code}


@pytest.mark.parametrize(("code", "good"), [(code, good) for code, _, good in PAIRS], ids=[p[0] for p in PAIRS])
def test_correct_twin_is_silent(code: str, good: Case) -> None:
    assert fired(good, tolerate=good.raises) == set()


def test_every_rule_has_a_fixture() -> None:
    covered = {code for code, _, _ in PAIRS}
    expected = {r.code for r in RULES} | set(H_CODES)
    assert expected - covered == set()
    assert covered - expected == set()
    assert len(PAIRS) == len(covered)


def test_rules_are_documented() -> None:
    for rule in RULES:
        assert rule.code.startswith("A")
        assert rule.quote
        assert rule.bad
        assert rule.fix
        assert rule.anchor
        assert rule.url.startswith("https://")
