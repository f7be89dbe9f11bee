"""The JSON report validates against docs/report-schema.json and keeps every value exactly."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema  # type: ignore[import-untyped]
import pytest

from speccheck import Exchange, RunResult, Violation, get_rule
from speccheck.report import render
from tests.report.report_samples import CONTROLS, MIXED, SCRIPT, clean_result, hostile_result

SCHEMA_PATH = Path(__file__).parents[2] / "docs" / "report-schema.json"


@pytest.fixture(scope="module")
def validator() -> jsonschema.Draft202012Validator:
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())


def _load(result: RunResult) -> Any:
    text = render("json", result)
    text.encode("utf-8")  # always writable as UTF-8
    return json.loads(text)


@pytest.mark.parametrize("status", ["complete", "interrupted", "error"])
def test_hostile_report_validates(validator: jsonschema.Draft202012Validator, status: str) -> None:
    validator.validate(_load(hostile_result(status=status)))


def test_clean_report_validates(validator: jsonschema.Draft202012Validator) -> None:
    data = _load(clean_result())
    validator.validate(data)
    assert data["violations"] == []
    assert data["rules_passed"] == data["rules_checked"]


def test_schema_rejects_drift(validator: jsonschema.Draft202012Validator) -> None:
    """The schema is strict: a key the renderer added or dropped makes validation fail."""
    data = _load(hostile_result())
    data["violations"][0]["new_key"] = 1
    with pytest.raises(jsonschema.ValidationError):
        validator.validate(data)
    data = _load(hostile_result())
    del data["summary"]["counts"]["must"]
    with pytest.raises(jsonschema.ValidationError):
        validator.validate(data)


def test_content() -> None:
    result = hostile_result()
    data = _load(result)
    summary = data["summary"]
    assert data["schema_version"] == 1
    assert summary["target"] == f"uvicorn {SCRIPT}"
    assert summary["versions"]["target"] == "0.30.1"
    assert summary["seed"] == 42
    assert summary["started"] == "2026-01-02T03:04:05+00:00"
    assert summary["exchanges"] == 100
    assert summary["counts"] == result.counts()
    assert summary["counts"]["total"] == 4
    assert summary["counts"]["occurrences"] == 3 + 1 + 1 + 2
    assert [v["code"] for v in data["violations"]] == [v.code for v in result.violations]
    assert data["rules_checked"] == [r.code for r in result.checked]
    assert set(data["rules_passed"]) == set(data["rules_checked"]) - {"H101", "H107", "T002", "T003"}


def test_hostile_values_survive_exactly() -> None:
    result = hostile_result()
    data = _load(result)
    first = data["violations"][0]
    assert first["message"] == result.violations[0].message
    assert MIXED in first["message"]
    assert ["X-Ctl", CONTROLS] in first["exchange"]["headers"]
    assert data["violations"][1]["observed"] == CONTROLS
    # The report round-trips into the core model.
    for original, dumped in zip(result.violations, data["violations"], strict=True):
        back = Violation.from_dict(dumped)
        assert (back.rule, back.message, back.observed, back.expected, back.count) == (
            original.rule,
            original.message,
            original.observed,
            original.expected,
            original.count,
        )


def test_raw_bytes_are_escaped_but_data_kept() -> None:
    """Lone surrogates (undecodable bytes), C1 controls and bidi overrides are written as \\u escapes."""
    nasty = "a\udcff b\x9b31m c\u202e d\u2028"
    result = clean_result()
    result.violations.append(
        Violation(get_rule("H106"), nasty, observed=nasty, exchange=Exchange(headers=(("x\udcfe", nasty),)))
    )
    text = render("json", result)
    assert not any(ch in text for ch in "\udcff\x9b\u202e\u2028")
    assert "\\udcff" in text
    data = json.loads(text)
    assert data["violations"][0]["message"] == nasty
    assert data["violations"][0]["exchange"]["headers"] == [["x\udcfe", nasty]]
