"""Connection-level cases run after the generated exchanges: Expect: 100-continue and
pipelining, each on its own raw connection."""

from __future__ import annotations

from speccheck.server._support import RunSession, ServerRun
from speccheck.targets import ServerProcess

__all__ = ["run_connection_cases"]


def run_connection_cases(session: RunSession, cfg: ServerRun, proc: ServerProcess, probe_dir: str) -> None:
    """Run every connection case against the live target; report findings to ``session``
    and mark the codes that were checked."""
    return None
