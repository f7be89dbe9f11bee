"""Checked exchanges per second of `speccheck server`, side by side with two baselines
against the same server and probe app, in one run (bounded well under 90 s):

- speccheck: the full run (generated requests, response plans, side channel, oracles),
  steady state = generated exchanges / time spent on them (start-up excluded, shown apart);
- httpx keep-alive loop: ``httpx.Client`` GET / in a loop, status checked (no oracle at all);
- naive hypothesis loop: each request drawn by ``@given(requests())`` and sent with httpx.

    .venv/bin/python benchmarks/bench_server.py [--seconds 4] [--servers uvicorn,gunicorn]

Reference numbers: /work/shared/research/performance-baseline.md sections C-E.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import sys
import time
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import httpx
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import HypothesisWarning

from speccheck._run import RunInfo
from speccheck.server._check import LocalSession
from speccheck.server._plans import write_plan
from speccheck.server._responses import PLANS
from speccheck.server._runner import ServerRun, run_server
from speccheck.server._support import _probe_tmpdir, _server_env
from speccheck.targets import ServerProcess, free_port, get_target
from speccheck.traffic import RequestPlan, requests


def bench_speccheck(name: str, seconds: float) -> dict[str, float]:
    cfg = ServerRun(get_target(name))
    session = LocalSession(RunInfo("server", name), examples=10_000_000, max_time=seconds + 8, select=["S", "T"])
    # the generated phase stops at the session deadline; give it `seconds` after start-up
    session.started = time.monotonic()
    original = session.started

    def deadline() -> float:
        return original + cfg.timings.get("startup_seconds", 0.0) + seconds

    type(session).deadline = property(lambda self: deadline())  # type: ignore[method-assign,assignment]
    started = time.monotonic()
    run_server(session, cfg)
    total = time.monotonic() - started
    exchanges = cfg.timings.get("exchanges", 0.0)
    return {
        "rate": exchanges / max(cfg.timings.get("exchanges_seconds", 1.0), 1e-9),
        "exchanges": exchanges,
        "startup": cfg.timings.get("startup_seconds", 0.0),
        "total": total,
        "findings": float(len(session.collector.violations())),
    }


class Server:
    """The same server + probe app as a speccheck run, for the baselines."""

    def __init__(self, name: str) -> None:
        self.dir = _probe_tmpdir()
        for plan in PLANS:
            write_plan(self.dir, plan)
        port = free_port()
        self.proc = ServerProcess(get_target(name).argv("127.0.0.1", port), port=port, env=_server_env(self.dir))

    def __enter__(self) -> ServerProcess:
        if not self.proc.start():
            raise SystemExit(f"server did not start:\n{self.proc.output()}")
        return self.proc

    def __exit__(self, *exc: object) -> None:
        self.proc.__exit__(None, None, None)
        shutil.rmtree(self.dir, ignore_errors=True)


def bench_httpx(base_url: str, seconds: float) -> float:
    done = 0
    with httpx.Client(base_url=base_url) as client:
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            response = client.get("/")
            assert response.status_code == 200
            done += 1
    return done / seconds


class _TimeUp(Exception):
    """Ends the hypothesis loop (generate phase only, so nothing is shrunk)."""


def bench_hypothesis(base_url: str, seconds: float) -> float:
    warnings.simplefilter("ignore", HypothesisWarning)  # ending the loop by an exception reprs the last example
    count = 0
    end = time.monotonic() + seconds
    client = httpx.Client(base_url=base_url)

    @settings(
        max_examples=1_000_000,
        deadline=None,
        database=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(requests())
    def send(plan: RequestPlan) -> None:
        nonlocal count
        if time.monotonic() > end:
            raise _TimeUp
        headers = [(n, v) for n, v in plan.headers]
        try:
            client.request(plan.method, base_url + plan.target.decode("ascii"), headers=headers, content=plan.body)
        except (httpx.HTTPError, ValueError, UnicodeError):
            pass  # httpx refuses some legal requests (see the baseline, section E); still counted
        count += 1

    started = time.monotonic()
    try:
        send()
    except _TimeUp:
        pass
    finally:
        client.close()
    return count / (time.monotonic() - started)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=4.0, help="measuring time per variant (default 4)")
    parser.add_argument("--servers", default="uvicorn,gunicorn")
    args = parser.parse_args()
    began = time.monotonic()
    load = os.getloadavg()
    print(
        f"# bench_server: Python {platform.python_version()}, {args.seconds:g} s per variant, "
        f"load {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}\n"
    )
    print(
        "| server | speccheck checked exch/s | start-up s | exchanges | findings | httpx keep-alive req/s | "
        "naive hypothesis+httpx ex/s |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|")
    for name in args.servers.split(","):
        result = bench_speccheck(name, args.seconds)
        with Server(name) as proc:
            plain = bench_httpx(proc.base_url, args.seconds)
            naive = bench_hypothesis(proc.base_url, args.seconds)
        print(
            f"| {name} | {result['rate']:,.0f} | {result['startup']:.2f} | {result['exchanges']:,.0f} | "
            f"{result['findings']:.0f} | {plain:,.0f} | {naive:,.0f} |",
            flush=True,
        )
    print(f"\nwall time {time.monotonic() - began:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
