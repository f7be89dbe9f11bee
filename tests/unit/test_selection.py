"""--select / --ignore by code, prefix and name; exit codes by --fail-on."""

from __future__ import annotations

import pytest

from speccheck import Level, UsageError, Violation, all_rules, exit_code, get_rule
from speccheck._outcome import parse_fail_on
from speccheck._selection import resolve_selection


def test_default_is_every_default_rule() -> None:
    enabled = resolve_selection(all_rules())
    assert "H101" in enabled
    assert "H102" not in enabled  # opt-in


def test_select_prefix_includes_opt_in_rules() -> None:
    enabled = resolve_selection(all_rules(), select="H")
    assert {"H101", "H102"} <= enabled
    assert all(code.startswith("H") for code in enabled)


def test_select_by_name_and_list() -> None:
    assert resolve_selection(all_rules(), select=["no-content-for-head", "T001"]) == {"H102", "T001"}


def test_ignore_wins() -> None:
    enabled = resolve_selection(all_rules(), select="H", ignore="H10,content-length-matches-body")
    assert not any(code.startswith("H10") for code in enabled)


@pytest.mark.parametrize("bad", ["Z", "H9", "no-such-rule"])
def test_unknown_selector_is_a_usage_error(bad: str) -> None:
    with pytest.raises(UsageError, match=repr(bad)):
        resolve_selection(all_rules(), select=bad)
    with pytest.raises(UsageError, match=repr(bad)):
        resolve_selection(all_rules(), ignore=bad)


def test_fail_on_levels() -> None:
    must = Violation(get_rule("H101"), "m")
    advice = Violation(get_rule("H102"), "a")
    assert exit_code([], Level.MUST) == 0
    assert exit_code([must], Level.MUST) == 1
    assert exit_code([advice], Level.MUST) == 0
    assert exit_code([advice], parse_fail_on("should")) == 0
    assert exit_code([advice], parse_fail_on("any")) == 1
    with pytest.raises(UsageError, match="'sometimes'"):
        parse_fail_on("sometimes")
