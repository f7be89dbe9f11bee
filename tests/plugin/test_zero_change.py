"""Zero-change mode: ``--speccheck-lint MODULE:ATTR`` lints an existing suite unedited.

Each sample project has one app with a correct route and a broken one, and a test file
that knows nothing about speccheck. Subprocess runs: the mode patches classes for a
whole session, and Django's settings are process-global.
"""

from __future__ import annotations

import pytest

from tests.plugin.samples import DJANGO_FILES, FLASK_APP, FLASK_TESTS, STARLETTE_APP, STARLETTE_TESTS

pytestmark = pytest.mark.frameworks

TIMEOUT = 120


def _failed(result: pytest.RunResult) -> set[str]:
    return {line.split()[1].split("::")[1] for line in result.stdout.lines if line.startswith("FAILED ")}


def test_flask_test_client(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(flaskproj=FLASK_APP, test_flask=FLASK_TESTS)
    result = pytester.runpytest_subprocess("--speccheck-lint=flaskproj:app", timeout=TIMEOUT)
    result.assert_outcomes(passed=1, failed=1)
    assert _failed(result) == {"test_bad"}
    result.stdout.fnmatch_lines(
        [
            "speccheck: linting flaskproj:app (wsgi; through flask.app.Flask instance)",
            "*W520 no-hop-by-hop-headers ?app must?: *Connection*",
            "*request: GET /bad",
            "*seen by: --speccheck-lint=flaskproj:app",
        ]
    )
    # Without the option the same suite passes: the plugin is off unless used.
    pytester.runpytest().assert_outcomes(passed=2)


def test_ini_option_and_plain_function_app(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        wsgiproj="""
def application(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", "10")])
    return [b"hi"]
""",
        test_fn="""
import httpx
import wsgiproj


def test_through_the_module_attribute():
    client = httpx.Client(transport=httpx.WSGITransport(app=wsgiproj.application), base_url="http://testserver")
    client.get("/")
""",
    )
    pytester.makeini("[pytest]\nspeccheck_lint = wsgiproj:application\n")
    result = pytester.runpytest_subprocess(timeout=TIMEOUT)
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*through attribute application*", "*H103 content-length-matches-body*"])


def test_starlette_test_client(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(starproj=STARLETTE_APP, test_star=STARLETTE_TESTS)
    result = pytester.runpytest_subprocess("--speccheck-lint=starproj:app", timeout=TIMEOUT)
    result.assert_outcomes(passed=1, failed=1)
    assert _failed(result) == {"test_bad"}
    result.stdout.fnmatch_lines(["*H108 no-connection-specific-headers ?app must?: *", "*request: GET /bad"])


def test_django_test_client_wsgi(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(**DJANGO_FILES)
    result = pytester.runpytest_subprocess(
        "--speccheck-lint=djproj.wsgi:application", "-k", "not async", timeout=TIMEOUT
    )
    result.assert_outcomes(passed=2, failed=1, deselected=3)
    assert _failed(result) == {"test_bad"}
    result.stdout.fnmatch_lines(
        [
            "*through django.core.handlers.wsgi.WSGIHandler instance, django.test.client.ClientHandler*",
            "*H103 content-length-matches-body ?app must?: *",
            "*app: *djproj?urls.py:* (in bad)",  # blamed on the view, not on Django's test client
            "*request: GET /bad",
        ]
    )


def test_django_test_client_asgi(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(**DJANGO_FILES)
    result = pytester.runpytest_subprocess("--speccheck-lint=djproj.asgi:application", "-k", "async", timeout=TIMEOUT)
    result.assert_outcomes(failed=3, deselected=3)
    out = result.stdout.str()
    # Django's ASGIHandler keeps header names' case on purpose (see django/core/handlers/asgi.py),
    # which the ASGI spec forbids: A304 on every response, the correct view included ...
    ok_failure = out.split("_ test_async_ok _")[1].split("_ test_async_post_ok _")[0]
    assert "A304 response-header-names-lowercase [app must]" in ok_failure
    assert "H103" not in ok_failure
    # ... and the broken view's Content-Length besides.
    bad_failure = out.split("_ test_async_bad _")[1]
    assert "H103 content-length-matches-body [app must]" in bad_failure
    assert "request: GET /bad" in bad_failure
    assert "urls.py:" in bad_failure and "(in bad)" in bad_failure
    # The POST body reached the lint as the request's http.request event: no server-side failure.
    post_failure = out.split("_ test_async_post_ok _")[1].split("_ test_async_bad _")[0]
    assert "[server must]" not in post_failure.split("below the fail-on level")[0]


def test_bad_lint_target_is_a_usage_error(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_x="def test_x():\n    pass\n")
    pytester.syspathinsert()
    for spec, message in [
        ("nocolon", "*takes MODULE:ATTR*"),
        ("no_such_module:app", "*cannot import 'no_such_module'*"),
        ("test_x:missing", "*has no attribute 'missing'*"),
    ]:
        result = pytester.runpytest(f"--speccheck-lint={spec}")
        assert result.ret == pytest.ExitCode.USAGE_ERROR, spec
        result.stderr.fnmatch_lines([message])


def test_instance_of_a_slotted_class_is_wrapped_in_place_and_restored(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        slotted_app="""
class App:
    __slots__ = ("body",)

    def __init__(self):
        self.body = b"hi"

    def __call__(self, environ, start_response):
        start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", "10")])
        return [self.body]


application = App()
REFERENCE = application  # held before the session starts, like a test client would
""",
        test_slotted="""
import httpx

from slotted_app import REFERENCE, App


def test_through_an_old_reference():
    assert type(REFERENCE) is not App and isinstance(REFERENCE, App)
    client = httpx.Client(transport=httpx.WSGITransport(app=REFERENCE), base_url="http://testserver")
    client.get("/")
""",
        conftest="""
import os


def pytest_unconfigure(config):
    import slotted_app

    restored = type(slotted_app.application) is slotted_app.App
    with open(os.path.join(os.path.dirname(__file__), "restored.txt"), "w") as fh:
        fh.write(str(restored))
""",
    )
    pytester.syspathinsert()
    result = pytester.runpytest("--speccheck-lint=slotted_app:application")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*through slotted_app.App instance*", "*H103 content-length-matches-body*"])
    assert (pytester.path / "restored.txt").read_text() == "True"  # undone when the session ended
