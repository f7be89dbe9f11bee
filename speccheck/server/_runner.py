"""The server run: start the target with the probe, drive exchanges over real sockets,
compare, stop the target (always), and report crashes and hangs.

``run_server(session, target, ...)`` works on anything shaped like the CLI's
``Session`` (collector, report(), progress(), mark_checked(), info, seed, examples,
deadline), so it is usable as a library function and in tests.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import time

from speccheck._errors import UsageError
from speccheck._violations import Exchange, Violation
from speccheck.server._exchanges import DEFAULT_EXAMPLES, DEFAULT_MAX_TIME, Exchanges
from speccheck.server._oracle_request import (
    ASGI_CODES,
    WSGI_CODES,
)
from speccheck.server._oracle_response import RESPONSE_CODES, WSGI_RESPONSE_CODES
from speccheck.server._plans import (
    write_plan,
)
from speccheck.server._reject import REJECT_CODES
from speccheck.server._responses import PLANS
from speccheck.server._support import (
    RunSession,
    ServerRun,
    _probe_tmpdir,
    _rule,
    _server_env,
    _sigterm_interrupts,
)
from speccheck.targets import PRESETS, ServerProcess, free_port

__all__ = ["DEFAULT_EXAMPLES", "DEFAULT_MAX_TIME", "RunSession", "ServerRun", "run_server"]


def _codes(interface: str, rejects: bool) -> set[str]:
    codes = set(RESPONSE_CODES) | {"T001", "T002", "T003", "T004"}
    codes |= WSGI_CODES | WSGI_RESPONSE_CODES if interface == "wsgi" else ASGI_CODES | {"S501"}
    if rejects:
        codes |= REJECT_CODES
    return codes


def run_server(session: RunSession, cfg: ServerRun) -> None:
    """Check one target. Findings go to ``session.report``; the target is always stopped."""
    with _sigterm_interrupts():
        _run_server(session, cfg)


def _run_server(session: RunSession, cfg: ServerRun) -> None:
    target = cfg.target
    target.ensure_installed()
    if cfg.root_path and not target.mountable:
        raise UsageError(
            f"--root-path: {target.name} has no option to mount the app at a prefix; "
            f"mountable presets: {', '.join(n for n, t in PRESETS.items() if t.mountable)} "
            "(or a --command with a {root} placeholder)"
        )
    info = session.info
    info.interface = target.interface
    info.target_version = info.target_version or target.version()
    probe_dir = _probe_tmpdir()
    try:
        for plan in PLANS:
            write_plan(probe_dir, plan)
        port = free_port(cfg.host)
        argv = target.argv(cfg.host, port, root=cfg.root_path)
        with ServerProcess(
            argv, host=cfg.host, port=port, env=_server_env(probe_dir), ready_timeout=cfg.startup_timeout
        ) as proc:
            exchange = Exchange(
                interface=target.interface, scope_type="http", base_url=proc.base_url, replay=" ".join(argv)
            )
            # The first batch of requests is drawn before the server starts: a server that
            # serves before its lifespan startup completes (S501) gets them at once.
            runner = Exchanges(session, cfg, proc, probe_dir)
            runner.prepare()
            begun = time.monotonic()
            ready = proc.start()
            cfg.timings["startup_seconds"] = time.monotonic() - begun
            if not ready:
                info.target_output = proc.output()
                if proc.proc is not None and not proc.alive():
                    what = f"{target.name} exited with status {proc.proc.returncode} during start-up"
                else:
                    what = f"{target.name} did not accept connections within {cfg.startup_timeout:g} s"
                session.report(
                    Violation(
                        _rule("T001"),
                        what,
                        observed=info.target_output[-300:],
                        expected="a listening server",
                        exchange=exchange,
                        signature=target.name,
                    )
                )
                session.mark_checked({"T001"})
                return
            try:
                runner.run()
                mounted = bool(cfg.root_path)  # a mounted run: the generated exchanges only
                if runner.finished and proc.alive() and not mounted:  # Expect: 100-continue, pipelining
                    from speccheck.server._conn_check import run_connection_cases

                    run_connection_cases(session, cfg, proc, probe_dir)
                if target.interface == "asgi" and proc.alive() and not mounted:  # the WebSocket phase
                    from speccheck.server._ws_check import run_websocket

                    run_websocket(session, cfg, proc, probe_dir)
            finally:
                runner.stop.set()
                session.mark_checked(_codes(target.interface, runner.rejected) | ({"S120"} if cfg.root_path else set()))
                info.exchanges = runner.done
                if not proc.alive():
                    info.target_output = proc.output()
                    session.report(
                        Violation(
                            _rule("T002"),
                            f"{target.name} exited with status {proc.proc.returncode if proc.proc else '?'} during the run",
                            observed=info.target_output[-300:],
                            expected="a running server",
                            exchange=exchange,
                            signature=target.name,
                        )
                    )
                elif runner.hangs:
                    info.target_output = proc.output()
        if runner.finished:
            _check_stop(session, proc, target.name, exchange)
        if target.interface == "asgi" and runner.finished and proc.returncode != -signal.SIGKILL:
            _check_lifespan_shutdown(session, probe_dir, target.name)
        if target.interface == "asgi" and runner.finished and not cfg.root_path:  # the lifespan phase
            from speccheck.server._lifespan_check import run_lifespan

            run_lifespan(session, cfg, probe_dir)
    finally:
        shutil.rmtree(probe_dir, ignore_errors=True)


def _check_stop(session: RunSession, proc: ServerProcess, name: str, exchange: Exchange) -> None:
    """T007: the run is over, no request is in flight and the probe finishes its lifespan
    shutdown at once, so SIGTERM should end the server within ``proc.stop_timeout``."""
    if proc.proc is None:
        return
    session.mark_checked({"T007"})
    if proc.killed:
        session.report(
            Violation(
                _rule("T007"),
                f"{name} did not exit within {proc.stop_timeout:g} s of SIGTERM and was killed",
                observed=f"still running {proc.stop_timeout:g} s after SIGTERM; SIGKILL sent",
                expected="the server exits after SIGTERM",
                exchange=exchange,
                signature=name,
            )
        )


def _check_lifespan_shutdown(session: RunSession, probe_dir: str, name: str) -> None:
    """ASGI lifespan: "A server must wait for this message [lifespan.shutdown.complete]
    before terminating." The probe notes each lifespan event in ``lifespan-<pid>.json``
    and takes a short moment to clean up; a record that ends at ``lifespan.shutdown`` means
    the server exited before the app could answer. (A server that never sends lifespan
    events, or no shutdown, is within its rights: lifespan support is optional.)"""
    cut_short = []
    for entry in os.listdir(probe_dir):
        if not entry.startswith("lifespan-"):
            continue
        try:
            with open(os.path.join(probe_dir, entry), encoding="utf-8") as f:
                events = json.load(f).get("events", [])
        except (OSError, ValueError):
            continue
        if "lifespan.shutdown" in events:
            session.mark_checked({"S502"})
            if "shutdown-complete-sending" not in events:
                cut_short.append(entry)
    if cut_short:
        session.report(
            Violation(
                _rule("S502"),
                f"{name} exited while the app was still handling lifespan.shutdown",
                observed=f"{len(cut_short)} process(es) gone before lifespan.shutdown.complete",
                expected="the server waits for lifespan.shutdown.complete",
                signature="S502",
            )
        )
