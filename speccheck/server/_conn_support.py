"""What the connection cases share: the live target, observations from the probe,
request bytes with their ids, and turning findings into reported violations."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from typing import Any

from speccheck._violations import Exchange, Violation
from speccheck.server._findings import Finding
from speccheck.server._plans import read_observation
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
        """The probe's observation of ``ident``: waited for (bounded) only when the
        response came from the probe, otherwise whatever is there already."""
        obs = read_observation(self.probe_dir, ident)
        if obs is not None or not from_probe:
            return obs
        end = time.monotonic() + _OBS_WAIT
        while time.monotonic() < end:
            time.sleep(0.002)
            obs = read_observation(self.probe_dir, ident)
            if obs is not None:
                return obs
        return None

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
