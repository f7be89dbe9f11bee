"""Server targets: presets that start a real server with the probe app, and the launcher."""

from __future__ import annotations

from speccheck.targets._process import ServerProcess, free_port, wait_for_port

__all__ = ["ServerProcess", "free_port", "wait_for_port"]
