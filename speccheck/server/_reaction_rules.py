"""Server rules for the server's reactions to the app and the client (``S21x``, ``S304``-``S309``): disconnects, send() after disconnect, app exceptions mid-body, Transfer-Encoding from an ASGI app."""

from __future__ import annotations

from speccheck._rules import Rule

__all__ = ["RULES"]

RULES: tuple[Rule, ...] = ()
