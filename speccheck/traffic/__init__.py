"""Hypothesis strategies for requests, WebSocket sessions and lifespan runs, and the
plans they produce.

- ``requests()``: legal HTTP/1.x requests as ``RequestPlan`` (the strategy).
- ``sample_requests(n, seed)``: many legal requests fast, deterministic for a seed.
- ``request_targets()``, ``header_fields()``: the building blocks, to compose your own.
- ``is_origin_form()``, ``is_token()``, ``is_field_value()``: the legality checks.
"""

from __future__ import annotations

from speccheck.traffic._abnf import is_field_value, is_origin_form, is_token
from speccheck.traffic._fast import sample_requests
from speccheck.traffic._headers import header_lists as header_fields
from speccheck.traffic._plans import Framing, RequestPlan
from speccheck.traffic._requests import requests
from speccheck.traffic._targets import targets as request_targets

__all__ = [
    "Framing",
    "RequestPlan",
    "header_fields",
    "is_field_value",
    "is_origin_form",
    "is_token",
    "request_targets",
    "requests",
    "sample_requests",
]
