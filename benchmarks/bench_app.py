"""App mode throughput: checked examples/s of `speccheck app` against a bare hypothesis
loop that calls the same app with the same generated requests, without speccheck.

    .venv/bin/python benchmarks/bench_app.py [--examples N] [--rounds R]

Three apps: a hello-world WSGI app, a hello-world ASGI app and a small FastAPI app. Each
round runs every (app, mode) pair once, interleaved so machine noise hits them alike;
the table gives medians over rounds, the median per-round ratio and its spread (min-max
over rounds), and the per-example cost of the bare loop and what checking adds to it.
Both loops get the same requests: app mode draws nothing from hypothesis but the request
(its delivery choices come from a seeded `random.Random`). The target is a ratio of at
most 2 (checking costs at most twice the bare loop). Bounded: about a minute and a half.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from hypothesis import HealthCheck, Phase, Verbosity, given, settings
from hypothesis import seed as hypothesis_seed

from speccheck.app._harness import make_harness
from speccheck.app._load import discover_routes
from speccheck.app._runner import AppRunOptions, check_app
from speccheck.app._strategies import Route, app_requests
from speccheck.traffic import RequestPlan


def hello_wsgi(environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", "5")])
    return [b"hello"]


async def hello_asgi(scope: dict[str, Any], receive: Any, send: Any) -> None:
    if scope["type"] != "http":
        raise RuntimeError("no lifespan")
    while (await receive()).get("more_body"):
        pass
    await send({"type": "http.response.start", "status": 200, "headers": [[b"content-type", b"text/plain"]]})
    await send({"type": "http.response.body", "body": b"hello"})


def _bare_wsgi(app: Any) -> Callable[[RequestPlan], None]:
    import io

    def call(plan: RequestPlan) -> None:
        environ = {
            "REQUEST_METHOD": plan.method,
            "PATH_INFO": plan.raw_path.decode("latin-1"),
            "QUERY_STRING": plan.query_string.decode("latin-1"),
            "CONTENT_LENGTH": str(len(plan.body)),
            "SERVER_NAME": "127.0.0.1",
            "SERVER_PORT": "80",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "wsgi.version": (1, 0),
            "wsgi.url_scheme": "http",
            "wsgi.input": io.BytesIO(plan.body),
            "wsgi.errors": io.StringIO(),
            "wsgi.multithread": False,
            "wsgi.multiprocess": False,
            "wsgi.run_once": False,
        }
        result = app(environ, lambda status, headers, exc_info=None: None)
        for _ in result:
            pass
        getattr(result, "close", lambda: None)()

    return call


def _bare_asgi(app: Any) -> Callable[[RequestPlan], None]:
    loop = asyncio.new_event_loop()

    def call(plan: RequestPlan) -> None:
        scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": plan.method,
            "scheme": "http",
            "path": plan.raw_path.decode("latin-1"),
            "raw_path": plan.raw_path,
            "query_string": plan.query_string,
            "root_path": "",
            "headers": [[n.lower(), v] for n, v in plan.framing_headers() + list(plan.headers)],
        }
        messages = [{"type": "http.request", "body": plan.body, "more_body": False}]

        async def receive() -> dict[str, Any]:
            return messages.pop() if messages else {"type": "http.disconnect"}

        async def send(message: dict[str, Any]) -> None:
            pass

        loop.run_until_complete(app(scope, receive, send))

    return call


def bare_loop(call: Callable[[RequestPlan], None], routes: list[Route], examples: int) -> float:
    """Examples/s of hypothesis generating app_requests() and calling the app once each."""
    done = 0

    @hypothesis_seed(0)
    @settings(
        max_examples=examples,
        database=None,
        deadline=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
        verbosity=Verbosity.quiet,
    )
    @given(plan=app_requests(routes))
    def loop(plan: RequestPlan) -> None:
        nonlocal done
        call(plan)
        done += 1

    started = time.perf_counter()
    loop()
    return done / (time.perf_counter() - started)


def checked_loop(app: Any, interface: str, routes: list[Route], examples: int) -> float:
    """Examples/s of app mode's explore phase + shrinking (the clean apps have nothing to shrink)."""
    harness = make_harness(app, interface, timeout=5)
    done = 0

    def progress(n: int, planned: int | None) -> None:
        nonlocal done
        done = n

    try:
        started = time.perf_counter()
        violations = check_app(harness, AppRunOptions(routes=routes, examples=examples, max_time=60), progress=progress)
        elapsed = time.perf_counter() - started
    finally:
        harness.close()
    if violations:
        raise SystemExit(f"benchmark app has findings, numbers would be meaningless: {violations[0].one_line()}")
    return done / elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()

    from fixtures.apps.frameworks.fastapi_app import app as fastapi_app

    apps: list[tuple[str, Any, str, list[Route]]] = [
        ("hello WSGI", hello_wsgi, "wsgi", [Route(b"/")]),
        ("hello ASGI", hello_asgi, "asgi", [Route(b"/")]),
        # the JSON model route is left out: FastAPI raises on non-UTF-8 bodies there (a real finding)
        ("FastAPI", fastapi_app, "asgi", [r for r in discover_routes(fastapi_app) if r.path != b"/items"]),
    ]
    rates: dict[tuple[str, str], list[float]] = {}
    deadline = time.monotonic() + 90
    for _ in range(args.rounds):
        if time.monotonic() > deadline:
            break
        for name, app, interface, routes in apps:
            bare = _bare_wsgi(app) if interface == "wsgi" else _bare_asgi(app)
            rates.setdefault((name, "bare"), []).append(bare_loop(bare, routes, args.examples))
            rates.setdefault((name, "checked"), []).append(checked_loop(app, interface, routes, args.examples))
    sys.stdout.write(
        f"{'app':<12} {'bare ex/s':>10} {'checked ex/s':>13} {'us/ex bare':>11} {'us/ex added':>12} "
        f"{'cost (x bare)':>14} {'spread':>12}  target <= 2x\n"
    )
    for name, *_ in apps:
        bare_rates, checked_rates = rates[(name, "bare")], rates[(name, "checked")]
        ratios = [b / c for b, c in zip(bare_rates, checked_rates, strict=True)]
        ratio = statistics.median(ratios)
        bare_us = 1e6 / statistics.median(bare_rates)
        added_us = statistics.median(1e6 / c - 1e6 / b for b, c in zip(bare_rates, checked_rates, strict=True))
        verdict = "ok" if ratio <= 2 else "OVER"
        sys.stdout.write(
            f"{name:<12} {statistics.median(bare_rates):>10.0f} {statistics.median(checked_rates):>13.0f} "
            f"{bare_us:>11.0f} {added_us:>12.0f} {ratio:>13.2f}x {min(ratios):>5.2f}-{max(ratios):.2f}x  {verdict}\n"
        )
    rounds = len(rates[(apps[0][0], "bare")])
    sys.stdout.write(
        f"({rounds} rounds of {args.examples} examples each; medians over rounds, spread = min-max ratio)\n"
    )


if __name__ == "__main__":
    main()
