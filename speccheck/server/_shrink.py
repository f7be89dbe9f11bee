"""Shrinking a finding's request to a small one that still shows it.

The generated request that first showed a finding is often long (a dozen odd headers, a
body, a query). After the run, each distinct finding is replayed with simpler variants
of its request on a fresh connection, greedily keeping any variant that still produces
the same finding (same rule, same signature): fewer headers, no body, no query, fewer
path segments, GET, HTTP/1.1. Every step is bounded in tries and time.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import replace

from speccheck.traffic import RequestPlan

__all__ = ["shrink"]

Still = Callable[[RequestPlan], bool]


def _variants(req: RequestPlan) -> Iterator[RequestPlan]:
    if req.body or req.framing != "content-length":
        yield replace(req, body=b"", framing="content-length", chunks=())
    if req.framing == "chunked":
        yield replace(req, framing="content-length", chunks=())
    if len(req.headers) > 1:
        half = len(req.headers) // 2
        yield replace(req, headers=req.headers[:half])
        yield replace(req, headers=req.headers[half:])
    for index in range(len(req.headers)):
        yield replace(req, headers=req.headers[:index] + req.headers[index + 1 :])
    if b"?" in req.target:
        yield replace(req, target=req.raw_path)
    segments = req.raw_path.split(b"/")[1:]
    query = b"?" + req.query_string if b"?" in req.target else b""
    if len(segments) > 1 or segments[0]:
        yield replace(req, target=b"/" + query)
        for index in range(len(segments)):
            kept = segments[:index] + segments[index + 1 :]
            yield replace(req, target=b"/" + b"/".join(kept) + query)
    if req.method not in ("GET", "HEAD"):
        yield replace(req, method="GET", body=b"", framing="content-length", chunks=())
    if req.http_version != "1.1":
        yield replace(req, http_version="1.1")


def shrink(req: RequestPlan, still: Still, *, max_tries: int = 80, deadline: float | None = None) -> RequestPlan:
    """The smallest variant of ``req`` found for which ``still(variant)`` holds."""
    tries = 0
    improved = True
    while improved:
        improved = False
        for candidate in _variants(req):
            if tries >= max_tries or (deadline is not None and time.monotonic() > deadline):
                return req
            tries += 1
            if still(candidate):
                req = candidate
                improved = True
                break
    return req
