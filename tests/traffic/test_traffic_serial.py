"""Plans survive a trip through JSON (how they cross into a server's worker process)."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from speccheck import UsageError
from speccheck.traffic import (
    LifespanPlan,
    RequestPlan,
    WebSocketPlan,
    lifespan_runs,
    plan_from_dict,
    plan_to_dict,
    requests,
    websocket_sessions,
)

SETTINGS = settings(max_examples=100, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(
    st.one_of(
        requests(http_versions=("1.0", "1.1"), max_body=2000), websocket_sessions(max_message=2000), lifespan_runs()
    )
)
def test_round_trip_through_json(plan: RequestPlan | WebSocketPlan | LifespanPlan) -> None:
    text = json.dumps(plan_to_dict(plan))
    assert plan_from_dict(json.loads(text)) == plan


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"plan": "nope"},
        {"plan": "request"},
        {"plan": "websocket", "target": "/", "headers": [], "subprotocols": [], "actions": [{"action": "jump"}]},
    ],
)
def test_bad_dicts_are_usage_errors(data: dict[str, object]) -> None:
    with pytest.raises(UsageError):
        plan_from_dict(data)


def test_only_plans() -> None:
    with pytest.raises(UsageError, match="plan must be"):
        plan_to_dict("GET /")  # type: ignore[arg-type]
