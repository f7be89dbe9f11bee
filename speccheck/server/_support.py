"""What the server run is made of: its knobs (`ServerRun`), what it reports into
(`RunSession`), and small helpers: request ids and variety, the probe directory and the
server environment, SIGTERM handling."""

from __future__ import annotations

import contextlib
import os
import signal
import tempfile
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Protocol

import speccheck
from speccheck._catalogue import get_rule
from speccheck._collector import Collector
from speccheck._rules import Rule
from speccheck._run import RunInfo
from speccheck._target_rules import RULES as TARGET_RULES
from speccheck._violations import Violation
from speccheck.server._plans import (
    DIR_ENV,
    ID_HEADER,
    PLAN_HEADER,
)
from speccheck.server._rules import RULES as SERVER_RULES
from speccheck.targets import Target
from speccheck.traffic import RequestPlan

__all__ = ["RunSession", "ServerRun"]

_LOCAL_RULES: dict[str, Rule] = {r.code: r for r in (*SERVER_RULES, *TARGET_RULES)}


class RunSession(Protocol):
    info: RunInfo
    collector: Collector
    seed: int
    examples: int | None

    @property
    def deadline(self) -> float: ...

    def report(self, violation: Violation) -> None: ...

    def progress(self, done: int, planned: int | None = None, label: str = "") -> None: ...

    def mark_checked(self, codes: frozenset[str] | set[str] | list[str]) -> None: ...


def _rule(code: str) -> Rule:
    rule = _LOCAL_RULES.get(code)
    return rule if rule is not None else get_rule(code)


def _sampler() -> Callable[[int, int], list[RequestPlan]]:
    """``speccheck.traffic.sample_requests`` (hypothesis-seeded, fast), or our own small
    generator where the traffic package does not offer it."""
    try:
        from speccheck.traffic import sample_requests

        return sample_requests
    except ImportError:
        from speccheck.server._sample import sample_requests as fallback

        return fallback


@dataclass
class ServerRun:
    """Knobs of one run against one target."""

    target: Target
    host: str = "127.0.0.1"
    startup_timeout: float = 20.0
    exchange_timeout: float = 5.0
    connections: int = 4
    rejects: bool = True
    root_path: str = ""  # mount the app at this prefix; every generated request goes under it
    # filled by the run: seconds to readiness, seconds and count of generated exchanges
    timings: dict[str, float] = field(default_factory=dict)


def _vary(index: int, req: RequestPlan) -> RequestPlan:
    """Make sure HEAD, HTTP/1.0 and absolute-form show up often enough whatever the
    generator's mix: every 10th request becomes a HEAD, every 25th an HTTP/1.0 request,
    every 20th is sent in absolute-form."""
    from dataclasses import replace

    if index % 10 == 3:
        return replace(req, method="HEAD", body=b"", framing="content-length", chunks=())
    if index % 25 == 7:
        framing = "content-length" if req.framing == "chunked" else req.framing
        return replace(req, http_version="1.0", framing=framing, chunks=())
    if index % 20 == 11 and req.host is not None:
        return replace(req, absolute=True)  # RFC 9112 3.2.2: "A server MUST accept the absolute-form"
    return req


def _mounted(req: RequestPlan, root: str) -> RequestPlan:
    """The request aimed under the mount prefix ``root`` (ASCII path, no trailing '/')."""
    from dataclasses import replace

    return replace(req, target=root.encode("ascii") + req.target) if root else req


def _with_ids(req: RequestPlan, ident: str, plan: str) -> RequestPlan:
    from dataclasses import replace

    ids = ((ID_HEADER.encode(), ident.encode()), (PLAN_HEADER.encode(), plan.encode()))
    return replace(req, headers=(*req.headers, *ids))


def _replay(raw: bytes, host: str, port: int) -> str:
    return (
        f"python -c \"import socket; s = socket.create_connection(('{host}', {port})); "
        f's.sendall({raw!r}); print(s.recv(65536))"'
    )


def _probe_tmpdir() -> str:
    base = "/dev/shm" if os.path.isdir("/dev/shm") and os.access("/dev/shm", os.W_OK) else None
    return tempfile.mkdtemp(prefix="speccheck-probe-", dir=base)


def _server_env(probe_dir: str) -> dict[str, str]:
    env = dict(os.environ)
    env[DIR_ENV] = probe_dir
    root = os.path.dirname(os.path.dirname(os.path.abspath(speccheck.__file__)))
    env["PYTHONPATH"] = os.pathsep.join(p for p in (root, env.get("PYTHONPATH", "")) if p)
    env.setdefault("PYTHONUNBUFFERED", "1")
    return env


def _raise_interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


@contextlib.contextmanager
def _sigterm_interrupts() -> Iterator[None]:
    """SIGTERM (a CI timeout, ``kill``) unwinds like Ctrl-C, so the target is stopped and
    a partial report written instead of a server left running in its own session."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGTERM, _raise_interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)
