"""Plugin tests: sample projects run through pytester.

Until `wsgi_checks.WSGILint` is built, the `lint_available` fixture installs a tiny
stand-in (tests/plugin/standin.py) for the duration of one test, so the plugin's
plumbing is tested either way; with the real class present it changes nothing.
"""

from __future__ import annotations

import pytest

import wsgi_checks

pytest_plugins = ["pytester"]


@pytest.fixture
def lint_available(monkeypatch: pytest.MonkeyPatch) -> None:
    if not hasattr(wsgi_checks, "WSGILint"):
        from tests.plugin.standin import StandInWSGILint

        monkeypatch.setattr(wsgi_checks, "WSGILint", StandInWSGILint, raising=False)
