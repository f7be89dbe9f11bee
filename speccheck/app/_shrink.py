"""Shrinking a finding to the smallest request and delivery that still show it.

Hypothesis found the example; this greedy pass then tries smaller candidates (fewer
headers, a shorter body and target, a plainer method and framing, a delivery closer to
the baseline) and keeps each one that still reproduces, until none does or the budget
of calls and seconds is spent. Every candidate is a legal request: the body only
shrinks, methods only become ones that may carry the body they have.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

from speccheck.traffic import RequestPlan
from speccheck.traffic._websocket import Close, WebSocketPlan

__all__ = ["plan_size", "shrink"]

D = TypeVar("D")
AnyPlan = RequestPlan | WebSocketPlan
_NO_BODY = ("GET", "HEAD", "DELETE", "OPTIONS", "TRACE")


def plan_size(plan: AnyPlan) -> int:
    if isinstance(plan, WebSocketPlan):
        return (
            len(plan.target)
            + sum(len(n) + len(v) + 4 for n, v in plan.headers)
            + 8 * len(plan.actions)
            + len("".join(plan.subprotocols))
        )
    return len(plan.target) + sum(len(n) + len(v) + 4 for n, v in plan.headers) + len(plan.body) + len(plan.method)


def _with_body(plan: RequestPlan, body: bytes) -> RequestPlan:
    framing = plan.framing
    if not body and plan.method in _NO_BODY:
        framing = "none"
    return dataclasses.replace(plan, body=body, chunks=(), framing=framing)


def _ws_candidates(plan: WebSocketPlan, major: bool) -> Iterator[AnyPlan]:
    *steps, end = plan.actions or (Close(),)
    if major:
        if steps:
            yield dataclasses.replace(plan, actions=(end,))
        if plan.headers:
            yield dataclasses.replace(plan, headers=())
        if plan.subprotocols:
            yield dataclasses.replace(plan, subprotocols=())
        if plan.target != b"/":
            yield dataclasses.replace(plan, target=b"/")
        return
    for i in range(len(steps)):
        yield dataclasses.replace(plan, actions=(*steps[:i], *steps[i + 1 :], end))
    if end != Close():
        yield dataclasses.replace(plan, actions=(*steps, Close()))
    if b"?" in plan.target:
        yield dataclasses.replace(plan, target=plan.raw_path)


def _plan_candidates(plan: AnyPlan, major: bool) -> Iterator[AnyPlan]:
    """Big steps first (``major``), then the one-at-a-time ones."""
    if isinstance(plan, WebSocketPlan):
        yield from _ws_candidates(plan, major)
        return
    body = plan.body
    if major:
        if plan.headers:
            yield dataclasses.replace(plan, headers=())
        for size in sorted({0, 1, 2, len(body) // 8, len(body) // 4, len(body) // 2}):
            if size < len(body):
                yield _with_body(plan, body[:size])
        if b"?" in plan.target:
            yield dataclasses.replace(plan, target=plan.raw_path)
        if plan.target != b"/":
            yield dataclasses.replace(plan, target=b"/")
        if plan.method != "GET" and not body:
            yield dataclasses.replace(plan, method="GET", framing="none")
        return
    for i in range(len(plan.headers)):
        yield dataclasses.replace(plan, headers=plan.headers[:i] + plan.headers[i + 1 :])
    if body:
        for size in sorted({3 * len(body) // 4, len(body) - 1}):
            if size < len(body):
                yield _with_body(plan, body[:size])
        if len(body) > 1:
            yield _with_body(plan, body[len(body) // 2 :])
        if body.strip(b"0"):
            yield _with_body(plan, b"0" * len(body))
    if plan.chunks:
        yield dataclasses.replace(plan, chunks=())
    if plan.framing == "chunked":
        yield dataclasses.replace(plan, framing="content-length")
    if plan.target != b"/":
        path = plan.raw_path.rstrip(b"/")
        parent = path.rsplit(b"/", 1)[0] or b"/"
        yield dataclasses.replace(plan, target=parent + plan.target[len(plan.raw_path) :])
    if plan.method not in ("GET", "POST") and plan.method not in _NO_BODY:
        yield dataclasses.replace(plan, method="POST")
    if plan.http_version != "1.1":
        yield dataclasses.replace(plan, http_version="1.1")


def _delivery_candidates(delivery: Any, baseline: Any) -> Iterator[Any]:
    for field in dataclasses.fields(delivery):
        value, base = getattr(delivery, field.name), getattr(baseline, field.name)
        if value == base:
            continue
        yield dataclasses.replace(delivery, **{field.name: base})
        if isinstance(value, tuple) and len(value) > 1:
            yield dataclasses.replace(delivery, **{field.name: value[:1]})
            yield dataclasses.replace(delivery, **{field.name: value[:-1]})
        if isinstance(value, tuple) and value and any(v > 1 for v in value):
            yield dataclasses.replace(delivery, **{field.name: tuple(min(v, 1) for v in value)})
            yield dataclasses.replace(delivery, **{field.name: tuple(v // 2 for v in value)})


def shrink(
    plan: AnyPlan,
    delivery: D,
    baseline: D,
    reproduces: Callable[[AnyPlan, D], bool],
    *,
    max_calls: int = 300,
    max_time: float = 10.0,
) -> tuple[AnyPlan, D, int]:
    """The smallest (plan, delivery) found that still ``reproduces``, and the calls spent."""
    deadline = time.monotonic() + max_time
    calls = 0
    improved = True
    while improved and calls < max_calls and time.monotonic() < deadline:
        improved = False
        rounds: list[Iterator[tuple[AnyPlan, D]]] = [
            ((p, delivery) for p in _plan_candidates(plan, major=True)),
            ((plan, d) for d in _delivery_candidates(delivery, baseline)),
            ((p, delivery) for p in _plan_candidates(plan, major=False)),
        ]
        for candidates in rounds:
            for cand_plan, cand_delivery in candidates:
                if calls >= max_calls or time.monotonic() >= deadline:
                    break
                if (cand_plan, cand_delivery) == (plan, delivery) or plan_size(cand_plan) > plan_size(plan):
                    continue
                calls += 1
                if reproduces(cand_plan, cand_delivery):
                    plan, delivery, improved = cand_plan, cand_delivery, True
                    break
            if improved:
                break
    return plan, delivery, calls
