"""The lifespan phase of an ASGI server run: three short server starts of their own, each with
the probe told (``SPECCHECK_PROBE_LIFESPAN``) to store state, fail startup, or raise.

- ``state``: the app stores a key in the lifespan scope's ``state``; a request must see it (S604).
- ``fail``: the app sends ``lifespan.startup.failed``; the server should print the message and
  exit (S601, S602; a SHOULD each).
- ``raise``: the app raises for the lifespan scope; the server must go on serving (S603). Run in
  the server's default mode: uvicorn's ``--lifespan on`` (our preset) deliberately exits on it,
  so ``--lifespan auto`` replaces it for this start.

Lifespan is optional for a server: where it never sent ``lifespan.startup`` (the probe notes
what it received in ``lsv-<pid>.json``), the rules are not applicable and not marked checked.
Every start is bounded (``_START`` seconds to listen, ``_EXIT`` to exit) and always stopped.
"""

from __future__ import annotations

import http.client
import json
import os
import signal
import time
from typing import Any

from speccheck._violations import Exchange, Violation
from speccheck.server._support import RunSession, ServerRun, _rule, _server_env
from speccheck.targets import ServerProcess, free_port

__all__ = ["run_lifespan"]

_START = 8.0
_EXIT = 4.0
ENV = "SPECCHECK_PROBE_LIFESPAN"  # = asgi_checks._probe_ws.LIFESPAN_ENV (not imported: server side)
STATE_KEY, STATE_VALUE = "speccheck", "state-from-lifespan"
FAIL_MESSAGE = "speccheck probe: planned startup failure"


def _argv(cfg: ServerRun, port: int, default_mode: bool) -> list[str]:
    argv = cfg.target.argv(cfg.host, port)
    if default_mode:
        for index in range(len(argv) - 1):
            if argv[index] == "--lifespan" and argv[index + 1] == "on":
                argv[index + 1] = "auto"
    return argv


def _events(probe_dir: str) -> list[str]:
    """Every lifespan event the variant probe received, over all server processes."""
    out: list[str] = []
    for entry in sorted(os.listdir(probe_dir)):
        if entry.startswith("lsv-"):
            try:
                with open(os.path.join(probe_dir, entry), encoding="utf-8") as f:
                    out += list(json.load(f).get("events", []))
            except (OSError, ValueError):
                continue
    return out


def _get(host: str, port: int) -> tuple[int, dict[str, Any]]:
    conn = http.client.HTTPConnection(host, port, timeout=3.0)
    try:
        conn.request("GET", "/speccheck-lifespan")
        resp = conn.getresponse()
        body = resp.read()
        try:
            data = json.loads(body)
        except ValueError:
            data = {}
        return resp.status, data if isinstance(data, dict) else {}
    except OSError:
        return 0, {}
    finally:
        conn.close()


def _start(cfg: ServerRun, variant: str, probe_dir: str, default_mode: bool = False) -> ServerProcess:
    env = _server_env(probe_dir)
    env[ENV] = variant
    port = free_port(cfg.host)
    return ServerProcess(
        _argv(cfg, port, default_mode),
        host=cfg.host,
        port=port,
        env=env,
        ready_timeout=min(_START, cfg.startup_timeout),
        stop_timeout=3.0,
    )


def _report(session: RunSession, code: str, message: str, observed: str, expected: str, argv: list[str]) -> None:
    exchange = Exchange(interface="asgi", scope_type="lifespan", replay=" ".join(argv))
    session.report(
        Violation(_rule(code), message, observed=observed, expected=expected, exchange=exchange, signature=code)
    )


def _state(session: RunSession, cfg: ServerRun, probe_dir: str) -> None:
    with _start(cfg, "state", probe_dir) as proc:
        if not proc.start():
            return
        status, seen = _get(cfg.host, proc.port)
        proc.signal(signal.SIGINT)  # Ctrl-C: the main run stops its target with SIGTERM
        exited = proc.wait(_EXIT) is not None
    _shutdown_on_sigint(session, probe_dir, exited, proc.argv)
    if status != 200 or not seen.get("lifespan_state"):
        return  # no state in the lifespan scope: the server does not offer the feature
    session.mark_checked({"S604"})
    state = seen.get("state")
    if not isinstance(state, dict) or state.get(STATE_KEY) != STATE_VALUE:
        _report(
            session,
            "S604",
            "the state the app stored during lifespan startup is missing from a request's scope",
            f"request scope state: {state!r}"[:200],
            f"a copy holding {STATE_KEY!r}: {STATE_VALUE!r}",
            proc.argv,
        )


def _shutdown_on_sigint(session: RunSession, probe_dir: str, exited: bool, argv: list[str]) -> None:
    """S502 on SIGINT: where the server sent lifespan.shutdown, "A server must wait for this
    message [lifespan.shutdown.complete] before terminating." (The probe takes 0.2 s.)"""
    events = _events(probe_dir)
    if not exited or "lifespan.shutdown" not in events:
        return  # sending shutdown at all is not required; a server still running is stopped for us
    session.mark_checked({"S502"})
    if "shutdown-complete-sending" not in events:
        _report(
            session,
            "S502",
            "on SIGINT the server exited while the app was still handling lifespan.shutdown",
            "gone before lifespan.shutdown.complete",
            "the server waits for lifespan.shutdown.complete",
            argv,
        )


def _fail(session: RunSession, cfg: ServerRun, probe_dir: str) -> None:
    with _start(cfg, "fail", probe_dir) as proc:
        listening = proc.start()
        if listening and "lifespan.startup" not in _events(probe_dir):
            time.sleep(0.5)  # a server may send startup just after it starts listening
        if "lifespan.startup" not in _events(probe_dir):
            return  # the server sent no lifespan events: lifespan is optional
        code = proc.wait(_EXIT)
        output = proc.output()
        session.mark_checked({"S601", "S602"})
        if code is None:
            what = "kept serving" if listening else "kept running"
            _report(
                session,
                "S601",
                f"after lifespan.startup.failed the server {what} for {_EXIT:g} s",
                "still running",
                "the server exits",
                proc.argv,
            )
        if FAIL_MESSAGE not in output:
            _report(
                session,
                "S602",
                "the message of lifespan.startup.failed is not in the server's output",
                output[-200:] or "(no output)",
                repr(FAIL_MESSAGE),
                proc.argv,
            )


def _raise(session: RunSession, cfg: ServerRun, probe_dir: str) -> None:
    with _start(cfg, "raise", probe_dir, default_mode=True) as proc:
        listening = proc.start()
        status = _get(cfg.host, proc.port)[0] if listening else 0
        alive = proc.alive()
        session.mark_checked({"S603"})
        if status != 200 or not alive:
            state = "exited" if not alive else f"answered HTTP {status}" if status else "did not answer"
            _report(
                session,
                "S603",
                f"the app raised for the lifespan scope and the server {state}",
                proc.output()[-200:] or state,
                "the server goes on serving without lifespan events",
                proc.argv,
            )


def run_lifespan(session: RunSession, cfg: ServerRun, probe_dir: str) -> None:
    """The three lifespan starts against ``cfg.target`` (ASGI only), within the session deadline."""
    began = time.monotonic()
    try:
        for step in (_state, _fail, _raise):
            if time.monotonic() + _START + _EXIT > session.deadline:
                return
            sub = os.path.join(probe_dir, step.__name__.strip("_"))
            os.makedirs(sub, exist_ok=True)
            step(session, cfg, sub)
    finally:
        cfg.timings["lifespan_seconds"] = time.monotonic() - began
