"""One exchange of the reaction phase on its own connection: its id, raw request, how to
wait for the probe's observation and how to report on it (``_reactions``, ``_faults``)."""

from __future__ import annotations

import select
import time
from typing import TYPE_CHECKING, Any

from speccheck._violations import Exchange
from speccheck.client import WireConnection, WireResponse
from speccheck.server._findings import Finding
from speccheck.server._plans import ID_HEADER, PLAN_HEADER, ResponsePlan, closed_ids, read_observation
from speccheck.server._support import _replay

if TYPE_CHECKING:
    from speccheck.server._exchanges import Exchanges

__all__ = ["Case", "stays_open"]


class Case:
    """One reaction exchange: its id, raw request, and how to report on it."""

    def __init__(self, ex: Exchanges, name: str, plan: ResponsePlan) -> None:
        self.ex = ex
        self.ident = f"{ex.run_id}v{name}"
        self.plan = plan
        self.raw = (
            f"GET /reaction/{name} HTTP/1.1\r\nHost: {ex.cfg.host}:{ex.proc.port}\r\n"
            f"{ID_HEADER}: {self.ident}\r\n{PLAN_HEADER}: {plan.name}\r\n\r\n"
        ).encode("latin-1")
        self.response = b""

    def report(self, findings: list[Finding], observed: dict[str, Any] | None = None) -> None:
        exchange = Exchange(
            interface=self.ex.interface,
            method="GET",
            target=f"/reaction/{self.plan.name}",
            replay=_replay(self.raw, self.ex.cfg.host, self.ex.proc.port),
            base_url=self.ex.proc.base_url,
        )
        extra: dict[str, object] = {
            "exchange_id": self.ident,
            "response_plan": self.plan.name,
            "request": self.raw.decode("latin-1"),
            "response": self.response[:4096].decode("latin-1"),
        }
        if observed:
            extra["probe_observed"] = {k: observed[k] for k in ("late_receive", "held", "late_send") if k in observed}
        for finding in findings:
            self.ex.report(finding, exchange, extra)

    def exchange(self, timeout: float = 3.0, open_wait: float = 0.0) -> tuple[WireResponse, bool]:
        """Send the request on a fresh connection (at most ``timeout`` s for the response,
        never more than the run's exchange time limit); with ``open_wait``, also whether a
        kept-alive connection was still open that long after the response."""
        conn = WireConnection(self.ex.cfg.host, self.ex.proc.port, timeout=self.ex.cfg.exchange_timeout)
        try:
            resp = conn.request(self.raw, timeout=min(timeout, self.ex.cfg.exchange_timeout))
            self.response = resp.raw
            kept = bool(open_wait) and resp.outcome == "ok" and resp.keep_alive and stays_open(conn, open_wait)
        finally:
            conn.close()
        return resp, kept

    def wait_obs(self, key: str, seconds: float) -> dict[str, Any] | None:
        """The probe's observation once it holds ``key`` (it re-publishes as it goes)."""
        deadline = time.monotonic() + seconds
        while True:
            obs = read_observation(self.ex.dir, self.ident)
            if obs is not None and key in obs and obs.get(key) is not None:
                if obs.get("lint"):
                    self.ex.report_lint(obs, self.exchange_stub())
                return obs
            if time.monotonic() > deadline or self.ex.stop.is_set():
                return None
            time.sleep(0.01)

    def exchange_stub(self) -> Exchange:
        return Exchange(interface=self.ex.interface, method="GET", target=f"/reaction/{self.plan.name}")

    def wait_closed(self, seconds: float) -> bool:
        deadline = time.monotonic() + seconds
        while self.ident not in closed_ids(self.ex.dir):
            if time.monotonic() > deadline:
                return False
            time.sleep(0.05)
        return True


def stays_open(conn: WireConnection, wait: float) -> bool:
    """After a complete response on a kept-alive connection: no EOF (nor reset) within ``wait``."""
    sock = conn.sock
    if sock is None:
        return False
    deadline = time.monotonic() + wait
    while (left := deadline - time.monotonic()) > 0:
        readable, _, _ = select.select([sock], [], [], left)
        if not readable:
            break
        try:
            if not sock.recv(65536):
                return False
        except OSError:
            return False
    return True
