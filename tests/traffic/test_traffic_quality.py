"""Shrinking quality: a request that shows a defect shrinks to the smallest one that still
does, so a finding reads as the one thing that matters."""

from __future__ import annotations

import pytest
from hypothesis import find, settings

from speccheck.traffic import RequestPlan, requests

FIND = settings(database=None, max_examples=3000, deadline=None)
pytestmark = pytest.mark.slow  # each shrinks to the end: a few seconds
# The parts that cannot matter to a property are switched off, so the shrinker works on the rest.


def test_a_target_property_shrinks_to_a_bare_request() -> None:
    plan = find(requests(max_body=0), lambda p: b"%2F" in p.target.upper(), settings=FIND)
    assert plan == RequestPlan("GET", b"/%2F")


def test_a_large_body_shrinks_to_post_with_just_enough_bytes() -> None:
    plan = find(requests(max_headers=0), lambda p: len(p.body) > 100, settings=FIND)
    assert (plan.method, plan.target, plan.headers, len(plan.body), plan.chunks) == ("POST", b"/", (), 101, ())
    assert plan.framing == "content-length"


def test_a_chunk_split_shrinks_to_the_fewest_bytes() -> None:
    plan = find(requests(max_headers=0), lambda p: p.framing == "chunked" and len(p.chunks) > 2, settings=FIND)
    assert (plan.method, plan.target, plan.headers, len(plan.body), plan.chunks) == ("POST", b"/", (), 3, (1, 1, 1))


def test_a_duplicate_header_shrinks_to_two_fields() -> None:
    plan = find(
        requests(),
        lambda p: len({n.lower() for n, _ in p.headers}) < len(p.headers),
        settings=FIND,
    )
    assert plan.method == "GET" and plan.target == b"/" and plan.body == b""
    assert len(plan.headers) == 2 and plan.headers[0][0].lower() == plan.headers[1][0].lower()
