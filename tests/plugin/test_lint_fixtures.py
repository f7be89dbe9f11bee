"""wsgi_lint / asgi_lint fixtures and the speccheck marker, through pytester."""

from __future__ import annotations

import pytest

APPS = """
def broken(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", "10")])
    return [b"hi"]


def correct(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", "2")])
    return [b"hi"]
"""

TESTS = """
import pytest
from werkzeug.test import Client

from lint_apps import broken, correct


def test_broken(wsgi_lint):
    client = Client(wsgi_lint(broken))
    assert client.get("/").status_code == 200


def test_correct(wsgi_lint):
    client = Client(wsgi_lint(correct))
    assert client.get("/").status_code == 200


def test_broken_ignored_by_fixture(wsgi_lint):
    Client(wsgi_lint(broken, ignore=["H103"])).get("/")


@pytest.mark.speccheck(ignore=["H103"])
def test_broken_ignored_by_marker(wsgi_lint):
    Client(wsgi_lint(broken)).get("/")


@pytest.mark.speccheck(select=["H101"])
def test_broken_not_selected(wsgi_lint):
    Client(wsgi_lint(broken)).get("/")


@pytest.mark.speccheck(side="server")
def test_broken_only_server_side_fails(wsgi_lint):
    Client(wsgi_lint(broken)).get("/")


def test_broken_and_assertion(wsgi_lint):
    Client(wsgi_lint(broken)).get("/")
    assert False, "the test's own failure"
"""


def _project(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(lint_apps=APPS, test_sample=TESTS)


def test_broken_fails_with_readable_message_and_correct_passes(pytester: pytest.Pytester) -> None:
    _project(pytester)
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(passed=5, failed=2)
    out = result.stdout.str()
    result.stdout.fnmatch_lines(
        [
            "*_ test_broken _*",
            "speccheck: 1 spec violation (failing on MUST rules):",
            "  H103 content-length-matches-body ?app must?: Content-Length*",
            "      spec: https://*",
            "      seen by: wsgi_lint(broken)",
        ]
    )
    assert "FAILED test_sample.py::test_broken " in out or "FAILED test_sample.py::test_broken -" in out
    # A test that failed on its own keeps its own failure and shows the findings beside it.
    result.stdout.fnmatch_lines(["*the test's own failure*"])
    assert "test_correct" not in "".join(line for line in result.stdout.lines if line.startswith("FAILED"))


def test_fail_on_level_from_option_marker_and_fixture(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        advice_app="""
def app(environ, start_response):
    # A header named Status is a CGI habit; PEP 3333 puts the status in the argument (advice level).
    start_response("200 OK", [("Content-Type", "text/plain"), ("Status", "200 OK")])
    return [b"hi"]
""",
        test_levels="""
import pytest
from werkzeug.test import Client

from advice_app import app


def test_default(wsgi_lint):
    lint = wsgi_lint(app)
    Client(lint).get("/")
    assert [v.code for v in lint.violations] == ["W522"]  # recorded, below the fail-on level


@pytest.mark.speccheck(fail_on="any")
def test_marker(wsgi_lint):
    Client(wsgi_lint(app)).get("/")


def test_fixture_argument(wsgi_lint):
    Client(wsgi_lint(app, fail_on="any")).get("/")
""",
    )
    result = pytester.runpytest("-rP")
    result.assert_outcomes(passed=1, failed=2)
    out = result.stdout.str()
    passed_section = out.split("PASSES")[1]
    assert "1 finding(s) below the fail-on level (not failing):" in passed_section
    assert "W522 no-status-header [app advice]" in passed_section
    result.stdout.fnmatch_lines(["speccheck: 1 spec violation (failing on any rules):"])
    # The session option moves the threshold for every test.
    pytester.runpytest("--speccheck-fail-on=any").assert_outcomes(failed=3)
    # An ignored rule is not even checked: only test_default's own assertion fails.
    ignored = pytester.runpytest("--speccheck-fail-on=any", "--speccheck-ignore=W522")
    ignored.assert_outcomes(passed=2, failed=1)
    ignored.stdout.fnmatch_lines(["*assert [[][]] == [[]'W522'[]]*"])


def test_bad_marker_errors_its_test_and_bad_option_is_a_usage_error(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_sample="""
import pytest

@pytest.mark.speccheck(ignore=["Z999"])
def test_bad_marker(wsgi_lint):
    pass


@pytest.mark.speccheck("H103")
def test_positional_marker():
    pass


def test_unaffected():
    pass
""",
    )
    result = pytester.runpytest()
    result.assert_outcomes(passed=1, errors=2)
    result.stdout.fnmatch_lines(["*speccheck: unknown rule code, prefix or name 'Z999'*"])
    result.stdout.fnmatch_lines(["*speccheck: @pytest.mark.speccheck takes keyword arguments only*"])
    result = pytester.runpytest("--speccheck-fail-on=sometimes")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*speccheck: --speccheck-fail-on (ini speccheck_fail_on) takes must, should or any*"])


ASGI_APPS = """
async def broken(scope, receive, send):
    await send({"type": "http.response.start", "status": 200, "headers": [[b"content-length", b"10"]]})
    await send({"type": "http.response.body", "body": b"hi"})


async def correct(scope, receive, send):
    await send({"type": "http.response.start", "status": 200, "headers": [[b"content-length", b"2"]]})
    await send({"type": "http.response.body", "body": b"hi"})
"""


def test_asgi_lint_fixture(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        asgi_apps=ASGI_APPS,
        test_asgi="""
import asyncio

import httpx

from asgi_apps import broken, correct


def get(app):
    async def go():
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            return await client.get("/")

    return asyncio.run(go())


def test_broken(asgi_lint):
    get(asgi_lint(broken))


def test_correct(asgi_lint):
    assert get(asgi_lint(correct)).text == "hi"
""",
    )
    result = pytester.runpytest()
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(
        ["*_ test_broken _*", "  H103 content-length-matches-body ?app must?: *", "      seen by: asgi_lint(broken)"]
    )


def test_findings_during_teardown_fail_the_teardown(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        lint_apps=APPS,
        test_teardown="""
import pytest
from werkzeug.test import Client

from lint_apps import broken


@pytest.fixture
def client(wsgi_lint):
    client = Client(wsgi_lint(broken))
    yield client
    client.get("/")  # after the test body: the finding belongs to the teardown


def test_body_is_clean(client):
    pass
""",
    )
    result = pytester.runpytest()
    result.assert_outcomes(passed=1, errors=1)
    result.stdout.fnmatch_lines(
        ["*ERROR at teardown of test_body_is_clean*", "speccheck: 1 spec violation during teardown*"]
    )
