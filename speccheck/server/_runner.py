"""The server run: start the target with the probe, drive exchanges over real sockets,
compare, stop the target (always), and report crashes and hangs.

``run_server(session, target, ...)`` works on anything shaped like the CLI's
``Session`` (collector, report(), progress(), mark_checked(), info, seed, examples,
deadline), so it is usable as a library function and in tests.
"""

from __future__ import annotations

import contextlib
import json
import os
import random
import shutil
import signal
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, Protocol

import speccheck
from speccheck._catalogue import get_rule
from speccheck._collector import Collector
from speccheck._errors import UsageError
from speccheck._rules import Rule
from speccheck._run import RunInfo
from speccheck._target_rules import RULES as TARGET_RULES
from speccheck._violations import Exchange, Violation
from speccheck.client import WireConnection, WireResponse
from speccheck.server._findings import Finding
from speccheck.server._oracle_request import (
    ASGI_CODES,
    WSGI_CODES,
    check_asgi_request,
    check_wsgi_request,
    wire_headers,
)
from speccheck.server._oracle_response import RESPONSE_CODES, Previous, check_response
from speccheck.server._plans import (
    DIR_ENV,
    ID_HEADER,
    PLAN_HEADER,
    ResponsePlan,
    closed_ids,
    read_observation,
    write_plan,
)
from speccheck.server._reject import CASES, REJECT_CODES, run_case
from speccheck.server._responses import CORRECT, PLANS, choose_plan
from speccheck.server._rules import RULES as SERVER_RULES
from speccheck.server._shrink import shrink
from speccheck.targets import ServerProcess, Target, free_port
from speccheck.traffic import RequestPlan

__all__ = ["DEFAULT_EXAMPLES", "DEFAULT_MAX_TIME", "RunSession", "ServerRun", "run_server"]

DEFAULT_EXAMPLES = 5000
DEFAULT_MAX_TIME = 20.0
_MAX_BATCH = 5_000  # requests drawn per call of the generator (it pays ~0.3 s per call)
_MAX_HANGS = 3
_OBS_WAIT = 1.0
_MAX_CLOSE_TRACKED = 5000
_MAX_SHRINK = 12  # distinct findings whose request is shrunk
_SHRINK_SECONDS = 6.0
_CLOSE_GRACE = 2.0  # close() comes after the response; allow for a loaded machine
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
    # filled by the run: seconds to readiness, seconds and count of generated exchanges
    timings: dict[str, float] = field(default_factory=dict)


class _Runner:
    def __init__(self, session: RunSession, cfg: ServerRun, proc: ServerProcess, probe_dir: str) -> None:
        self.session = session
        self.cfg = cfg
        self.proc = proc
        self.dir = probe_dir
        self.interface = cfg.target.interface
        self.run_id = f"{random.Random(session.seed).getrandbits(32):08x}"
        self.lock = threading.Lock()
        self.next_index = 0
        self.done = 0
        self.hangs = 0
        self.rejected = False
        self.finished = False
        self.samples: dict[tuple[str, str], tuple[RequestPlan, ResponsePlan]] = {}
        self.stalled: set[str] = set()  # wrong plans this server answers by waiting
        self.delivered: dict[str, Callable[[], tuple[Exchange, dict[str, object]]]] = {}
        self.stop = threading.Event()
        self.batches: dict[int, list[RequestPlan]] = {}
        self.sample = _sampler()
        self.planned = session.examples if session.examples is not None else DEFAULT_EXAMPLES
        self.batch_size = max(1, min(self.planned, _MAX_BATCH))
        self.deadline = (
            min(session.deadline, time.monotonic() + DEFAULT_MAX_TIME)
            if session.examples is None
            else (session.deadline)
        )

    # --- bookkeeping ----------------------------------------------------------------------
    def _take(self) -> tuple[int, RequestPlan] | None:
        with self.lock:
            index = self.next_index
            if index >= self.planned or self.stop.is_set() or time.monotonic() > self.deadline:
                return None
            self.next_index += 1
            size = self.batch_size
            batch = index // size
            plans = self.batches.get(batch)
            if plans is None:
                plans = self.sample(size, self.session.seed * 1_000_003 + batch)
                self.batches = {batch: plans}
            return index, _vary(index, plans[index % size])

    def _finish_one(self) -> None:
        with self.lock:
            self.done += 1
            done = self.done
        if done % 100 == 0:
            self.session.progress(done, self.planned, self.cfg.target.name)

    def exchange_for(self, req: RequestPlan, raw: bytes) -> Exchange:
        return Exchange(
            interface=self.interface,
            scope_type="http",
            method=req.method,
            target=req.target.decode("latin-1"),
            http_version=req.http_version,
            headers=tuple((n.decode("latin-1"), v.decode("latin-1")) for n, v in wire_headers(req)),
            body_size=len(req.body),
            body_preview=req.body[:64],
            replay=_replay(raw, self.cfg.host, self.proc.port),
            base_url=self.proc.base_url,
        )

    def report(self, finding: Finding, exchange: Exchange | None, extra: dict[str, object]) -> None:
        violation = Violation(
            rule=_rule(finding.code),
            message=finding.message,
            observed=finding.observed,
            expected=finding.expected,
            exchange=exchange,
            signature=finding.signature or finding.message,
            extra=dict(extra),  # one exchange may give several findings: each owns its extra
        )
        self.session.report(violation)

    def report_lint(self, obs: dict[str, Any], exchange: Exchange) -> None:
        for item in obs.get("lint") or ():
            try:
                violation = Violation.from_dict(item)
            except (UsageError, KeyError, ValueError, TypeError):
                continue
            if violation.exchange is None:
                violation.exchange = exchange
            self.session.report(violation)

    def observe(self, ident: str, from_probe: bool) -> dict[str, Any] | None:
        obs = read_observation(self.dir, ident)
        if obs is not None or not from_probe:
            return obs
        end = time.monotonic() + _OBS_WAIT
        while time.monotonic() < end:
            time.sleep(0.0005)
            obs = read_observation(self.dir, ident)
            if obs is not None:
                return obs
        return None

    # --- exchanges ---------------------------------------------------------------------------
    def worker(self) -> None:
        conn = WireConnection(self.cfg.host, self.proc.port, timeout=self.cfg.exchange_timeout)
        prev: Previous | None = None
        try:
            while not self.stop.is_set():
                item = self._take()
                if item is None:
                    break
                index, req = item
                plan = choose_plan(random.Random(self.session.seed * 7919 + index))
                if plan.name in self.stalled:
                    plan = CORRECT[index % len(CORRECT)]
                prev = self.one(conn, index, req, plan, prev)
                self._finish_one()
        finally:
            conn.close()

    def exchange(
        self, conn: WireConnection, ident: str, req: RequestPlan, plan: ResponsePlan, prev: Previous | None
    ) -> tuple[RequestPlan, bytes, WireResponse, dict[str, Any] | None, list[Finding]]:
        """Send one request with its response plan and judge it; nothing is reported."""
        req = _with_ids(req, ident, plan.name)
        raw = req.to_bytes()
        head = req.method == "HEAD"
        close = req.http_version == "1.0"
        risky = head or bool(plan.wrong) or plan.status in (204, 304)
        timeout = self.cfg.exchange_timeout if not plan.wrong else min(1.0, self.cfg.exchange_timeout)
        resp = conn.request(raw, head=head, close=close, drain=risky, timeout=timeout)
        from_probe = resp.outcome == "ok" and resp.header_values(ID_HEADER.encode()) == [ident.encode()]
        obs = self.observe(ident, from_probe)
        findings: list[Finding] = []
        if obs is not None:
            findings += check_wsgi_request(req, obs) if self.interface == "wsgi" else check_asgi_request(req, obs)
        if obs is not None and obs.get("lifespan") == "starting":
            # ASGI lifespan: "A server must wait for this message [lifespan.startup.complete]
            # before it starts processing connections."
            findings.append(
                Finding(
                    "S501",
                    "a request reached the app while its lifespan startup was still running",
                    "request during startup",
                    "requests only after lifespan.startup.complete",
                    signature="S501",
                )
            )
        findings += check_response(req, ident, plan, resp, obs, prev)
        findings += self.target_findings(resp, plan)
        return req, raw, resp, obs, findings

    def one(
        self, conn: WireConnection, index: int, original: RequestPlan, plan: ResponsePlan, prev: Previous | None
    ) -> Previous:
        ident = f"{self.run_id}x{index}"
        if conn.sock is None:
            prev = None
        req, raw, resp, obs, findings = self.exchange(conn, ident, original, plan, prev)
        # The Exchange (with its replay line) is built only when something is reported.
        made: list[tuple[Exchange, dict[str, object]]] = []

        def details() -> tuple[Exchange, dict[str, object]]:
            if not made:
                extra: dict[str, object] = {
                    "exchange_id": ident,
                    "response_plan": plan.name,
                    "request": raw[:4096].decode("latin-1"),
                    "response": resp.raw[:4096].decode("latin-1"),
                }
                made.append((self.exchange_for(req, raw), extra))
            return made[0]

        returned = obs is not None and not obs.get("errors")  # the app returned its iterable
        if returned and self.interface == "wsgi" and len(self.delivered) < _MAX_CLOSE_TRACKED:
            with self.lock:
                self.delivered[ident] = details
        if obs is not None and obs.get("lint"):
            self.report_lint(obs, details()[0])
        for finding in findings:
            if finding.previous and prev is not None and prev.exchange is not None:
                before, before_extra = prev.exchange()
                self.report(finding, before, {**before_extra, "next_response": resp.raw[:4096].decode("latin-1")})
            else:
                self.report(finding, *details())
                key = (finding.code, finding.signature or finding.message)
                if key not in self.samples and len(self.samples) < _MAX_SHRINK and finding.code[1] in "12":
                    with self.lock:
                        self.samples.setdefault(key, (original, plan))
        return Previous(ident, head=req.method == "HEAD", status=resp.status, plan=plan, exchange=details)

    def shrink_findings(self) -> None:
        """Replay each distinct request-dependent finding with smaller requests; the
        smallest that still shows it becomes the finding's exchange."""
        if not self.samples or self.stop.is_set():
            return
        deadline = time.monotonic() + _SHRINK_SECONDS
        records = {v.key: v for v in self.session.collector.violations()}
        counter = 0
        for key, (original, plan) in list(self.samples.items()):
            record = records.get(key)
            if record is None or time.monotonic() > deadline or self.stop.is_set():
                continue

            def still(candidate: RequestPlan, plan: ResponsePlan = plan, key: tuple[str, str] = key) -> bool:
                nonlocal counter
                counter += 1
                conn = WireConnection(self.cfg.host, self.proc.port, timeout=self.cfg.exchange_timeout)
                try:
                    *_, findings = self.exchange(conn, f"{self.run_id}s{counter}", candidate, plan, None)
                finally:
                    conn.close()
                return any((f.code, f.signature or f.message) == key for f in findings)

            smaller = shrink(original, still, deadline=deadline)
            if smaller != original:
                req = _with_ids(smaller, f"{self.run_id}min", plan.name)
                raw = req.to_bytes()
                record.extra = {
                    **record.extra,
                    "original_request": record.extra.get("request", ""),
                    "request": raw[:4096].decode("latin-1"),
                    "shrunk": True,
                }
                record.exchange = self.exchange_for(req, raw)

    def target_findings(self, resp: WireResponse, plan: ResponsePlan) -> list[Finding]:
        if resp.outcome in ("ok", "invalid") or resp.raw:
            return []  # a response, even a cut-short one, is judged by the response oracles
        # A dying server resets connections a moment before its exit is visible: give it that moment.
        if not self.proc.alive() or self.proc.wait(0.3) is not None:
            self.stop.set()
            return []  # reported once, as T002, by the run
        if plan.wrong or plan.raise_after is not None:
            if resp.outcome == "timeout":
                self.stalled.add(plan.name)  # waiting for bytes the app never sent: don't pay that again
            return []  # the app misbehaved on purpose: closing or giving up is the server's right
        if resp.outcome == "timeout":
            with self.lock:
                self.hangs += 1
                if self.hangs >= _MAX_HANGS:
                    self.stop.set()
            return [
                Finding(
                    "T003",
                    f"no complete response to a valid request within {self.cfg.exchange_timeout:g} s",
                    resp.error,
                    "a complete response",
                    signature="hung",
                )
            ]
        return [
            Finding(
                "T004",
                f"the server {resp.outcome} the connection instead of answering a valid request",
                resp.error,
                "a complete response",
                signature=resp.outcome,
            )
        ]

    def reject_one(self, number: int) -> None:
        case = CASES[number]
        ident = f"{self.run_id}r{number}"
        conn = WireConnection(self.cfg.host, self.proc.port, timeout=self.cfg.exchange_timeout)
        findings, resp = run_case(case, conn, ident, min(1.5, self.cfg.exchange_timeout), self.observe)
        raw = case.raw(ident)
        exchange = Exchange(
            interface=self.interface,
            method=raw.split(b" ", 1)[0].decode("latin-1"),
            target="/reject",
            replay=_replay(raw, self.cfg.host, self.proc.port),
            base_url=self.proc.base_url,
        )
        extra: dict[str, object] = {
            "exchange_id": ident,
            "case": case.name,
            "request": raw.decode("latin-1"),
            "response": resp.raw[:4096].decode("latin-1"),
        }
        for finding in findings:
            self.report(finding, exchange, extra)

    def check_closed(self) -> None:
        """PEP 3333: "If the iterable returned by the application has a close() method,
        the server or gateway must call that method upon completion of the current
        request" -- the probe's iterable marks each close() in the probe directory."""
        if not self.delivered or self.stop.is_set() or not self.proc.alive():
            return
        deadline = time.monotonic() + _CLOSE_GRACE
        missing = sorted(set(self.delivered) - closed_ids(self.dir))
        while missing and time.monotonic() < deadline:
            time.sleep(0.05)
            missing = sorted(set(self.delivered) - closed_ids(self.dir))
        if missing:
            exchange, extra = self.delivered[missing[0]]()
            finding = Finding(
                "S303",
                f"close() was never called on the response iterable of {len(missing)} of {len(self.delivered)} requests",
                f"{len(missing)} without close()",
                "close() after every response",
                signature="S303",
            )
            self.report(finding, exchange, extra)
        self.session.mark_checked({"S303"})

    def _parallel(self, target: Callable[[int], None], count: int, timeout: float) -> None:
        threads = [threading.Thread(target=target, args=(i,), name=f"speccheck-{i}", daemon=True) for i in range(count)]
        for thread in threads:
            thread.start()
        try:
            for thread in threads:
                while thread.is_alive():
                    thread.join(0.2)
        except BaseException:
            self.stop.set()  # Ctrl-C: every worker stops after its current exchange
            raise
        finally:
            for thread in threads:
                thread.join(timeout)

    def run(self) -> None:
        """The generated exchanges on parallel connections, then the malformed requests
        (each on its own connection, all at once: a server that waits for more bytes costs
        one short timeout, not one per case). A crashed or hung target skips the latter."""
        try:
            started = time.monotonic()
            self._parallel(lambda _: self.worker(), max(1, self.cfg.connections), self.cfg.exchange_timeout + 1.0)
            self.cfg.timings["exchanges_seconds"] = time.monotonic() - started
            self.cfg.timings["exchanges"] = self.done
            self.check_closed()
            self.shrink_findings()
            self.finished = not self.stop.is_set()
            if self.cfg.rejects and not self.stop.is_set() and self.proc.alive():
                self._parallel(self.reject_one, len(CASES), self.cfg.exchange_timeout + 1.0)
                self.rejected = True
        finally:
            self.stop.set()
        self.session.progress(self.done, self.planned, self.cfg.target.name)


def _vary(index: int, req: RequestPlan) -> RequestPlan:
    """Make sure HEAD and HTTP/1.0 show up often enough whatever the generator's mix:
    every 10th request becomes a HEAD, every 25th an HTTP/1.0 request."""
    from dataclasses import replace

    if index % 10 == 3:
        return replace(req, method="HEAD", body=b"", framing="content-length", chunks=())
    if index % 25 == 7:
        framing = "content-length" if req.framing == "chunked" else req.framing
        return replace(req, http_version="1.0", framing=framing, chunks=())
    return req


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


def _codes(interface: str, rejects: bool) -> set[str]:
    codes = set(RESPONSE_CODES) | {"T001", "T002", "T003", "T004"}
    codes |= WSGI_CODES if interface == "wsgi" else ASGI_CODES | {"S501"}
    if rejects:
        codes |= REJECT_CODES
    return codes


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


def run_server(session: RunSession, cfg: ServerRun) -> None:
    """Check one target. Findings go to ``session.report``; the target is always stopped."""
    with _sigterm_interrupts():
        _run_server(session, cfg)


def _run_server(session: RunSession, cfg: ServerRun) -> None:
    target = cfg.target
    target.ensure_installed()
    info = session.info
    info.interface = target.interface
    info.target_version = info.target_version or target.version()
    probe_dir = _probe_tmpdir()
    try:
        for plan in PLANS:
            write_plan(probe_dir, plan)
        port = free_port(cfg.host)
        argv = target.argv(cfg.host, port)
        with ServerProcess(
            argv, host=cfg.host, port=port, env=_server_env(probe_dir), ready_timeout=cfg.startup_timeout
        ) as proc:
            exchange = Exchange(
                interface=target.interface, scope_type="http", base_url=proc.base_url, replay=" ".join(argv)
            )
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
            runner = _Runner(session, cfg, proc, probe_dir)
            try:
                runner.run()
            finally:
                runner.stop.set()
                session.mark_checked(_codes(target.interface, runner.rejected))
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
        if target.interface == "asgi" and runner.finished and proc.returncode != -signal.SIGKILL:
            _check_lifespan_shutdown(session, probe_dir, target.name)
    finally:
        shutil.rmtree(probe_dir, ignore_errors=True)


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


def quick_codes(interface: str) -> Iterable[str]:
    return sorted(_codes(interface, True))
