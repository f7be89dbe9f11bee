"""The response plans a run draws from: correct ones (the server must relay them
byte-exact) and deliberately wrong ones (the app breaks a rule; the server must still
keep the wire sound: no split headers, no leaked bytes, no desynchronised connection)."""

from __future__ import annotations

import random

from speccheck.server._plans import ResponsePlan

__all__ = ["CORRECT", "PLANS", "REACTION", "WRONG", "choose_plan"]

_CHUNK = "0123456789abcdef" * 512  # 8 KiB

CORRECT: tuple[ResponsePlan, ...] = (
    ResponsePlan(
        "plain",
        headers=(
            ("content-type", "text/plain; charset=utf-8"),
            ("x-probe-a", "one two"),
            ("x-probe-dup", "a"),
            ("x-probe-dup", "b"),
        ),
        body=("hello ", "world"),
    ),
    ResponsePlan(
        "with-length",
        headers=(("content-type", "application/octet-stream"), ("content-length", "11")),
        body=("hello world",),
    ),
    ResponsePlan("empty-first", headers=(("x-probe-b", "1"),), body=("", "abc", "", "def")),
    ResponsePlan("no-body", body=()),
    ResponsePlan("write", mode="write", headers=(("x-probe-w", "yes"),), body=("w1", "w2", "w3")),
    ResponsePlan("created", status=201, reason="Created", headers=(("location", "/made"),), body=("made",)),
    ResponsePlan("no-content", status=204, reason="No Content", headers=(("x-probe-c", "204"),), body=()),
    ResponsePlan("not-modified", status=304, reason="Not Modified", headers=(("etag", '"abc"'),), body=()),
    ResponsePlan("not-found", status=404, reason="Not Found", body=("nope",)),
    ResponsePlan("teapot", status=418, reason="I'm a teapot", body=("short and stout",)),
    ResponsePlan("large", headers=(("content-type", "text/plain"),), body=(_CHUNK,) * 8),
    ResponsePlan("unread", read_body=False, body=("did not read",)),
)

WRONG: tuple[ResponsePlan, ...] = (
    ResponsePlan("cl-too-small", headers=(("content-length", "3"),), body=("abcdefghij",), wrong=("content-length",)),
    ResponsePlan("cl-too-big", headers=(("content-length", "20"),), body=("abcde",), wrong=("content-length",)),
    ResponsePlan("crlf-value", headers=(("x-probe-split", "a\r\nx-injected: 1"),), body=("ok",), wrong=("crlf",)),
    ResponsePlan("lf-value", headers=(("x-probe-split", "a\nx-injected: 1"),), body=("ok",), wrong=("crlf",)),
    ResponsePlan("body-on-204", status=204, reason="No Content", body=("leak",), wrong=("body",)),
    ResponsePlan("body-on-304", status=304, reason="Not Modified", body=("leak",), wrong=("body",)),
    ResponsePlan("raise-mid-body", body=("part1", "part2"), raise_after=1, wrong=("raise",)),
)

PLANS: tuple[ResponsePlan, ...] = CORRECT + WRONG

# The reaction phase's own plans (``_reactions``), never drawn for generated exchanges.
REACTION: tuple[ResponsePlan, ...] = (
    ResponsePlan("late-receive", headers=(("content-type", "text/plain"),), body=("late ", "receive"), after="receive"),
    ResponsePlan("abort-hold", hold=3.0, body=("late",)),
    # ASGI: "You may send a Transfer-Encoding header in this message, but the server must ignore it."
    ResponsePlan(
        "app-te", headers=(("transfer-encoding", "chunked"), ("content-type", "text/plain")), body=("hello ", "world")
    ),
    next(p for p in WRONG if p.name == "raise-mid-body"),
    ResponsePlan("slow-body", headers=(("content-type", "text/plain"),), body=(_CHUNK * 2,) * 40, pause=0.05),
)
BY_NAME = {p.name: p for p in PLANS}


def choose_plan(rng: random.Random, wrong_share: float = 0.08) -> ResponsePlan:
    if rng.random() < wrong_share:
        return rng.choice(WRONG)
    return rng.choice(CORRECT)
