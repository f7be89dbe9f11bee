"""What the connection cases share: the live target, observations from the probe,
request bytes with their ids, and turning findings into reported violations."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any

from speccheck._violations import Exchange, Violation
from speccheck.client import WireConnection
from speccheck.server._findings import Finding
from speccheck.server._plans import ID_HEADER, await_observation
from speccheck.server._support import RunSession, ServerRun, _replay, _rule, _with_ids
from speccheck.targets import ServerProcess
from speccheck.traffic import RequestPlan

__all__ = ["CaseResult", "ConnContext"]

_OBS_WAIT = 1.0


@dataclass
class CaseResult:
    """What one connection case found, and the codes it could actually judge."""

    findings: list[tuple[Finding, Exchange, dict[str, object]]] = field(default_factory=list)
    checked: set[str] = field(default_factory=set)
    notes: dict[str, object] = field(default_factory=dict)  # legal choices seen (100 at once, waited, ...)


@dataclass
class ConnContext:
    session: RunSession
    cfg: ServerRun
    proc: ServerProcess
    probe_dir: str
    run_id: str
    lock: threading.Lock = field(default_factory=threading.Lock)
    asked: int = 0

    @property
    def interface(self) -> str:
        return self.cfg.target.interface

    @property
    def timeout(self) -> float:
        """The bound on one response (a healthy server answers in milliseconds)."""
        return min(self.cfg.exchange_timeout, 5.0)

    def ident(self, name: str) -> str:
        return f"{self.run_id}{name}"

    def request(self, req: RequestPlan, ident: str, plan: str) -> tuple[RequestPlan, bytes]:
        req = _with_ids(req, ident, plan)
        return req, req.to_bytes()

    def observe(self, ident: str, from_probe: bool) -> dict[str, Any] | None:
        """The probe's observation of ``ident`` (see ``await_observation``)."""
        return await_observation(self.probe_dir, ident, from_probe, _OBS_WAIT)

    def responsive(self) -> bool:
        """Does a plain GET on a fresh connection get its response? Asked before blaming a
        silent connection on the case: a server that stopped answering altogether is hung
        (T003), whatever it was doing."""
        with self.lock:
            self.asked += 1
            ident = self.ident(f"alive{self.asked}")  # one id per question: cases ask at the same time
        _req, raw = self.request(RequestPlan(method="GET", target=b"/alive"), ident, "with-length")
        conn = WireConnection(self.cfg.host, self.proc.port, timeout=self.timeout)
        try:
            resp = conn.request(raw, close=True, timeout=self.timeout)
        finally:
            conn.close()
        answered = resp.outcome == "ok" and resp.header_values(ID_HEADER.encode()) == [ident.encode()]
        self.observe(ident, answered)
        return answered

    def hung(self, what: str) -> Finding:
        return Finding(
            "T003",
            f"the server stopped answering: {what}, and a fresh connection got no response either",
            f"nothing within {self.timeout:g} s",
            "a complete response",
            signature="hung",
        )

    def exchange(self, req: RequestPlan, raw: bytes) -> Exchange:
        return Exchange(
            interface=self.interface,
            scope_type="http",
            method=req.method,
            target=req.target.decode("latin-1"),
            http_version=req.http_version,
            headers=tuple((n.decode("latin-1"), v.decode("latin-1")) for n, v in req.headers),
            body_size=len(req.body),
            body_preview=req.body[:64],
            replay=_replay(raw, self.cfg.host, self.proc.port),
            base_url=self.proc.base_url,
        )

    def report(self, result: CaseResult) -> None:
        for finding, exchange, extra in result.findings:
            self.session.report(
                Violation(
                    rule=_rule(finding.code),
                    message=finding.message,
                    observed=finding.observed,
                    expected=finding.expected,
                    exchange=exchange,
                    signature=finding.signature or finding.message,
                    extra={**extra, **result.notes},
                )
            )
