"""Hypothesis strategies for requests, WebSocket sessions and lifespan runs, and the
plans they produce. Transports deliver the plans; generation never knows how.

- ``requests()``: legal HTTP/1.x requests as ``RequestPlan`` (a hypothesis strategy).
- ``sample_requests(n, seed)``: many legal requests fast, deterministic for a seed.
- ``malformed_requests()``: requests with one labelled defect, as ``MalformedRequest``;
  ``sample_malformed(n, seed)`` draws them outside a test.
- ``websocket_sessions()``: client sessions as ``WebSocketPlan`` (actions ``SendText``,
  ``SendBytes``, ``Ping``, ``Close``, ``Abort``).
- ``lifespan_runs()``: the app's side of the lifespan protocol as ``LifespanPlan``.
- ``request_targets()``, ``header_fields()``: building blocks to compose your own.
- ``plan_to_dict()``, ``plan_from_dict()``: plans as JSON-safe dicts, across processes.
- ``is_origin_form()``, ``is_token()``, ``is_field_value()``, ``is_sendable_close_code()``:
  the legality checks generation is tested against.
"""

from __future__ import annotations

from speccheck.traffic._abnf import is_field_value, is_origin_form, is_token
from speccheck.traffic._fast import sample_requests
from speccheck.traffic._headers import header_fields
from speccheck.traffic._lifespan import LifespanPlan, PhaseOutcome, StartupOutcome, StateValue, lifespan_runs
from speccheck.traffic._malformed import (
    MALFORMED_KINDS,
    MalformedKind,
    MalformedRequest,
    Rejection,
    malformed_requests,
    sample_malformed,
)
from speccheck.traffic._plans import Framing, RequestPlan
from speccheck.traffic._requests import requests
from speccheck.traffic._serial import plan_from_dict, plan_to_dict
from speccheck.traffic._targets import request_targets
from speccheck.traffic._websocket import (
    Abort,
    Close,
    Ping,
    SendBytes,
    SendText,
    WebSocketAction,
    WebSocketPlan,
    is_sendable_close_code,
    websocket_sessions,
)

__all__ = [
    "MALFORMED_KINDS",
    "Abort",
    "Close",
    "Framing",
    "LifespanPlan",
    "MalformedKind",
    "MalformedRequest",
    "PhaseOutcome",
    "Ping",
    "Rejection",
    "RequestPlan",
    "SendBytes",
    "SendText",
    "StartupOutcome",
    "StateValue",
    "WebSocketAction",
    "WebSocketPlan",
    "header_fields",
    "is_field_value",
    "is_origin_form",
    "is_sendable_close_code",
    "is_token",
    "lifespan_runs",
    "malformed_requests",
    "plan_from_dict",
    "plan_to_dict",
    "request_targets",
    "requests",
    "sample_malformed",
    "sample_requests",
    "websocket_sessions",
]
