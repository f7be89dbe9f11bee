"""Per-request cost of ASGI validation: bare app vs asgion vs ASGILint.

    python benchmarks/bench_asgi.py            # one command, about a minute

asgion needs Python >= 3.12, so this script builds (once) a private venv under
benchmarks/.venv312 with ~/.pyenv/versions/3.12.1 and installs asgion and this project
into it, then re-runs itself there. Apps are driven in-process by a minimal loop that
calls the app with a scope, receive and send and steps the coroutine by hand (nothing
in these apps really suspends), so what is measured is the validators' own cost.
Rounds interleave the variants; the table shows medians per request.

Workloads: "hello" (http.response.start + one body) and "stream64" (a 64 KiB body sent
in 16 http.response.body messages of 4 KiB).
"""

from __future__ import annotations

import importlib.metadata
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
VENV = HERE / ".venv312"
PY312 = Path.home() / ".pyenv/versions/3.12.1/bin/python"
MARKER = "SPECCHECK_BENCH_INNER"
BUDGET_S = 75.0  # stop early rather than exceed the 90 s bound


def ensure_venv() -> Path:
    python = VENV / "bin" / "python"
    if not python.exists():
        if not PY312.exists():
            sys.exit(f"need Python 3.12 for asgion at {PY312}")
        subprocess.run([str(PY312), "-m", "venv", str(VENV)], check=True, timeout=120)
    probe = subprocess.run([str(python), "-c", "import asgion, asgi_checks"], capture_output=True, timeout=60)
    if probe.returncode != 0:
        subprocess.run([str(python), "-m", "pip", "install", "-q", "asgion", "-e", str(ROOT)], check=True, timeout=600)
    return python


# -- the workloads ------------------------------------------------------------------
HEADERS = [[b"content-type", b"text/plain; charset=utf-8"], [b"content-length", b"13"]]
CHUNK = b"x" * 4096
STREAM_HEADERS = [[b"content-type", b"application/octet-stream"], [b"content-length", str(16 * 4096).encode()]]


async def hello(scope: Any, receive: Any, send: Any) -> None:
    await receive()
    await send({"type": "http.response.start", "status": 200, "headers": HEADERS})
    await send({"type": "http.response.body", "body": b"Hello, world!"})


async def stream64(scope: Any, receive: Any, send: Any) -> None:
    await receive()
    await send({"type": "http.response.start", "status": 200, "headers": STREAM_HEADERS})
    for _ in range(15):
        await send({"type": "http.response.body", "body": CHUNK, "more_body": True})
    await send({"type": "http.response.body", "body": CHUNK})


SCOPE = {
    "type": "http",
    "asgi": {"version": "3.0", "spec_version": "2.4"},
    "http_version": "1.1",
    "method": "GET",
    "scheme": "http",
    "path": "/",
    "raw_path": b"/",
    "query_string": b"",
    "root_path": "",
    "headers": [[b"host", b"localhost:8000"], [b"user-agent", b"bench"], [b"accept", b"*/*"]],
    "client": ["127.0.0.1", 50000],
    "server": ["127.0.0.1", 8000],
    "extensions": {},
}
REQUEST = {"type": "http.request", "body": b"", "more_body": False}
DISCONNECT = {"type": "http.disconnect"}


def per_request(app: Callable[..., Any], n: int) -> float:
    """Seconds per request over ``n`` requests."""
    state = [0]

    async def receive() -> dict[str, Any]:
        state[0] += 1
        return REQUEST if state[0] == 1 else DISCONNECT

    async def send(message: dict[str, Any]) -> None:
        return None

    begin = time.perf_counter()
    for _ in range(n):
        state[0] = 0
        coro = app(dict(SCOPE), receive, send)
        try:
            coro.send(None)
        except StopIteration:
            continue
        coro.close()
        raise RuntimeError(f"{app!r} suspended; the hand-stepped loop cannot drive it")
    return (time.perf_counter() - begin) / n


def inner() -> None:
    import asgion

    from asgi_checks import ASGILint

    variants: dict[str, Callable[[Any], Any]] = {
        "bare": lambda app: app,
        "asgion": lambda app: asgion.Inspector(app),
        "ASGILint": lambda app: ASGILint(app, mode="collect", select=["A", "H"]),  # every rule, opt-in ones too
    }
    workloads = {"hello": (hello, 4000), "stream64": (stream64, 1500)}
    results: dict[tuple[str, str], list[float]] = {}
    wrapped = {(w, v): make(app) for w, (app, _) in workloads.items() for v, make in variants.items()}
    for (w, v), app in wrapped.items():  # warm up, and prove every variant runs clean
        per_request(app, 200)
        found = getattr(app, "violations", [])
        if found and v == "ASGILint":
            raise SystemExit(f"{v} reported findings on the clean {w} app: {found[:3]}")
    started = time.monotonic()
    rounds = 0
    while rounds < 15 and time.monotonic() - started < BUDGET_S - 10:
        for w, (_, n) in workloads.items():
            for v in variants:
                results.setdefault((w, v), []).append(per_request(wrapped[(w, v)], n))
        rounds += 1
    print(
        f"Python {sys.version.split()[0]}, asgion {importlib.metadata.version('asgion')}, {rounds} interleaved rounds, medians per request\n"
    )
    print("| workload | bare | asgion | ASGILint | asgion adds | ASGILint adds | ratio |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for w in workloads:
        med = {v: statistics.median(results[(w, v)]) * 1e6 for v in variants}
        add_asgion = med["asgion"] - med["bare"]
        add_lint = med["ASGILint"] - med["bare"]
        print(
            f"| {w} | {med['bare']:.2f} µs | {med['asgion']:.2f} µs | {med['ASGILint']:.2f} µs "
            f"| +{add_asgion:.2f} µs | +{add_lint:.2f} µs | {add_lint / add_asgion:.2f} |"
        )


def main() -> None:
    if os.environ.get(MARKER):
        inner()
        return
    python = ensure_venv()
    env = dict(os.environ, **{MARKER: "1", "PYTHONPATH": str(ROOT)})
    subprocess.run([str(python), str(Path(__file__).resolve())], check=True, env=env, timeout=90)


if __name__ == "__main__":
    main()
