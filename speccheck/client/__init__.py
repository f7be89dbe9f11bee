"""The wire client: raw request bytes to a real server, responses parsed strictly by h11."""

from __future__ import annotations

from speccheck.client._wire import Outcome, WireConnection, WireResponse

__all__ = ["Outcome", "WireConnection", "WireResponse"]
