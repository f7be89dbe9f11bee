"""requests(): every generated request is legal HTTP/1.1 and round-trips through h11."""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import speccheck.traffic as traffic
from speccheck import UsageError
from speccheck.traffic import RequestPlan, header_fields, is_origin_form, request_targets, requests, sample_requests
from tests.traffic.wire import assert_legal, assert_round_trip

SETTINGS = settings(max_examples=150, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(requests(http_versions=("1.0", "1.1")))
def test_every_request_is_legal_and_round_trips_through_h11(plan: RequestPlan) -> None:
    assert_legal(plan)
    assert_round_trip(plan)


@SETTINGS
@given(
    requests(
        methods=["PATCH", "X-Custom"], paths=["/api/items", "/caf\u00e9 menu/"], max_body=100, framings=["chunked"]
    )
)
def test_restrictions_are_honoured(plan: RequestPlan) -> None:
    assert plan.method in ("PATCH", "X-Custom")
    assert plan.target.startswith((b"/api/items", b"/caf%C3%A9%20menu/"))
    assert len(plan.body) <= 100
    assert plan.framing == "chunked"
    assert_round_trip(plan)


@SETTINGS
@given(requests(max_body=0, framings=["none"], methods=["POST", "GET"]))
def test_no_body_without_framing(plan: RequestPlan) -> None:
    assert plan.body == b""
    assert b"\r\ncontent-length:" not in plan.to_bytes().lower()
    assert_round_trip(plan)


@SETTINGS
@given(st.data())
def test_composes_with_user_strategies(data: st.DataObject) -> None:
    token = data.draw(st.sampled_from(["abc", "xyz"]))
    plan = data.draw(requests(paths=[f"/{token}"], max_body=16))
    assert plan.target.startswith(f"/{token}".encode())


def _features(plans: list[RequestPlan]) -> dict[str, bool]:
    targets = [p.target for p in plans]
    names = [n for p in plans for n, _ in p.headers]
    values = [v for p in plans for _, v in p.headers]
    return {
        "extension method": any(
            p.method not in ("GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS") for p in plans
        ),
        "every standard method": {p.method for p in plans}
        >= {"GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"},
        "%2F in a segment": any(re.search(rb"%2f", t.split(b"?")[0], re.I) for t in targets),
        "dot segment": any(re.search(rb"/\.\.?(/|\?|$)", t) for t in targets),
        "empty segment //": any(b"//" in t.split(b"?")[0] for t in targets),
        "bare ?": any(t.endswith(b"?") for t in targets),
        "repeated query key": any(
            len(keys := [kv.split(b"=")[0] for kv in t.partition(b"?")[2].split(b"&") if kv]) > len(set(keys))
            for t in targets
        ),
        "+ in query": any(b"+" in t.partition(b"?")[2] for t in targets),
        "UTF-8 escape": any(re.search(rb"%C3%A9|%E2%82%AC|%F0", t, re.I) for t in targets),
        "non-UTF-8 escape": any(re.search(rb"%FF|%C0%AF", t, re.I) for t in targets),
        "duplicate header": any(len({n.lower() for n, _ in p.headers}) < len(p.headers) for p in plans),
        "mixed-case name": any(n != n.lower() and n != n.upper() and n != n.title() for n in names),
        "odd tchar in name": any(re.search(rb"[_.~]", n) for n in names),
        "obs-text value": any(re.search(rb"[\x80-\xff]", v) for v in values),
        "tab in value": any(b"\t" in v for v in values),
        "empty value": any(v == b"" for v in values),
        "empty body": any(not p.body for p in plans),
        "large body": any(len(p.body) > 4096 for p in plans),
        "chunked": any(p.framing == "chunked" for p in plans),
        "content-length body": any(p.framing == "content-length" and p.body for p in plans),
        "no framing": any(p.framing == "none" for p in plans),
        "multi-chunk split": any(len(p.chunks) > 1 for p in plans),
    }


def test_strategy_covers_the_interesting_shapes() -> None:
    # bases == n: every plan is drawn by the requests() strategy itself, no variation.
    plans = sample_requests(400, seed=1, bases=400)
    assert len(plans) == 400
    missing = [name for name, seen in _features(plans).items() if not seen]
    assert missing == []


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"methods": "GET"}, "single value"),
        ({"methods": []}, "must not be empty"),
        ({"methods": ["GE T"]}, "tokens"),
        ({"methods": ["CONNECT"]}, "origin-form"),
        ({"paths": ["api"]}, "starting with '/'"),
        ({"paths": ["/a?b"]}, "without '?'"),
        ({"paths": [3]}, "str or bytes"),
        ({"max_body": -1}, "max_body"),
        ({"framings": ["gzip"]}, "framings must be among"),
        ({"http_versions": ["2"]}, "http_versions must be among"),
        ({"framings": ["chunked"], "http_versions": ["1.0"]}, "no legal framing"),
        ({"framings": ["chunked"], "methods": ["GET"]}, "no legal framing"),
    ],
)
def test_bad_arguments_are_usage_errors(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(UsageError, match=re.escape(message)):
        requests(**kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("target", "legal"),
    [
        (b"/", True),
        (b"//a/./../%2F?", True),
        (b"/a?b=c&&d?/e", True),
        (b"/%C3%A9;x=1@:+", True),
        (b"", False),
        (b"a/b", False),
        (b"/a b", False),
        (b"/a#frag", False),
        (b"/%G0", False),
        (b"/\xc3\xa9", False),
        (b"http://h/", False),
        (b"*", False),
    ],
)
def test_origin_form_check(target: bytes, legal: bool) -> None:
    assert is_origin_form(target) is legal


def test_exports_are_exactly_the_intended_ones() -> None:
    assert set(traffic.__all__) == {
        "MALFORMED_KINDS", "Abort", "Close", "Framing", "LifespanPlan", "MalformedKind", "MalformedRequest",
        "PhaseOutcome", "Ping", "Rejection", "RequestPlan", "SendBytes", "SendText", "StartupOutcome", "StateValue",
        "WebSocketAction", "WebSocketPlan", "header_fields", "is_field_value", "is_origin_form",
        "is_sendable_close_code", "is_token", "lifespan_runs", "malformed_requests", "plan_from_dict", "plan_to_dict",
        "request_targets", "requests", "sample_malformed", "sample_requests", "websocket_sessions",
    }  # fmt: skip
    for name in traffic.__all__:
        assert hasattr(traffic, name), name


@SETTINGS
@given(request_targets(["/users/", b"/files"]), header_fields(3))
def test_building_blocks_compose(target: bytes, headers: tuple[tuple[bytes, bytes], ...]) -> None:
    assert is_origin_form(target)
    assert target.startswith((b"/users/", b"/files"))
    assert len(headers) <= 3
    assert_round_trip(RequestPlan("GET", target, headers))


def test_building_blocks_validate_arguments() -> None:
    with pytest.raises(UsageError):
        request_targets(["users"])
    with pytest.raises(UsageError):
        header_fields(-1)
