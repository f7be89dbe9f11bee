"""Hypothesis strategies for requests, WebSocket sessions and lifespan runs, and the
plans they produce."""

from __future__ import annotations

from speccheck.traffic._plans import Framing, RequestPlan

__all__ = ["Framing", "RequestPlan"]
