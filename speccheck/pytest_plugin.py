"""speccheck's pytest plugin (entry point ``pytest11``).

Off unless used: it adds options, the ``speccheck`` marker and four fixtures, and does
nothing else until one of them is used. The spec packs (and hypothesis) are imported
only by the fixture, option or item that needs them.

- ``wsgi_lint(app)`` / ``asgi_lint(app)``: the app under lint; violations fail the test.
- ``speccheck_app(app, **options)`` / ``speccheck_server(target, **options)``: run
  app-mode / server-mode conformance inside a test.
- ``@pytest.mark.speccheck(select=, ignore=, fail_on=, side=)``: tune one test.
- ``--speccheck-lint MODULE:ATTR``: lint an existing suite without editing a test.
- ``--speccheck-target NAME``: server conformance as test items.
- ``--speccheck-report FORMAT[:PATH]``: every finding of the session as one report.
"""

from __future__ import annotations

from collections.abc import Generator

import pytest

from speccheck._errors import UsageError
from speccheck._pytest._hooks import after_phase
from speccheck._pytest._lintfix import LintFactory, ledger_of, policy_of
from speccheck._pytest._options import Settings, add_options, settings_key
from speccheck._pytest._session import SessionFindings, is_xdist_worker

__all__ = ["asgi_lint", "wsgi_lint"]

MARKER = (
    "speccheck(select=None, ignore=None, fail_on=None, side=None): tune speccheck for this test: "
    "rules to check or skip (codes, prefixes, names), the level that fails (must, should, any), "
    "the side whose violations fail (app, server, any)"
)


def pytest_addoption(parser: pytest.Parser) -> None:
    add_options(parser)


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
    config.pluginmanager.register(SessionFindings(config, settings), "speccheck-session")


@pytest.hookimpl(wrapper=True)
def pytest_runtest_setup(item: pytest.Item) -> Generator[None, None, None]:
    try:
        policy_of(item)
    except UsageError as exc:
        raise pytest.UsageError(f"speccheck: {exc}") from None
    ledger_of(item)
    return (yield)


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
def wsgi_lint(request: pytest.FixtureRequest) -> LintFactory:
    """``wrapped = wsgi_lint(app, select=, ignore=, fail_on=, side=)``: the WSGI app under
    `wsgi_checks.WSGILint`; spec violations it finds fail the test."""
    return LintFactory(request, "wsgi")


@pytest.fixture
def asgi_lint(request: pytest.FixtureRequest) -> LintFactory:
    """``wrapped = asgi_lint(app, select=, ignore=, fail_on=, side=)``: the ASGI app under
    `asgi_checks.ASGILint`; spec violations it finds fail the test."""
    return LintFactory(request, "asgi")
