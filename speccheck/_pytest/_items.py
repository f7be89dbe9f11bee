"""Conformance as test items: ``pytest --speccheck-target uvicorn`` (a server preset:
server mode) or ``--speccheck-target myproject.wsgi:app`` (an app: app mode, which
honours the active hypothesis settings profile).

Each target gives one item per rule group, so ``-k``, ``--junitxml`` and pytest-xdist
treat conformance like any other test. The run itself happens once per target and
process (`speccheck.server.check_server`), at the first item of that target; every
item then reports the findings of its own group. Under pytest-xdist the items of one
target carry ``xdist_group(<target>)``, so ``--dist loadgroup`` runs each target exactly
once; with the default ``--dist load`` a target may run once in each worker that got
one of its items, which costs time but changes no result. Every run picks its own
free port (the runner does), and a server that could not start is retried once on a
fresh port before it counts as not ready.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from speccheck._errors import UsageError
from speccheck._pytest._format import visible
from speccheck._pytest._hooks import PROPERTY
from speccheck._pytest._options import settings_key
from speccheck._violations import Violation

__all__ = ["GROUPS", "TargetItem", "group_of", "make_items", "mode_of", "render_failures"]

# Rule group -> (code prefixes, what it covers), per mode. First match wins; the last
# group (with no prefixes) takes the rest.
GROUPS: dict[str, dict[str, tuple[tuple[str, ...], str]]] = {
    "server": {
        "target": (("T",), "the server starts, stays up and answers (T rules)"),
        "request": (("S1",), "the environ/scope and body the app saw match the request sent (S1xx)"),
        "response": (("S2",), "the bytes on the wire match what the app answered (S2xx)"),
        "framing": (("S3", "S4"), "message framing and rejection of malformed requests (S3xx, S4xx)"),
        "interface": ((), "PEP 3333 / ASGI rules (W, A, H, ...) checked by the lint around the probe app"),
    },
    "app": {
        "target": (("T",), "the app neither raises nor hangs on legal requests (T005, T006)"),
        "delivery": (("D",), "the answer does not change with equally legal deliveries (D rules)"),
        "interface": ((), "PEP 3333 / ASGI rules (W, A, H) checked by the lint around the app"),
    },
}


def mode_of(target: str) -> str:
    return "app" if ":" in target else "server"


def group_of(code: str, mode: str = "server") -> str:
    groups = GROUPS[mode]
    for name, (prefixes, _) in groups.items():
        if prefixes and code.startswith(prefixes):
            return name
    return list(groups)[-1]


@dataclass
class _Run:
    result: Any = None  # RunResult
    error: str = ""


class _Runs:
    """One server run per target per process, started by whichever item comes first."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._runs: dict[str, _Run] = {}

    def get(self, config: pytest.Config, target: str) -> _Run:
        with self._lock:
            run = self._runs.get(target)
            if run is None:
                run = self._runs[target] = _execute(config, target)
            return run


def _execute(config: pytest.Config, target: str) -> _Run:
    from speccheck._pytest._runners import hypothesis_defaults, run_app, run_server

    settings = config.stash[settings_key]
    policy = settings.policy
    try:
        if mode_of(target) == "app":
            examples, seed = hypothesis_defaults(config)
            result = run_app(
                target,
                select=policy.select,
                ignore=policy.ignore,
                examples=settings.examples or examples,
                seed=seed or 0,
                max_time=settings.max_time,
            )
            return _Run(result=result)
        options: dict[str, Any] = {"examples": settings.examples, "max_time": settings.max_time}
        result = run_server(target, select=policy.select, ignore=policy.ignore, **options)
        if any(v.code == "T001" for v in result.violations):  # e.g. lost a race for its port
            result = run_server(target, select=policy.select, ignore=policy.ignore, **options)
    except UsageError as exc:
        return _Run(error=str(exc))
    return _Run(result=result)


_runs_key = pytest.StashKey[_Runs]()


class SpeccheckFailure(Exception):
    """Raised by a conformance item; rendered without a traceback."""


class TargetItem(pytest.Item):
    def __init__(self, *, target: str, group: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.target = target
        self.group = group

    def runtest(self) -> None:
        config = self.config
        run = config.stash[_runs_key].get(config, self.target)
        mode = mode_of(self.target)
        if run.error:
            raise SpeccheckFailure(f"speccheck {mode} {self.target}: {run.error}")
        result = run.result
        policy = config.stash[settings_key].policy
        mine = [v for v in result.violations if group_of(v.code, mode) == self.group and policy.in_force(v)]
        checked = [r for r in result.checked if group_of(r.code, mode) == self.group]
        not_ready = [v for v in result.violations if v.code == "T001"]
        for v in mine:
            self.user_properties.append((PROPERTY, _as_property(v, policy.fails(v))))
        failing = [v for v in mine if policy.fails(v)]
        if not checked and not_ready and self.group != "target":
            raise SpeccheckFailure(
                f"speccheck server {self.target}: could not run the {self.group} checks: {not_ready[0].message}"
            )
        if failing:
            raise SpeccheckFailure(render_failures(f"{mode} {self.target}", self.group, failing, len(checked)))
        # The lint around the probe/app checks on every exchange without marking rules
        # checked, so an "interface" item with no finding is a pass, not a skip.
        if not checked and not mine and self.group != "interface":
            pytest.skip(f"no {self.group} rule applies to {self.target} (or all are deselected)")

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> str:
        if isinstance(excinfo.value, SpeccheckFailure):
            return str(excinfo.value)
        return str(super().repr_failure(excinfo, style))

    def reportinfo(self) -> tuple[Any, int | None, str]:
        return self.path, None, f"speccheck {mode_of(self.target)} {self.target}: {self.group}"


def _as_property(violation: Violation, fails: bool) -> str:
    import json

    data = violation.to_dict()
    data["fails"] = fails
    return json.dumps(data, sort_keys=True, default=str)


def render_failures(target: str, group: str, failing: list[Violation], checked: int) -> str:
    scope = f" of {checked} {group} rule(s) checked" if checked else f" ({group})"
    lines = [f"speccheck {target}: {len(failing)} violation(s){scope}"]
    for v in failing:
        lines.append(f"  {v.code} {v.name} [{v.side} {v.level}]: {visible(v.message)}")
        if v.observed or v.expected:
            lines.append(f"      observed: {visible(v.observed or '-')}; expected: {visible(v.expected or '-')}")
        lines.append(f"      spec: {v.spec_url}")
        if v.exchange is not None:
            lines.append(f"      request: {visible(v.exchange.summary())}")
            curl = v.exchange.curl()
            if v.exchange.replay.startswith("speccheck "):
                lines.append(f"      replay: {visible(v.exchange.replay)}")
            elif curl:
                lines.append(f"      reproduce: {visible(curl)}")
    return "\n".join(lines)


def make_items(session: pytest.Session, targets: tuple[str, ...]) -> Iterator[TargetItem]:
    """The items for ``targets``, in a stable order (xdist needs the same in every worker)."""
    from speccheck.targets import get_target

    config = session.config
    config.stash.setdefault(_runs_key, _Runs())
    xdist = config.pluginmanager.hasplugin("xdist")
    for target in targets:
        mode = mode_of(target)
        if mode == "server":
            try:
                get_target(target).ensure_installed()
            except UsageError as exc:
                raise pytest.UsageError(f"speccheck: --speccheck-target: {exc}") from None
        for group in GROUPS[mode]:
            item = TargetItem.from_parent(
                session, name=f"{target}::{group}", nodeid=f"speccheck::{target}::{group}", target=target, group=group
            )
            item.extra_keyword_matches.update({"speccheck", target, group})
            if xdist:
                item.add_marker(pytest.mark.xdist_group(target))
            yield item
