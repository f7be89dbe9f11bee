"""Generated requests are accepted by a real server and arrive intact: uvicorn (h11
parser) on 127.0.0.1 serving an app that echoes what it received."""

from __future__ import annotations

import base64
import hashlib
import json
import socket
import sys
from collections.abc import Iterator
from pathlib import Path

import h11
import pytest

from speccheck.targets import ServerProcess, free_port
from speccheck.traffic import RequestPlan, sample_requests

pytestmark = pytest.mark.servers
HERE = Path(__file__).resolve().parent


@pytest.fixture(scope="module")
def uvicorn_h11() -> Iterator[ServerProcess]:
    port = free_port()
    argv = [sys.executable, "-m", "uvicorn", "--http", "h11", "--loop", "asyncio", "--lifespan", "off"]
    argv += ["--no-access-log", "--app-dir", str(HERE), "--port", str(port), "traffic_echo_app:app"]
    with ServerProcess(argv, port=port, ready_timeout=20) as server:
        assert server.start(), server.output()
        yield server
        server.stop()


def exchange(server: ServerProcess, plan: RequestPlan) -> h11.Response:
    with socket.create_connection((server.host, server.port), timeout=5) as sock:
        sock.sendall(plan.to_bytes())
        conn = h11.Connection(h11.CLIENT)
        conn.send(
            h11.Request(method="GET", target="/", headers=[("Host", "x")])
        )  # h11 needs a request to expect a response
        conn.send(h11.EndOfMessage())
        for _ in range(100):  # bounded: a response head is a few reads at most
            event = conn.next_event()
            if isinstance(event, h11.Response):
                return event
            if event is h11.NEED_DATA:
                conn.receive_data(sock.recv(65536))
                continue
            raise AssertionError(f"unexpected {event!r}")
    raise AssertionError("no response head")


def test_sampled_requests_reach_the_app_intact(uvicorn_h11: ServerProcess) -> None:
    plans = sample_requests(300, seed=4, http_versions=("1.0", "1.1"))
    for plan in plans:
        response = exchange(uvicorn_h11, plan)
        assert response.status_code == 200, plan
        echo = json.loads(base64.b64decode(dict(response.headers)[b"x-echo"]))
        assert echo["method"] == plan.method
        assert echo["http_version"] == plan.http_version
        assert echo["raw_path"].encode("latin-1") == plan.raw_path
        assert echo["query_string"].encode("latin-1") == plan.query_string
        assert echo["body_sha256"] == hashlib.sha256(plan.body).hexdigest()
        received = [(n.encode("latin-1"), v.encode("latin-1")) for n, v in echo["headers"]]
        generated = [(n, v) for n, v in received if n not in (b"host", b"content-length", b"transfer-encoding")]
        assert generated == [(n.lower(), v) for n, v in plan.headers]
