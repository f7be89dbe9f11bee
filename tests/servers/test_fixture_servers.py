"""Each oracle fires on a server with exactly that defect, and nothing fires on its
correct twin: fixtures/servers/rawserver.py run through ``--command``."""

from __future__ import annotations

from pathlib import Path

import pytest

from speccheck.server import check_server

pytestmark = pytest.mark.servers

RAW = Path(__file__).resolve().parents[2] / "fixtures" / "servers" / "rawserver.py"


def run(
    defect: str,
    interface: str = "wsgi",
    examples: int = 150,
    startup_timeout: float = 20.0,
    exchange_timeout: float = 5.0,
) -> set[str]:
    command = f"{{python}} {RAW} --port {{port}} --interface {interface} --defect {defect} {{app}}"
    result = check_server(
        "command",
        command=command,
        interface=interface,
        examples=examples,
        select=["S", "T"],
        startup_timeout=startup_timeout,
        exchange_timeout=exchange_timeout,
    )
    assert result.info.interface == interface
    return {v.code for v in result.violations}


@pytest.mark.parametrize("interface", ["wsgi", "asgi"])
def test_correct_twin_is_silent(interface: str) -> None:
    """A server that gets everything right: not one finding over 300 exchanges + every malformed case."""
    assert run("none", interface, examples=300) == set()


@pytest.mark.parametrize(
    ("defect", "interface", "code"),
    [
        ("drop-header", "wsgi", "S202"),  # RFC 9110 5.3: the app's fields reach the wire
        ("head-body", "wsgi", "S204"),  # RFC 9110 9.3.2: no content in a response to HEAD
        ("crlf", "wsgi", "S207"),  # RFC 9110 5.5: CR/LF in a value never becomes a line break
        ("path-undecoded", "wsgi", "S102"),  # PEP 3333 / CGI: PATH_INFO is URL-decoded
        ("path-undecoded", "asgi", "S112"),  # ASGI: path has percent-escapes decoded
        ("merge-dups", "asgi", "S115"),  # ASGI: duplicates preserved as received
        ("method-upper", "wsgi", "S101"),  # CGI: the method is case-sensitive
        ("status-200", "wsgi", "S201"),
        ("truncate", "wsgi", "S203"),
        ("leak-204", "wsgi", "S205"),  # RFC 9110 6.4.1: 204 has no content
        ("cl-overrun", "wsgi", "S209"),  # PEP 3333: should not send more than Content-Length allows
        ("keep-cl-te", "wsgi", "S301"),  # RFC 9112 6.1: close after CL+TE
        ("no-close", "wsgi", "S303"),  # PEP 3333: close() must be called on the iterable
        ("lenient-cl", "wsgi", "S407"),  # RFC 9112 6.3: Content-Length is 1*DIGIT, else 400
        ("keep-fold", "wsgi", "S408"),  # RFC 9112 5.2: obs-fold rejected or replaced by SP
        ("any-version", "asgi", "S116"),  # ASGI: http_version is one of "1.0", "1.1", "2"
        ("no-startup-wait", "asgi", "S501"),  # lifespan: wait for startup.complete
        ("no-shutdown-wait", "asgi", "S502"),  # lifespan: wait for shutdown.complete
        ("keep-ctl", "wsgi", "S409"),  # RFC 9110 5.5: NUL/CR in a value: reject or replace with SP
        ("keep-ctl", "asgi", "S409"),
        ("te-gzip-delivered", "wsgi", "S410"),  # RFC 9112 6.3: chunked not final in a request: 400
        ("http10-te-keep", "wsgi", "S411"),  # RFC 9112 6.1: HTTP/1.0 + Transfer-Encoding: close after
        ("absolute-refused", "wsgi", "S119"),  # RFC 9112 3.2.2: a server MUST accept the absolute-form
        ("absolute-refused", "asgi", "S119"),
        ("absolute-kept", "wsgi", "S119"),  # PEP 3333: PATH_INFO is from "the request URL's 'path'"
    ],
)
def test_defect_fires_its_rule_only(defect: str, interface: str, code: str) -> None:
    assert run(defect, interface) == {code}


def test_absolute_form_target_whole_in_asgi_path_is_a_legal_variant() -> None:
    # ASGI www: path is the "HTTP request target excluding any query string" (worded so for
    # absolute-form, asgiref PR #74): the whole target in path and raw_path passes.
    assert run("absolute-kept", "asgi", examples=60) == set()


def test_missing_and_duplicate_host_delivered_as_received_is_a_legal_variant() -> None:
    # RFC 9112 3.2's 400 is owed by "a server": behind a gateway, the gateway and the app
    # together. Delivering the request with its Host lines intact lets the app answer it.
    assert run("no-host-check", examples=40) == set()


def test_missing_and_duplicate_host_delivered_with_a_made_up_host() -> None:
    # A Host made up, or a duplicate dropped: the app can no longer answer the 400.
    assert run("fake-host", examples=40) == {"S403", "S406"}


def test_crash_is_t002() -> None:
    assert run("crash", examples=40) == {"T002"}


def test_hang_is_t003_and_bounded() -> None:
    assert run("hang", examples=40, exchange_timeout=1.0) == {"T003"}


def test_ignoring_sigterm_is_t007_and_still_stopped() -> None:
    # The run ends with SIGTERM to the process group, then SIGKILL after the stop time limit.
    assert run("ignore-sigterm", examples=20) == {"T007"}
    assert run("none", examples=20) == set()  # (and the twin exits on SIGTERM)


def test_never_listening_is_t001() -> None:
    assert run("no-listen", examples=40, startup_timeout=1.5) == {"T001"}


def test_findings_are_shrunk_to_a_small_request() -> None:
    command = f"{{python}} {RAW} --port {{port}} --interface wsgi --defect path-undecoded {{app}}"
    result = check_server("command", command=command, interface="wsgi", examples=150, select=["S102"])
    (finding,) = result.violations
    assert finding.extra["shrunk"] is True
    request = str(finding.extra["request"])
    head = request.split("\r\n\r\n", 1)[0].split("\r\n")
    names = [line.split(":", 1)[0].lower() for line in head[1:]]
    assert set(names) <= {"host", "content-length", "x-speccheck-id", "x-speccheck-plan"}
    assert "%" in head[0]  # still a percent-escape in the path: that is what the server mishandles
    assert len(request) < len(str(finding.extra["original_request"]))
    assert finding.exchange is not None
    assert finding.exchange.target in head[0]
