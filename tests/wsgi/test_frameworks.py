"""Real framework apps under WSGILint, served by real servers on 127.0.0.1: wsgiref in a
thread, waitress and gunicorn in subprocesses. A correct stack must produce no finding."""

from __future__ import annotations

import json
import os
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, make_server

import httpx
import pytest

from fixtures.wsgi.frameworks import CHUNKS, ENV_FILE, NAMES, served
from speccheck import Violation
from speccheck.targets import ServerProcess, free_port

pytestmark = pytest.mark.frameworks
ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
BODY = bytes(range(256)) * 40  # 10 KiB, every byte value

# Known spec breaks of the frameworks themselves, kept as findings (see the report):
# code -> the PEP 3333 sentence, per framework.
# Werkzeug's LimitedStream (used by Flask and plain Werkzeug for request bodies) calls
# wsgi.input.readinto() whenever the server's stream has one (werkzeug/wsgi.py, LimitedStream.readinto).
# Servers that set environ["wsgi.input_terminated"] (waitress, gunicorn) make Werkzeug skip
# LimitedStream, so the finding shows under wsgiref only.
_READINTO = (
    "Applications conforming to this specification must not use any other methods or attributes "
    "of the input or errors objects. (PEP 3333, Input and Error Streams)"
)
KNOWN: dict[tuple[str, str], dict[str, str]] = {
    ("flask", "wsgiref"): {"W603": _READINTO},
    ("werkzeug", "wsgiref"): {"W603": _READINTO},
}


def exercise(base_url: str) -> list[dict[str, Any]]:
    """The same traffic for every stack; returns the lint's findings via /__speccheck__."""
    with httpx.Client(base_url=base_url, timeout=10.0) as client:
        hello = client.get("/hello")
        assert (hello.status_code, hello.content) == (200, b"hello")
        head = client.head("/hello")
        assert head.status_code == 200 and head.content == b""
        stream = client.get("/stream")
        assert (stream.status_code, stream.content) == (200, b"".join(CHUNKS))
        assert client.head("/stream").status_code == 200
        echo = client.post("/echo", content=BODY)
        assert (echo.status_code, echo.content) == (200, BODY)
        empty = client.post("/echo", content=b"")
        assert (empty.status_code, empty.content) == (200, b"")
        redirect = client.get("/redirect")
        assert redirect.status_code in (301, 302, 303, 307) and redirect.headers["location"].endswith("/hello")
        assert client.get("/missing").status_code == 404
        found = client.get("/__speccheck__")
        assert found.status_code == 200
        result: list[dict[str, Any]] = found.json()
        return result


def check(name: str, server: str, found: list[dict[str, Any]]) -> None:
    """No finding but the framework's known spec breaks, and those still present."""
    violations = [Violation.from_dict(v) for v in found]
    known = KNOWN.get((name, server), {})
    unexpected = [v.one_line() for v in violations if v.code not in known]
    assert unexpected == []
    assert sorted({v.code for v in violations}) == sorted(known), "a known framework finding went away"
    for violation in violations:
        assert "readinto" in violation.message  # W603: exactly the readinto use, nothing else


@pytest.fixture
def wsgiref_server() -> Iterator[Any]:
    servers: list[Any] = []

    class Quiet(WSGIRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass

    def start(app: Any) -> str:
        server = make_server("127.0.0.1", 0, app, handler_class=Quiet)
        server.timeout = 1
        thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        thread.start()
        servers.append((server, thread))
        return f"http://127.0.0.1:{server.server_port}"

    yield start
    for server, thread in servers:
        server.shutdown()
        server.server_close()
        thread.join(5)


@pytest.mark.parametrize("name", NAMES)
def test_framework_under_wsgiref(name: str, wsgiref_server: Any) -> None:
    lint = served(name)
    found = exercise(wsgiref_server(lint))
    check(name, "wsgiref", found)


def _argv(server: str, port: int) -> list[str]:
    if server == "waitress":
        return [str(BIN / "waitress-serve"), "--host=127.0.0.1", f"--port={port}", "fixtures.wsgi.served:app"]
    return [
        str(BIN / "gunicorn"),
        "-w",
        "1",
        "-b",
        f"127.0.0.1:{port}",
        "--log-level",
        "warning",
        "fixtures.wsgi.served:app",
    ]


@pytest.mark.servers
@pytest.mark.parametrize("server", ["waitress", "gunicorn"])
@pytest.mark.parametrize("name", NAMES)
def test_framework_under_real_server(name: str, server: str, tmp_path: Path) -> None:
    sink = tmp_path / "violations.jsonl"
    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(ROOT), "SPECCHECK_FRAMEWORK": name, ENV_FILE: str(sink)}
    with ServerProcess(_argv(server, port), port=port, env=env, cwd=str(ROOT), ready_timeout=30) as proc:
        assert proc.start(), f"{server} did not start"
        found = exercise(proc.base_url)
    lines = [json.loads(line) for line in sink.read_text().splitlines()]
    assert lines == found  # the side channel carries the same findings
    check(name, server, found)


def control(base_url: str) -> list[dict[str, Any]]:
    """The lint is really in the path: a broken route is reported, a file response works."""
    with httpx.Client(base_url=base_url, timeout=10.0) as client:
        assert client.get("/__speccheck__/broken").content == b"broken"
        assert client.get("/__speccheck__/file").content == b"file body " * 1000
        found: list[dict[str, Any]] = client.get("/__speccheck__").json()
        return found


def test_control_under_wsgiref(wsgiref_server: Any) -> None:
    found = control(wsgiref_server(served("werkzeug")))
    assert [(v["code"], v["side"]) for v in found] == [("W509", "app")]


@pytest.mark.servers
@pytest.mark.parametrize("server", ["waitress", "gunicorn"])
def test_control_under_real_server(server: str, tmp_path: Path) -> None:
    sink = tmp_path / "violations.jsonl"
    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(ROOT), "SPECCHECK_FRAMEWORK": "werkzeug", ENV_FILE: str(sink)}
    with ServerProcess(_argv(server, port), port=port, env=env, cwd=str(ROOT), ready_timeout=30) as proc:
        assert proc.start(), f"{server} did not start"
        found = control(proc.base_url)
    assert [(v["code"], v["side"]) for v in found] == [("W509", "app")]
    assert [json.loads(line)["code"] for line in sink.read_text().splitlines()] == ["W509"]


@pytest.mark.servers
def test_concurrent_requests_under_waitress(tmp_path: Path) -> None:
    """Responses in flight in other threads are never blamed for a missing close()."""
    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(ROOT), "SPECCHECK_FRAMEWORK": "bottle", ENV_FILE: str(tmp_path / "v.jsonl")}
    argv = [
        str(BIN / "waitress-serve"),
        "--host=127.0.0.1",
        f"--port={port}",
        "--threads=4",
        "fixtures.wsgi.served:app",
    ]
    with ServerProcess(argv, port=port, env=env, cwd=str(ROOT), ready_timeout=30) as proc:
        assert proc.start(), "waitress did not start"
        errors: list[BaseException] = []

        def client() -> None:
            try:
                with httpx.Client(base_url=proc.base_url, timeout=10.0) as http:
                    for _ in range(10):
                        assert http.get("/stream").content == b"".join(CHUNKS)
                        assert http.post("/echo", content=BODY).content == BODY
            except BaseException as exc:  # reported below, in the test's thread
                errors.append(exc)

        threads = [threading.Thread(target=client) for _ in range(6)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
        assert errors == [] and not any(t.is_alive() for t in threads)
        found = httpx.get(proc.base_url + "/__speccheck__", timeout=10.0).json()
    assert found == []
