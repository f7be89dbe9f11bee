"""The SARIF report validates against the official SARIF 2.1.0 schema (tests/data)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema  # type: ignore[import-untyped]
import pytest

from speccheck import Location, RunResult, Violation, all_rules, get_rule
from speccheck.report import render
from speccheck.report._sarif import render_sarif
from tests.report.report_samples import CHECKED, MIXED, clean_result, hostile_result

SCHEMA_PATH = Path(__file__).parents[1] / "data" / "sarif-schema-2.1.0.json"


@pytest.fixture(scope="module")
def validator() -> jsonschema.Draft4Validator:
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    assert schema["id"].endswith("/sarif-schema-2.1.0.json")
    jsonschema.Draft4Validator.check_schema(schema)
    return jsonschema.Draft4Validator(schema, format_checker=jsonschema.FormatChecker())


def _run(result: RunResult, cwd: Path | None = None) -> Any:
    log = json.loads(render_sarif(result, cwd))
    assert log["version"] == "2.1.0"
    (run,) = log["runs"]
    return run


@pytest.mark.parametrize("status", ["complete", "interrupted", "error"])
def test_validates_against_the_official_schema(
    validator: jsonschema.Draft4Validator, status: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    validator.validate(json.loads(render("sarif", hostile_result(tmp_path / "pkg" / "app.py", status=status))))
    validator.validate(json.loads(render("sarif", clean_result())))


def test_rules_and_levels() -> None:
    run = _run(hostile_result())
    driver = run["tool"]["driver"]
    assert driver["name"] == "speccheck"
    rules = driver["rules"]
    assert [r["id"] for r in rules] == sorted(CHECKED)
    h107 = next(r for r in rules if r["id"] == "H107")
    assert h107["name"] == "header-value-chars"
    assert h107["helpUri"] == "https://www.rfc-editor.org/rfc/rfc9110.html#section-5.5"
    assert h107["shortDescription"]["text"] == get_rule("H107").summary
    assert h107["defaultConfiguration"]["level"] == "error"
    levels = {r["id"]: r["defaultConfiguration"]["level"] for r in rules}
    assert set(levels.values()) == {"error"}  # every sample rule is a MUST
    for result in run["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
        assert result["level"] == "error"


@pytest.mark.parametrize(("rule_level", "sarif_level"), [("must", "error"), ("should", "warning"), ("advice", "note")])
def test_level_mapping(validator: jsonschema.Draft4Validator, rule_level: str, sarif_level: str) -> None:
    rule = next((r for r in all_rules() if r.level.value == rule_level), None)
    if rule is None:
        pytest.skip(f"no {rule_level} rule in the catalogue yet")
    result = clean_result()
    result.violations.append(Violation(rule, "x"))
    validator.validate(json.loads(render("sarif", result)))
    run = _run(result)
    (found,) = run["results"]
    assert found["level"] == sarif_level
    descriptor = next(r for r in run["tool"]["driver"]["rules"] if r["id"] == rule.code)
    assert descriptor["defaultConfiguration"]["level"] == sarif_level


def test_app_location_relative_to_cwd(tmp_path: Path) -> None:
    run = _run(hostile_result(tmp_path / "pkg" / "my app.py"), cwd=tmp_path)
    (with_location,) = [r for r in run["results"] if "locations" in r]
    assert with_location["ruleId"] == "H107"
    physical = with_location["locations"][0]["physicalLocation"]
    assert physical["artifactLocation"] == {"uri": "pkg/my%20app.py", "uriBaseId": "%SRCROOT%"}
    assert physical["region"] == {"startLine": 12}
    assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"] == tmp_path.as_uri() + "/"


def test_app_location_outside_cwd_is_absolute(tmp_path: Path) -> None:
    outside = tmp_path / "elsewhere" / "app.py"
    run = _run(hostile_result(outside), cwd=tmp_path / "project")
    (with_location,) = [r for r in run["results"] if "locations" in r]
    assert with_location["locations"][0]["physicalLocation"]["artifactLocation"] == {"uri": outside.as_uri()}


def test_server_side_findings_have_no_source_location(tmp_path: Path) -> None:
    result = hostile_result(tmp_path / "app.py")
    result.violations.append(Violation(get_rule("T001"), "not ready", location=Location(str(tmp_path / "x.py"), 3)))
    run = _run(result, cwd=tmp_path)
    for found in run["results"]:
        assert ("locations" in found) == (found["ruleId"] == "H107")


def test_message_and_properties_keep_the_details() -> None:
    run = _run(hostile_result())
    first = run["results"][0]
    assert first["message"]["text"].startswith(
        "H107 header-value-chars: header value of X-Evil carries CR/LF: a\\x0d\\x0a"
    )
    assert "\r" not in first["message"]["text"]
    assert first["properties"]["count"] == 3
    assert first["properties"]["observed"] == hostile_result().violations[0].observed  # exact, JSON-escaped
    assert MIXED in first["properties"]["exchange"]["headers"][2][1]
    assert first["properties"]["exchange"]["method"] == "GET"


def test_invocation_reports_the_run_status() -> None:
    run = _run(hostile_result(status="error"))
    (invocation,) = run["invocations"]
    assert invocation["executionSuccessful"] is False
    assert invocation["exitCode"] == 2
    assert invocation["toolExecutionNotifications"][0]["level"] == "error"
    assert _run(clean_result())["invocations"][0] == {
        "executionSuccessful": True,
        "exitCode": 0,
        "exitCodeDescription": "clean",
        "startTimeUtc": clean_result().info.started.isoformat(timespec="seconds").replace("+00:00", "Z"),
    }
