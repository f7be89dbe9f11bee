"""Plans per second: the requests() hypothesis strategy vs the sample_requests() fast path.

    .venv/bin/python benchmarks/bench_traffic.py [--rounds 3] [--strategy-n 1000] [--fast-n 50000]

Prints the median of the rounds (and min-max) for: the strategy under @given (generate
phase only, no database); sample_requests() end to end (its bases included); and
to_bytes() on the sampled plans (what a transport pays to serialise). Under 60 s.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from hypothesis import HealthCheck, Phase, given, settings

from speccheck.traffic import RequestPlan, requests, sample_requests


def strategy_rate(n: int) -> float:
    count = 0

    @settings(
        max_examples=n,
        database=None,
        deadline=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(requests())
    def run(plan: RequestPlan) -> None:
        nonlocal count
        count += 1

    start = time.perf_counter()
    run()
    return count / (time.perf_counter() - start)


def fast_rate(n: int, seed: int) -> float:
    start = time.perf_counter()
    plans = sample_requests(n, seed=seed)
    return len(plans) / (time.perf_counter() - start)


def to_bytes_rate(n: int) -> float:
    plans = sample_requests(n, seed=0)
    start = time.perf_counter()
    for plan in plans:
        plan.to_bytes()
    return len(plans) / (time.perf_counter() - start)


def report(label: str, rounds: int, measure: Callable[[int], float]) -> float:
    rates = [measure(i) for i in range(rounds)]
    median = statistics.median(rates)
    print(f"{label:<44} {median:>10,.0f} plans/s   (min {min(rates):,.0f}, max {max(rates):,.0f}, {rounds} rounds)")
    return median


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--strategy-n", type=int, default=1000)
    parser.add_argument("--fast-n", type=int, default=50000)
    args = parser.parse_args()
    print(f"python {sys.version.split()[0]}, hypothesis {__import__('hypothesis').__version__}")
    slow = report(
        f"requests() strategy, {args.strategy_n} examples", args.rounds, lambda i: strategy_rate(args.strategy_n)
    )
    fast = report(f"sample_requests({args.fast_n}) incl. 32 bases", args.rounds, lambda i: fast_rate(args.fast_n, i))
    report(f"RequestPlan.to_bytes() on {args.fast_n} plans", args.rounds, lambda i: to_bytes_rate(args.fast_n))
    print(f"fast path / strategy: x{fast / slow:,.0f}")


if __name__ == "__main__":
    main()
