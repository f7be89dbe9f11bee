"""The lint policy: collect, warn and raise modes, blame in the type, the app's line."""

from __future__ import annotations

import warnings

import pytest

from speccheck import AppSpecViolation, ServerSpecViolation, Sink, SpecViolation, SpecWarning, UsageError, get_rule
from speccheck._location import app_location


def test_collect_mode_records_silently() -> None:
    sink = Sink(mode="collect")
    sink.report(get_rule("H101"), "body on 204")
    sink.report(get_rule("H101"), "body on 204")
    (record,) = sink.collector.violations()
    assert record.count == 2


def test_warn_mode_warns_once_per_finding() -> None:
    sink = Sink(mode="warn")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for _ in range(3):
            sink.report(get_rule("H101"), "body on 204")
    assert [w.category for w in caught] == [SpecWarning]
    assert "H101" in str(caught[0].message)


def test_raise_mode_blames_by_type() -> None:
    sink = Sink(mode="raise")
    with pytest.raises(AppSpecViolation) as info:
        sink.report(get_rule("H101"), "body on 204")
    assert isinstance(info.value, SpecViolation)
    assert isinstance(info.value, AssertionError)
    assert info.value.violation.code == "H101"
    with pytest.raises(ServerSpecViolation):
        sink.report(get_rule("T002"), "server died")


def test_disabled_rules_are_not_reported() -> None:
    sink = Sink(mode="raise", ignore="H1")
    assert sink.report(get_rule("H101"), "x") is None
    assert not sink.on("H101")
    assert sink.on("T001")


def test_bad_mode_is_a_usage_error() -> None:
    with pytest.raises(UsageError, match="'loud'"):
        Sink(mode="loud")  # type: ignore[arg-type]


def test_app_location_is_the_callers_line() -> None:
    location = app_location()
    assert location is not None
    assert location.file == __file__
    assert location.function == "test_app_location_is_the_callers_line"
