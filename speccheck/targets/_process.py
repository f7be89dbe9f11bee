"""Starting and stopping a server process: free port, bounded readiness wait,
captured output, and the whole process group stopped on the way out."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Mapping, Sequence
from types import TracebackType

__all__ = ["ServerProcess", "free_port", "wait_for_port"]


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port nothing listens on right now (the OS picks it)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        port: int = sock.getsockname()[1]
        return port


def wait_for_port(host: str, port: int, timeout: float, alive: object = None) -> bool:
    """True once something accepts TCP connections on host:port, False after ``timeout``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if callable(alive) and not alive():
            return False
        try:
            with socket.create_connection((host, port), timeout=0.5):
                return True
        except OSError:
            time.sleep(0.05)
    return False


class ServerProcess:
    """A server command run in its own process group, output captured to a file.

    Use as a context manager; `stop()` sends SIGTERM to the group, waits up to
    ``stop_timeout`` and then SIGKILLs it, so nothing is left running.
    """

    def __init__(
        self,
        argv: Sequence[str],
        *,
        host: str = "127.0.0.1",
        port: int,
        env: Mapping[str, str] | None = None,
        cwd: str | None = None,
        ready_timeout: float = 20.0,
        stop_timeout: float = 5.0,
    ) -> None:
        self.argv = list(argv)
        self.host = host
        self.port = port
        self.env = dict(os.environ if env is None else env)
        self.cwd = cwd
        self.ready_timeout = ready_timeout
        self.stop_timeout = stop_timeout
        self.proc: subprocess.Popen[bytes] | None = None
        self._log = tempfile.TemporaryFile()
        self.returncode: int | None = None
        self.killed = False  # stop() had to SIGKILL: SIGTERM did not end it within stop_timeout
        self.stop_seconds: float | None = None  # how long the SIGTERM took to end it

    @property
    def base_url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    def start(self) -> bool:
        """Start the server; True once it accepts connections within ``ready_timeout``."""
        self.proc = subprocess.Popen(
            self.argv,
            stdin=subprocess.DEVNULL,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            env=self.env,
            cwd=self.cwd,
            start_new_session=True,
        )
        return wait_for_port(self.host, self.port, self.ready_timeout, alive=self.alive)

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def signal(self, sig: int) -> None:
        if self.proc is not None:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(self.proc.pid, sig)

    def wait(self, timeout: float) -> int | None:
        if self.proc is None:
            return None
        try:
            self.returncode = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            return None
        return self.returncode

    def stop(self) -> int | None:
        """Stop the whole process group; returns the exit status (None if never started)."""
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            begun = time.monotonic()
            self.signal(signal.SIGTERM)
            if self.wait(self.stop_timeout) is None:
                self.killed = True
                self.signal(signal.SIGKILL)
                self.wait(self.stop_timeout)
            else:
                self.stop_seconds = time.monotonic() - begun
        # Children that outlived the leader still belong to its group.
        self.signal(signal.SIGKILL)
        self.returncode = self.proc.returncode
        return self.returncode

    def output(self, limit: int = 20_000) -> str:
        """The last ``limit`` characters the server printed."""
        self._log.flush()
        size = self._log.seek(0, os.SEEK_END)
        self._log.seek(max(0, size - limit))
        return self._log.read().decode("utf-8", "replace")

    def __enter__(self) -> ServerProcess:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()
        self._log.close()
