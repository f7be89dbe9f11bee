"""speccheck's pytest plugin (entry point ``pytest11``).

Off unless used: it adds options, the ``speccheck`` marker and four fixtures, and does
nothing else until one of them is used. The spec packs (and hypothesis) are imported
only by the fixture, option or item that needs them.

- ``wsgi_lint(app)`` / ``asgi_lint(app)``: the app under lint; violations fail the test.
- ``speccheck_app(app, **options)`` / ``speccheck_server(target, **options)``: run
  app-mode / server-mode conformance inside a test.
- ``@pytest.mark.speccheck(select=, ignore=, fail_on=, side=)``: tune one test.
- ``--speccheck-lint MODULE:ATTR``: lint an existing suite without editing a test.
- ``--speccheck-target NAME|MODULE:ATTR``: server or app conformance as test items.
- ``--speccheck-report FORMAT[:PATH]``: every finding of the session as one report.
"""

from __future__ import annotations

from collections.abc import Generator
from typing import TYPE_CHECKING

import pytest

from speccheck._errors import UsageError
from speccheck._pytest._hooks import after_phase
from speccheck._pytest._lintfix import LintFactory, ledger_of, policy_of
from speccheck._pytest._options import Settings, add_options, settings_key
from speccheck._pytest._session import SessionFindings, is_xdist_worker

if TYPE_CHECKING:
    from speccheck._pytest._patch import Installed
    from speccheck._pytest._runfix import ConformanceFixture

__all__ = ["asgi_lint", "speccheck_app", "speccheck_server", "wsgi_lint"]

MARKER = (
    "speccheck(select=None, ignore=None, fail_on=None, side=None): tune speccheck for this test: "
    "rules to check or skip (codes, prefixes, names), the level that fails (must, should, any), "
    "the side whose violations fail (app, server, any)"
)


def pytest_addoption(parser: pytest.Parser) -> None:
    add_options(parser)


_installed_key = pytest.StashKey[list["Installed"]]()
_broken_key = pytest.StashKey[str]()


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", MARKER)
    try:
        settings = Settings.from_config(config)
        if settings.reports and not is_xdist_worker(config):
            from speccheck.report import check_writable, parse_report_spec

            check_writable([parse_report_spec(text) for text in settings.reports])
    except UsageError as exc:
        raise pytest.UsageError(f"speccheck: {exc}") from None
    config.stash[settings_key] = settings
    findings = SessionFindings(config, settings)
    findings.at_finish.append(lambda: _uninstall(config))
    config.pluginmanager.register(findings, "speccheck-session")


def pytest_sessionstart(session: pytest.Session) -> None:
    """Zero-change mode: wrap the ``--speccheck-lint`` apps where the tests run (in each
    xdist worker, never in the controller, which runs no test)."""
    config = session.config
    settings = config.stash[settings_key]
    if not settings.lint:
        return
    from speccheck._pytest._patch import check_spec, install

    try:
        if config.pluginmanager.hasplugin("dsession"):
            for spec in settings.lint:  # the controller: fail early, without importing the app
                check_spec(spec)
            return
        installed = config.stash[_installed_key] = []
        for spec in settings.lint:
            installed.append(install(spec, settings.lint_policy))
    except UsageError as exc:
        _uninstall(config)
        if is_xdist_worker(config):  # a worker that raises here is restarted again and again
            config.stash[_broken_key] = str(exc)
            return
        raise pytest.UsageError(f"speccheck: {exc}") from None


def pytest_report_header(config: pytest.Config) -> list[str]:
    return [
        f"speccheck: linting {inst.spec} ({inst.interface}; through {', '.join(inst.seams)})"
        for inst in config.stash.get(_installed_key, [])
    ]


def _uninstall(config: pytest.Config) -> None:
    installed: list[Installed] = config.stash.get(_installed_key, [])
    for inst in reversed(installed):
        inst.uninstall()
    config.stash[_installed_key] = []


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(session: pytest.Session, config: pytest.Config, items: list[pytest.Item]) -> None:
    """``--speccheck-target``: add the conformance items (before -k / -m deselect)."""
    settings = config.stash[settings_key]
    if settings.targets:
        from speccheck._pytest._items import make_items

        new = list(make_items(session, settings.targets))
        items.extend(new)
        # Counted in "collected N items" like any collected test.
        report = pytest.CollectReport("speccheck", "passed", None, list(new))
        config.hook.pytest_collectreport(report=report)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_setup(item: pytest.Item) -> Generator[None, None, None]:
    broken = item.config.stash.get(_broken_key, "")
    if broken:
        pytest.fail(f"speccheck: {broken}", pytrace=False)
    installed = item.config.stash.get(_installed_key, [])
    try:
        policy_of(item)
        lint_policy = policy_of(item, zero_change=True) if installed else None
    except UsageError as exc:  # a bad marker: this test errors, the others run
        pytest.fail(f"speccheck: {exc}", pytrace=False)
    ledger = ledger_of(item)
    for inst in installed:
        inst.watch.skip()  # what came before this test is not its doing
        assert lint_policy is not None
        ledger.add(inst.watch, lint_policy)
    try:
        return (yield)
    except BaseException:
        after_phase(item, "setup", failed_already=True)  # shown beside the setup error
        raise


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Generator[None, None, None]:
    try:
        result = yield
    except BaseException:
        after_phase(item, "call", failed_already=True)
        raise
    after_phase(item, "call", failed_already=False)
    return result


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item: pytest.Item) -> Generator[None, None, None]:
    try:
        result = yield
    except BaseException:
        after_phase(item, "teardown", failed_already=True)
        raise
    after_phase(item, "teardown", failed_already=False)
    return result


@pytest.fixture
def speccheck_app(request: pytest.FixtureRequest) -> ConformanceFixture:
    """``result = speccheck_app(app, paths=, examples=, max_time=, seed=, select=, ignore=,
    fail_on=, side=)``: app-mode conformance of ``app`` (an object or ``"module:attr"``);
    the examples and seed follow the active hypothesis profile unless given."""
    from speccheck._pytest._runfix import ConformanceFixture

    return ConformanceFixture(request, "app")


@pytest.fixture
def speccheck_server(request: pytest.FixtureRequest) -> ConformanceFixture:
    """``result = speccheck_server("uvicorn", examples=, max_time=, command=, interface=,
    select=, ignore=, fail_on=, side=)``: server-mode conformance of a target."""
    from speccheck._pytest._runfix import ConformanceFixture

    return ConformanceFixture(request, "server")


@pytest.fixture
def wsgi_lint(request: pytest.FixtureRequest) -> LintFactory:
    """``wrapped = wsgi_lint(app, select=, ignore=, fail_on=, side=)``: the WSGI app under
    `wsgi_checks.WSGILint`; spec violations it finds fail the test."""
    return LintFactory(request, "wsgi")


@pytest.fixture
def asgi_lint(request: pytest.FixtureRequest) -> LintFactory:
    """``wrapped = asgi_lint(app, select=, ignore=, fail_on=, side=)``: the ASGI app under
    `asgi_checks.ASGILint`; spec violations it finds fail the test."""
    return LintFactory(request, "asgi")
