"""Server targets: presets that start a real server with the probe app, and the launcher."""

from __future__ import annotations

from speccheck.targets._presets import PRESETS, Target, command_target, get_target, installed_targets
from speccheck.targets._process import ServerProcess, free_port, wait_for_port

__all__ = [
    "PRESETS",
    "ServerProcess",
    "Target",
    "command_target",
    "free_port",
    "get_target",
    "installed_targets",
    "wait_for_port",
]
