"""The lint around a probe app, shared by the WSGI and ASGI probes: wrap the probe in its
pack's lint (collect mode) unless SPECCHECK_PROBE_LINT=0, and hand the runner each
server-side finding once, with the observation of the exchange that produced it."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

from speccheck._collector import Collector

__all__ = ["ProbeLint"]


class ProbeLint:
    def __init__(self) -> None:
        self.collector: Collector | None = None
        self._seen: set[tuple[str, str]] = set()

    def wrap(self, probe: Any, lint_class: Callable[[], Any]) -> Any:
        """``probe`` wrapped in the lint ``lint_class()`` returns, or ``probe`` itself when the
        lint is switched off or cannot be built (the probe must serve either way)."""
        if os.environ.get("SPECCHECK_PROBE_LINT", "1") == "0":
            return probe
        try:
            collector = Collector()
            wrapped = lint_class()(probe, "collect", collector=collector)
        except Exception:
            return probe
        self.collector = collector
        return wrapped

    def findings(self) -> list[dict[str, Any]]:
        """Server-side findings not yet sent to the runner."""
        if self.collector is None:
            return []
        out: list[dict[str, Any]] = []
        try:
            for violation in self.collector.violations():
                if violation.side != "server" or violation.key in self._seen:
                    continue
                self._seen.add(violation.key)
                out.append(violation.to_dict())
        except Exception:  # the lint is another pack's code: never let it break the probe
            return out
        return out
