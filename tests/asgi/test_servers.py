"""ASGILint as plain middleware inside real servers run as subprocesses (uvicorn,
hypercorn, daphne, granian, gunicorn + uvicorn-worker), hosting each framework site:
the traffic must go through, and every finding must be one that stands."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import httpx
import pytest

from fixtures.asgi.frameworks import BUILDERS, HAS_WEBSOCKET
from speccheck.targets import ServerProcess, free_port
from speccheck.targets._presets import get_target
from tests.asgi.test_frameworks import KNOWN as FRAMEWORK_KNOWN
from tests.asgi.test_frameworks import drive, raw_get

pytestmark = [pytest.mark.servers, pytest.mark.frameworks, pytest.mark.slow]
ROOT = Path(__file__).resolve().parents[2]
SERVERS = ["uvicorn", "hypercorn", "daphne", "granian", "gunicorn-uvicorn"]
# Servers whose lifespan support the test can count on (daphne and granian run it too,
# but do not wait for our process-group SIGTERM in the same way).
LIFESPAN = {"uvicorn", "hypercorn", "gunicorn-uvicorn"}
# App bugs the lint cannot see (an app reading an optional scope key): the websocket part
# is skipped, the rest still runs. The reference driver (speccheck app) is the tool for these.
BROKEN_WEBSOCKET = {
    # quart/asgi.py reads scope["scheme"] unconditionally; daphne leaves it out of websocket
    # scopes, which www.rst allows: 'Optional (but must not be empty); default is "ws"'.
    ("daphne", "quart"): "KeyError: 'scheme'",
}
# Findings that stand: the server really breaks the spec (granian 2.8.7 passes ports as str).
KNOWN: dict[str, dict[str, str]] = {
    "granian": {
        "A211": "www.rst HTTP Connection Scope, client: 'port is the remote port as an integer'",
        "A212": "www.rst HTTP Connection Scope, server: 'port is the integer listening port'",
    },
}


def _complete(out: Path, websocket: bool) -> bool:
    if not out.exists():
        return False
    seen = json.loads(out.read_text())["seen"]
    return bool(seen["http"] >= 5 and (seen["websocket"] or not websocket))


@pytest.mark.parametrize("site", sorted(BUILDERS))
@pytest.mark.parametrize("name", SERVERS)
def test_lint_inside_real_server(name: str, site: str, tmp_path: Path) -> None:
    target = get_target(name)
    if not target.installed:
        pytest.skip(f"{name} is not installed")
    out = tmp_path / "findings.json"
    port = free_port()
    argv = target.argv("127.0.0.1", port, "fixtures.asgi.served:app")
    if site == "django" and "--lifespan" in argv:  # Django raises on lifespan: let uvicorn fall back
        argv[argv.index("--lifespan") + 1] = "auto"
    websocket = site in HAS_WEBSOCKET and (name, site) not in BROKEN_WEBSOCKET
    env = dict(os.environ, PYTHONPATH=str(ROOT), SPECCHECK_ASGI_OUT=str(out), SPECCHECK_ASGI_SITE=site)
    with ServerProcess(argv, port=port, env=env, cwd=str(ROOT), ready_timeout=30, stop_timeout=10) as server:
        assert server.start(), server.output()
        drive(server.base_url, websocket=websocket)
        # Apps end a moment after their response went out: wait (bounded) for the last record.
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and not _complete(out, websocket):
            time.sleep(0.05)
    assert out.exists(), server.output()
    data = json.loads(out.read_text())
    found = {v["code"]: f"{v['code']} {v['message']} ({v['observed']})" for v in data["violations"]}
    assert set(found) == set(KNOWN.get(name, {})) | set(FRAMEWORK_KNOWN.get(site, {})), f"{name}: {found}"
    assert data["seen"]["http"] >= 5
    assert data["seen"]["websocket"] == (1 if websocket else 0)
    if name in LIFESPAN:
        assert data["seen"]["lifespan"] == 1


# Raw bytes in the query (not a valid request target): a server may reject them (400) or
# pass them on; passed on verbatim they are not the "percent-encoded" query_string www.rst
# describes (A215). Observed: granian 2.x passes raw UTF-8, daphne passes a raw DEL.
RAW_QUERIES = (b"/no-such?x=caf\xc3\xa9", b"/no-such?x=a b", b"/no-such?x=a\x7fb")
PASSES_RAW_QUERY = {"granian", "daphne"}


@pytest.mark.parametrize("name", SERVERS)
def test_raw_bytes_in_query_string(name: str, tmp_path: Path) -> None:
    target = get_target(name)
    if not target.installed:
        pytest.skip(f"{name} is not installed")
    out = tmp_path / "findings.json"
    port = free_port()
    argv = target.argv("127.0.0.1", port, "fixtures.asgi.served:app")
    env = dict(os.environ, PYTHONPATH=str(ROOT), SPECCHECK_ASGI_OUT=str(out), SPECCHECK_ASGI_SITE="starlette")
    with ServerProcess(argv, port=port, env=env, cwd=str(ROOT), ready_timeout=30, stop_timeout=10) as server:
        assert server.start(), server.output()
        statuses = [raw_get(server.base_url, query) for query in RAW_QUERIES]
        served = sum(status == 404 for status in statuses)
        deadline = time.monotonic() + 10
        while served and time.monotonic() < deadline:
            if out.exists() and json.loads(out.read_text())["seen"]["http"] >= served:
                break
            time.sleep(0.05)
    assert set(statuses) <= {400, 404}, statuses
    found = {v["code"] for v in json.loads(out.read_text())["violations"]} if out.exists() else set()
    found -= set(KNOWN.get(name, {}))
    assert found == ({"A215"} if name in PASSES_RAW_QUERY else set()), (name, statuses, found)


@pytest.mark.parametrize("name", ["granian", "uvicorn"])
def test_file_responses_are_clean(name: str, tmp_path: Path) -> None:
    """Starlette's FileResponse sends http.response.pathsend where the server advertises it
    (granian) and body chunks elsewhere (uvicorn); either way with Content-Type and
    Content-Length for the file (A610), an absolute path (A605), nothing else to report."""
    from fixtures.asgi.served_files import FILE

    target = get_target(name)
    if not target.installed:
        pytest.skip(f"{name} is not installed")
    out = tmp_path / "findings.json"
    port = free_port()
    argv = target.argv("127.0.0.1", port, "fixtures.asgi.served_files:app")
    env = dict(os.environ, PYTHONPATH=str(ROOT), SPECCHECK_ASGI_OUT=str(out))
    with ServerProcess(argv, port=port, env=env, cwd=str(ROOT), ready_timeout=30, stop_timeout=10) as server:
        assert server.start(), server.output()
        with httpx.Client(base_url=server.base_url, timeout=10) as client:
            for path in ("/file", "/plain"):
                got = client.get(path)
                assert got.status_code == 200
                assert got.content == Path(FILE).read_bytes()
            assert client.head("/file").status_code == 200
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and not (out.exists() and json.loads(out.read_text())["seen"]["http"] >= 3):
            time.sleep(0.05)
    data = json.loads(out.read_text())
    found = [f"{v['code']} {v['message']}" for v in data["violations"] if v["code"] not in KNOWN.get(name, {})]
    assert found == []
    assert data["seen"]["http"] >= 3
    assert ("http.response.pathsend" in data["sent"]) == (name == "granian")
