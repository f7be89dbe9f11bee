"""The exchanges of one run: parallel connections sending generated requests with
their response plans, the malformed-request cases, close() tracking, and shrinking
each finding's request. Findings go to the session; the target is the caller's."""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable
from typing import Any

from speccheck._errors import UsageError
from speccheck._violations import Exchange, Violation
from speccheck.client import WireConnection, WireResponse
from speccheck.server._absolute import refused_absolute
from speccheck.server._findings import Finding
from speccheck.server._oracle_request import (
    check_asgi_request,
    check_wsgi_request,
    wire_headers,
)
from speccheck.server._oracle_response import Previous, check_response
from speccheck.server._plans import (
    ID_HEADER,
    ResponsePlan,
    await_observation,
    closed_ids,
    read_observation,
)
from speccheck.server._reactions import run_reactions
from speccheck.server._reject import CASES, RejectCase, request_line_target, request_line_version, run_case
from speccheck.server._reject_generated import generated_cases
from speccheck.server._responses import CORRECT, choose_plan
from speccheck.server._shrink import shrink
from speccheck.server._support import (
    RunSession,
    ServerRun,
    _mounted,
    _replay,
    _rule,
    _sampler,
    _vary,
    _with_ids,
)
from speccheck.targets import ServerProcess
from speccheck.traffic import RequestPlan

__all__ = ["Exchanges"]

DEFAULT_EXAMPLES = 5000
DEFAULT_MAX_TIME = 20.0
_MAX_BATCH = 5_000  # requests drawn per call of the generator (it pays ~0.3 s per call)
_MAX_HANGS = 3
_OBS_WAIT = 1.0
_MAX_CLOSE_TRACKED = 5000
_MAX_SHRINK = 12  # distinct findings whose request is shrunk
_SHRINK_SECONDS = 6.0
_CLOSE_GRACE = 2.0  # close() comes after the response; allow for a loaded machine


class Exchanges:
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
        self.cases: tuple[RejectCase, ...] = CASES
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

    def prepare(self) -> None:
        """Draw the first batch of requests now (generation costs a few tenths of a second)."""
        with self.lock:
            if 0 not in self.batches and self.planned > 0:
                self.batches = {0: self.sample(self.batch_size, self.session.seed * 1_000_003)}

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
            return index, _mounted(_vary(index, plans[index % size]), self.cfg.root_path)

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
            # The lint inside the server rebuilt the request from the environ/scope; the
            # bytes we sent (and their replay line) are the better reproduction.
            violation.exchange = exchange
            self.session.report(violation)

    def observe(self, ident: str, from_probe: bool) -> dict[str, Any] | None:
        return await_observation(self.dir, ident, from_probe, _OBS_WAIT)

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
            check = check_wsgi_request if self.interface == "wsgi" else check_asgi_request
            findings += check(req, obs, root=self.cfg.root_path)
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
        findings += check_response(req, ident, plan, resp, obs, prev, self.interface)
        if req.absolute and obs is None:  # refused? (RFC 9112 3.2.2: absolute-form must be accepted)
            findings += refused_absolute(
                req, resp, from_probe, ident, self.cfg.host, self.proc.port, self.cfg.exchange_timeout, self.observe
            )
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

        # The app returned its iterable and means to complete it (S303; after a raise: S306).
        returned = obs is not None and not obs.get("errors") and plan.raise_after is None
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
        if not self.proc.alive():
            self.stop.set()
            return []  # reported once, as T002, by the run
        if plan.wrong or plan.raise_after is not None:
            if resp.outcome == "timeout":
                self.stalled.add(plan.name)  # waiting for bytes the app never sent: don't pay that again
            return []  # the app misbehaved on purpose: closing or giving up is the server's right
        # A dying server resets connections a moment before its exit is visible: give it that
        # moment (only here, on a valid exchange that got no response: rare on a live server).
        if resp.outcome != "timeout" and self.proc.wait(0.3) is not None:
            self.stop.set()
            return []
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
        case = self.cases[number]
        ident = f"{self.run_id}r{number}"
        conn = WireConnection(self.cfg.host, self.proc.port, timeout=self.cfg.exchange_timeout)
        findings, resp = run_case(case, conn, ident, min(1.5, self.cfg.exchange_timeout), self.observe)
        raw = case.raw(ident)
        exchange = Exchange(
            interface=self.interface,
            method=raw.split(b" ", 1)[0].decode("latin-1"),
            target=request_line_target(raw),
            http_version=request_line_version(raw),
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
        # The observation was read when the response started; an app whose write() failed
        # afterwards (the client had gone) raised instead of returning an iterable, and its
        # probe re-published with the error: no close() is owed for those.
        missing = [ident for ident in missing if not ((read_observation(self.dir, ident) or {}).get("errors"))]
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
            if self.session.examples is None:  # the time budget counts from the first exchange
                self.deadline = min(self.session.deadline, started + DEFAULT_MAX_TIME)
            self._parallel(lambda _: self.worker(), max(1, self.cfg.connections), self.cfg.exchange_timeout + 1.0)
            self.cfg.timings["exchanges_seconds"] = time.monotonic() - started
            self.cfg.timings["exchanges"] = self.done
            self.check_closed()
            if not self.stop.is_set() and self.proc.alive() and not self.cfg.root_path:
                run_reactions(self)
            self.shrink_findings()
            self.finished = not self.stop.is_set()
            if self.cfg.rejects and not self.cfg.root_path and not self.stop.is_set() and self.proc.alive():
                # The fixed table (each kind once, simplest form), then generated variants.
                self.cases = CASES + generated_cases(self.session.seed, self.interface)
                self._parallel(self.reject_one, len(self.cases), self.cfg.exchange_timeout + 1.0)
                self.rejected = True
        finally:
            self.stop.set()
        self.session.progress(self.done, self.planned, self.cfg.target.name)
