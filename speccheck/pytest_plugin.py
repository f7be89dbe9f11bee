"""speccheck's pytest plugin (entry point ``pytest11``). Off unless used: importing it
costs nothing and registers no fixtures yet; the fixtures, marker and options arrive
with the pytest-plugin work."""

from __future__ import annotations

__all__: list[str] = []
