"""The launcher: readiness within a bound, and the whole process group stopped."""

from __future__ import annotations

import os
import sys
import textwrap
import time

from speccheck.targets import ServerProcess, free_port

# A real (tiny) TCP server that also starts a child process which would outlive a naive kill.
SERVER = textwrap.dedent(
    """
    import socket, subprocess, sys, time
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
    print("child", child.pid, flush=True)
    s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen()
    while True:
        conn, _ = s.accept(); conn.close()
    """
)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie still answers kill(0): look at its state.
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().split()[2] != "Z"
    except FileNotFoundError:
        return False


def test_ready_then_whole_group_stopped() -> None:
    port = free_port()
    with ServerProcess([sys.executable, "-c", SERVER, str(port)], port=port, ready_timeout=20) as server:
        assert server.start()
        deadline = time.monotonic() + 10
        while "child" not in server.output() and time.monotonic() < deadline:
            time.sleep(0.05)
        child = int(server.output().split()[1])
        assert _alive(child)
        server.stop()
    deadline = time.monotonic() + 10
    while _alive(child) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _alive(child)


def test_a_server_that_exits_is_not_ready_fast() -> None:
    port = free_port()
    started = time.monotonic()
    with ServerProcess([sys.executable, "-c", "import sys; print('boom'); sys.exit(3)"], port=port) as server:
        assert not server.start()
        assert time.monotonic() - started < 10
        assert server.stop() == 3
        assert "boom" in server.output()


def test_a_server_that_never_listens_times_out() -> None:
    port = free_port()
    with ServerProcess([sys.executable, "-c", "import time; time.sleep(60)"], port=port, ready_timeout=1) as server:
        started = time.monotonic()
        assert not server.start()
        assert 0.9 < time.monotonic() - started < 5
