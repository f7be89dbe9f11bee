"""The plugin's command-line options and their ini twins (``[tool.pytest.ini_options]``).

The command line wins over the ini file. Nothing here imports a spec pack: the options
are parsed when pytest starts, and the packs load only when a fixture, a
``--speccheck-lint`` target or a ``--speccheck-target`` item needs them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest

from speccheck._errors import UsageError
from speccheck._pytest._policy import Policy, parse_sides
from speccheck._selection import split_codes

__all__ = ["Settings", "add_options", "settings_key"]


def add_options(parser: pytest.Parser) -> None:
    group = parser.getgroup("speccheck", "speccheck: PEP 3333 / ASGI conformance")
    group.addoption(
        "--speccheck-lint",
        action="append",
        metavar="MODULE:ATTR",
        help="wrap this WSGI/ASGI app in place for the whole session (zero-change mode): every spec "
        "violation fails the test that caused it (repeatable; ini: speccheck_lint)",
    )
    group.addoption(
        "--speccheck-fail-on",
        metavar="LEVEL",
        help="fail tests on violations at or above: must (default), should, any (ini: speccheck_fail_on)",
    )
    group.addoption(
        "--speccheck-select", action="append", metavar="CODES", help="only these rules (ini: speccheck_select)"
    )
    group.addoption(
        "--speccheck-ignore", action="append", metavar="CODES", help="skip these rules (ini: speccheck_ignore)"
    )
    group.addoption(
        "--speccheck-side",
        metavar="SIDE",
        help="which side's violations fail tests: app, server or any (default: any for the fixtures, app for "
        "--speccheck-lint, whose 'server' is the test client; ini: speccheck_side)",
    )
    group.addoption(
        "--speccheck-target",
        action="append",
        metavar="TARGET",
        help="run server conformance against this target as test items, one per rule group "
        "(repeatable; ini: speccheck_targets)",
    )
    group.addoption(
        "--speccheck-report",
        action="append",
        metavar="FORMAT[:PATH]",
        help="write every violation of the session as a report: json, sarif, junit, markdown, html "
        "(repeatable; ini: speccheck_report)",
    )
    group.addoption(
        "--speccheck-examples", type=int, metavar="N", help="exchanges per conformance item (default: the runner's)"
    )
    group.addoption("--speccheck-max-time", type=float, metavar="SECONDS", help="time budget per conformance item")
    parser.addini("speccheck_lint", "apps (MODULE:ATTR) to lint for the whole session", type="linelist", default=[])
    parser.addini("speccheck_fail_on", "must, should or any", default="")
    parser.addini("speccheck_select", "rule codes, prefixes or names to check", type="args", default=[])
    parser.addini("speccheck_ignore", "rule codes, prefixes or names to skip", type="args", default=[])
    parser.addini("speccheck_side", "any, app or server", default="")
    parser.addini("speccheck_targets", "server targets to run conformance against", type="args", default=[])
    parser.addini("speccheck_report", "reports to write (FORMAT[:PATH])", type="args", default=[])


@dataclass(frozen=True)
class Settings:
    policy: Policy  # for the fixtures
    lint_policy: Policy  # for --speccheck-lint (zero-change mode)
    lint: tuple[str, ...] = ()
    targets: tuple[str, ...] = ()
    reports: tuple[str, ...] = ()
    examples: int | None = None
    max_time: float | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_config(cls, config: pytest.Config) -> Settings:
        def pick(option: str, ini: str) -> Any:
            value = config.getoption(option)
            return value if value not in (None, []) else config.getini(ini)

        fail_on = str(pick("speccheck_fail_on", "speccheck_fail_on") or "must")
        if fail_on.strip().lower() not in ("must", "should", "any"):
            raise UsageError(f"--speccheck-fail-on (ini speccheck_fail_on) takes must, should or any; got {fail_on!r}")
        side_given = pick("speccheck_side", "speccheck_side")
        side = str(side_given or "any")
        if side.strip().lower() not in ("app", "server", "any"):
            raise UsageError(f"--speccheck-side (ini speccheck_side) takes app, server or any; got {side!r}")
        select = split_codes(pick("speccheck_select", "speccheck_select"))
        ignore = split_codes(pick("speccheck_ignore", "speccheck_ignore"))
        policy = Policy(sides=parse_sides(side)).layered(select=select or None, ignore=ignore or None, fail_on=fail_on)
        examples = config.getoption("speccheck_examples")
        if examples is not None and examples < 1:
            raise UsageError(f"--speccheck-examples must be at least 1, got {examples}")
        max_time = config.getoption("speccheck_max_time")
        if max_time is not None and not max_time > 0:
            raise UsageError(f"--speccheck-max-time must be positive, got {max_time}")
        # In zero-change mode the "server" is a test client the user does not own: its
        # findings are shown but fail a test only when --speccheck-side says so.
        lint_policy = policy if side_given else policy.layered(side="app")
        return cls(
            policy=policy,
            lint_policy=lint_policy,
            lint=tuple(pick("speccheck_lint", "speccheck_lint")),
            targets=tuple(split_codes(pick("speccheck_target", "speccheck_targets"))),
            reports=tuple(pick("speccheck_report", "speccheck_report")),
            examples=examples,
            max_time=max_time,
        )


settings_key = pytest.StashKey[Settings]()
