"""Server conformance: start a real server with the probe app, drive traffic over real
sockets, and compare what the app saw and what the client got with what was sent.

``check_server(target)`` is the library entry point; ``speccheck server`` the CLI.
Names load lazily: the probe apps import ``speccheck.server._plans`` inside the server
under test, which must not pull in the client, the runner or hypothesis.
"""

from __future__ import annotations

import importlib
from typing import Any

__all__ = ["DEFAULT_EXAMPLES", "DEFAULT_MAX_TIME", "ResponsePlan", "ServerRun", "check_server", "run_server"]

_WHERE = {
    "DEFAULT_EXAMPLES": "speccheck.server._runner",
    "DEFAULT_MAX_TIME": "speccheck.server._runner",
    "ServerRun": "speccheck.server._runner",
    "run_server": "speccheck.server._runner",
    "check_server": "speccheck.server._check",
    "ResponsePlan": "speccheck.server._plans",
}


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module 'speccheck.server' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)
