"""The shrink budget: every finding of a run is shrunk, not only the first dozen."""

from __future__ import annotations

import time
from typing import Any

from speccheck.app import check_app
from speccheck.app._replay_data import plan_from_dict
from speccheck.traffic import RequestPlan

BAD_HEADERS = 20


def many_faults(environ: dict[str, Any], start_response: Any) -> list[bytes]:
    """Twenty distinct findings (one per header name), only for requests with a body."""
    headers = [("Content-Type", "text/plain")]
    if int(environ.get("CONTENT_LENGTH") or 0) > 0:
        headers += [(f"X-Bad-{i}:", "1") for i in range(BAD_HEADERS)]  # ":" is not a token char (W517)
    start_response("200 OK", headers)
    return [b"ok"]


def test_every_finding_is_shrunk_within_a_budget_proportional_to_max_time() -> None:
    began = time.monotonic()
    found = check_app(many_faults, "wsgi", examples=60, max_time=6.0, seed=0, timeout=2.0)
    elapsed = time.monotonic() - began
    # only the app's own faults: what the lint says of the reference driver (W310, it does not
    # raise on malformed headers) is not the app's
    assert {v.code for v in found} == {"W517"}, [v.one_line() for v in found]
    faults = found
    assert len({v.signature for v in faults}) == BAD_HEADERS, [v.one_line() for v in found]
    for violation in faults:
        data: Any = violation.extra["plan"]
        plan = plan_from_dict(data)
        assert isinstance(plan, RequestPlan)
        assert len(plan.body) == 1 and plan.headers == () and plan.target == b"/", violation.extra["plan"]
    assert elapsed < 6.0 + 6.0 / 3 + 2.0  # explore, then at most a third of max_time shrinking (+ slack)
