"""Policy layers (options, markers, fixture arguments) and per-test attribution."""

from __future__ import annotations

import pytest

from speccheck import Collector, UsageError, Violation, get_rule
from speccheck._pytest._ledger import Ledger, Watch
from speccheck._pytest._policy import Policy
from speccheck._rules import Level


def test_select_and_fail_on_are_replaced_ignore_adds_up() -> None:
    base = Policy().layered(ignore=["W522"], fail_on="must")
    marked = base.with_marker({"select": ["H1"], "ignore": "H102", "fail_on": "any"}, "test_x")
    assert marked.select == ("H1",)
    assert marked.ignore == ("W522", "H102")
    assert marked.fail_on is Level.ADVICE
    final = marked.layered(select=["W5"])
    assert final.select == ("W5",) and final.ignore == ("W522", "H102")
    assert "W522" not in final.enabled() and "W520" in final.enabled()


def test_side_decides_failing_not_reporting() -> None:
    server_finding = Violation(get_rule("T001"), "did not start")
    app_only = Policy().layered(side="app")
    assert app_only.in_force(server_finding)
    assert not app_only.fails(server_finding)
    assert Policy().fails(server_finding)


def test_bad_layers_are_usage_errors() -> None:
    with pytest.raises(UsageError, match="unknown rule code, prefix or name 'Z9'"):
        Policy().layered(select=["Z9"])
    with pytest.raises(UsageError, match="unknown argument"):
        Policy().with_marker({"fail_in": "must"}, "test_x")
    with pytest.raises(UsageError, match="side must be one of app, server, any"):
        Policy().layered(side="client")


class _Lint:
    def __init__(self) -> None:
        self.collector = Collector()

    @property
    def violations(self) -> list[Violation]:
        return self.collector.violations()


def test_a_watch_reports_what_is_new_or_counted_up_since_its_last_look() -> None:
    lint = _Lint()
    lint.collector.add(Violation(get_rule("H103"), "before the test", signature="a"))
    watch = Watch(lint, "lint")  # what is already there belongs to nobody
    ledger = Ledger()
    ledger.add(watch, Policy())
    assert ledger.take() == []
    lint.collector.add(Violation(get_rule("H103"), "again", signature="a"))
    lint.collector.add(Violation(get_rule("H108"), "new", signature="b"))
    found = {(f.violation.code, f.count) for f in ledger.take()}
    assert found == {("H103", 1), ("H108", 1)}
    assert ledger.take() == []


def test_a_session_watch_empties_its_collector_for_each_test() -> None:
    lint = _Lint()
    watch = Watch(lint, "--speccheck-lint=x:app", lint.collector)
    lint.collector.add(Violation(get_rule("H103"), "first test", signature="a"))
    watch.skip()  # the next test starts
    assert lint.violations == []
    lint.collector.add(Violation(get_rule("H103"), "second test", signature="a"))
    assert [(v.message, c) for v, c in watch.new()] == [("second test", 1)]
