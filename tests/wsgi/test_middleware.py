"""`check_middleware`: each middleware rule fires on its breaking middleware only, correct
middlewares stay silent, and real frameworks' middleware run through it."""

from __future__ import annotations

from typing import Any

import pytest

from fixtures.wsgi import middleware as mw
from fixtures.wsgi.table import MIDDLEWARE_ALSO, MIDDLEWARE_CASES
from speccheck import Side, get_rule
from speccheck._collector import Collector
from wsgi_checks import check_middleware, probe_app


def codes(factory: Any, app: Any = None) -> list[str]:
    return sorted({v.code for v in check_middleware(factory, app, select=["W", "H"])})


@pytest.mark.parametrize("code", sorted(MIDDLEWARE_CASES))
def test_rule_fires_on_broken_middleware_only(code: str) -> None:
    broken, correct = MIDDLEWARE_CASES[code]
    also = MIDDLEWARE_ALSO.get(code, set())
    assert codes(broken) == sorted({code} | also), broken.__name__
    assert codes(correct) == [], correct.__name__


@pytest.mark.parametrize("factory", mw.CORRECT_MIDDLEWARE, ids=lambda f: f.__name__)
def test_correct_middleware_is_silent(factory: Any) -> None:
    assert codes(factory) == []


@pytest.mark.parametrize("code", sorted(MIDDLEWARE_CASES))
def test_middleware_blamed_as_server(code: str) -> None:
    broken, _ = MIDDLEWARE_CASES[code]
    (violation,) = [v for v in check_middleware(broken, select=code)]
    assert violation.side == Side.SERVER.value == get_rule(code).side.value
    assert "delivery" in violation.message
    assert violation.location is not None and violation.location.file.endswith("middleware.py")
    assert violation.exchange is not None and violation.exchange.interface == "wsgi"


def test_early_close_and_error_deliveries_are_checked() -> None:
    """A generator middleware that closes the app's iterable only after a normal end."""

    def closes_at_end_only(app: Any) -> Any:
        def middleware(environ: Any, start_response: Any) -> Any:
            result = app(environ, start_response)
            for chunk in result:  # noqa: UP028 - the for loop is the bug shown
                yield chunk
            result.close()

        return middleware

    found = check_middleware(closes_at_end_only, select="W405")
    assert [v.code for v in found] == ["W405"]
    assert "early-close" in found[0].message
    assert found[0].count == 2  # early close and app error; the full delivery closes


def test_lint_below_reports_the_middleware_as_server() -> None:
    """The lint under the middleware sees what the middleware hands the app (W1xx-W3xx)."""

    def drops_protocol(app: Any) -> Any:
        def middleware(environ: Any, start_response: Any) -> Any:
            environ = dict(environ)
            del environ["SERVER_PROTOCOL"]
            return app(environ, start_response)

        return middleware

    assert codes(drops_protocol) == ["W107"]


def test_user_app_below_and_shared_collector() -> None:
    def app(environ: Any, start_response: Any) -> Any:
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"first value of the app", b"second value of the app"]

    collector = Collector()
    assert check_middleware(mw.skips_empty, app, collector=collector) == []  # no empty value below: fine
    check_middleware(mw.never_closes, app, collector=collector)
    assert [v.code for v in collector.violations()] == ["W405"]


def test_probe_app_alone_is_clean() -> None:
    assert codes(mw.passthrough, probe_app) == []


@pytest.mark.frameworks
def test_werkzeug_middleware() -> None:
    from werkzeug.middleware.proxy_fix import ProxyFix
    from werkzeug.middleware.shared_data import SharedDataMiddleware

    assert codes(ProxyFix) == []
    assert codes(lambda app: SharedDataMiddleware(app, {})) == []
