"""The rule catalogue: complete fields, unique codes, and docs/rules.md up to date."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from speccheck import Level, Rule, Side, UsageError, all_rules, get_rule
from speccheck._rules_docs import rules_markdown

ROOT = Path(__file__).resolve().parents[2]


def test_every_rule_is_complete() -> None:
    rules = all_rules()
    assert len(rules) >= 15
    for rule in rules:
        assert re.fullmatch(r"[A-Z]\d{3}", rule.code)
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", rule.name)
        assert isinstance(rule.level, Level)
        assert isinstance(rule.side, Side)
        assert rule.url.startswith("https://"), rule.code
        assert rule.summary and "\n" not in rule.summary
        assert rule.anchor, f"{rule.code} has no section anchor"


def test_codes_and_names_are_unique() -> None:
    rules = all_rules()
    assert len({r.code for r in rules}) == len(rules)
    assert len({r.name for r in rules}) == len(rules)


def test_lookup_by_code_and_name() -> None:
    assert get_rule("H101").name == "no-content-for-status"
    assert get_rule("h101").code == "H101"
    assert get_rule("no-content-for-status").code == "H101"
    with pytest.raises(UsageError, match="unknown rule code 'Z999'"):
        get_rule("Z999")


def test_rule_model_rejects_bad_definitions() -> None:
    from speccheck import Spec

    with pytest.raises(ValueError, match="three digits"):
        Rule("X1", "a", Level.MUST, Side.APP, Spec.PEP3333, "x", "s")
    with pytest.raises(ValueError, match="kebab-case"):
        Rule("X100", "Not_Kebab", Level.MUST, Side.APP, Spec.PEP3333, "x", "s")
    with pytest.raises(ValueError, match="one non-empty line"):
        Rule("X100", "ok", Level.MUST, Side.APP, Spec.PEP3333, "x", "two\nlines")


def test_docs_rules_md_is_current() -> None:
    committed = (ROOT / "docs" / "rules.md").read_text(encoding="utf-8")
    assert committed == rules_markdown(all_rules()), (
        "docs/rules.md is stale: run `speccheck rules --format markdown --output docs/rules.md`"
    )
