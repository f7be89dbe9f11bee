"""Per-request cost of WSGI lint middlewares, in-process.

    .venv/bin/python benchmarks/bench_wsgi.py [--rounds N] [--seconds S]

Variants: the bare app, ``wsgiref.validate.validator``, werkzeug's ``LintMiddleware``
and ``WSGILint(mode="collect")`` with every rule on (H102 included). Two apps: hello
world, and a 64 KiB body returned as 16 chunks by a generator. A minimal server loop
(fresh environ with a BytesIO input, start_response, iterate, close) drives each
variant; variants are interleaved round by round and the median of the rounds is
reported, so drift on a busy machine hits every variant alike. Time is this thread's
CPU time (``time.thread_time``), so other processes on a shared machine disturb the
numbers less than wall-clock time would. Bounded: stops after ``--seconds`` (default
45) even if rounds remain.
"""

from __future__ import annotations

import argparse
import gc
import io
import statistics
import sys
import time
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from wsgiref.util import FileWrapper
from wsgiref.validate import validator

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from werkzeug.middleware.lint import LintMiddleware

from wsgi_checks import WSGILint

App = Callable[..., Any]
CHUNK = b"x" * 4096


def hello(environ: dict[str, Any], start_response: Any) -> list[bytes]:
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", "13")])
    return [b"Hello, world!"]


def chunks(environ: dict[str, Any], start_response: Any) -> Iterator[bytes]:
    start_response("200 OK", [("Content-Type", "application/octet-stream"), ("Content-Length", "65536")])
    for _ in range(16):
        yield CHUNK


BASE = {
    "REQUEST_METHOD": "GET",
    "SCRIPT_NAME": "",
    "PATH_INFO": "/hello",
    "QUERY_STRING": "a=1",
    "SERVER_NAME": "127.0.0.1",
    "SERVER_PORT": "8000",
    "SERVER_PROTOCOL": "HTTP/1.1",
    "REMOTE_ADDR": "127.0.0.1",
    "REMOTE_PORT": "50000",
    "HTTP_HOST": "127.0.0.1:8000",
    "HTTP_USER_AGENT": "bench/1.0",
    "HTTP_ACCEPT": "*/*",
    "HTTP_ACCEPT_ENCODING": "gzip, deflate",
    "HTTP_CONNECTION": "keep-alive",
    "wsgi.version": (1, 0),
    "wsgi.url_scheme": "http",
    "wsgi.multithread": True,
    "wsgi.multiprocess": False,
    "wsgi.run_once": False,
    "wsgi.file_wrapper": FileWrapper,
}


def serve(app: App, n: int) -> float:
    """Run ``n`` requests through ``app``; seconds per request."""
    errors = io.StringIO()
    base = BASE

    def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
        return write

    def write(data: bytes) -> None:
        pass

    start = time.thread_time()
    for _ in range(n):
        environ = base.copy()
        environ["wsgi.input"] = io.BytesIO(b"")
        environ["wsgi.errors"] = errors
        result = app(environ, start_response)
        try:
            for _data in result:
                pass
        finally:
            if hasattr(result, "close"):
                result.close()
    return (time.thread_time() - start) / n


def variants(app: App) -> dict[str, App]:
    return {
        "bare": app,
        "wsgiref.validate": validator(app),
        "werkzeug LintMiddleware": LintMiddleware(app),
        "WSGILint(collect, all rules)": WSGILint(app, mode="collect", select=["W", "H"]),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--requests", type=int, default=4000, help="requests per variant per round")
    parser.add_argument("--seconds", type=float, default=45.0, help="overall time budget")
    args = parser.parse_args()
    warnings.simplefilter("ignore")  # LintMiddleware warns about read() etc.; not what we measure
    deadline = time.monotonic() + args.seconds
    apps = {"hello world": hello, "64 KiB in 16 chunks": chunks}
    budget = args.seconds / len(apps)
    rows: list[tuple[str, str, float, int]] = []
    for app_name, app in apps.items():
        table = variants(app)
        samples: dict[str, list[float]] = {name: [] for name in table}
        per = args.requests if app is hello else max(200, args.requests // 8)
        for wrapped in table.values():  # warm-up
            serve(wrapped, per // 10)
        app_deadline = min(deadline, time.monotonic() + budget)
        gc.disable()
        try:
            for _ in range(args.rounds):
                if time.monotonic() > app_deadline:
                    break
                for name, wrapped in table.items():
                    samples[name].append(serve(wrapped, per))
                gc.collect()
        finally:
            gc.enable()
        for name, values in samples.items():
            rows.append((app_name, name, statistics.median(values) * 1e6, len(values)))
    print_table(rows)
    return 0


def print_table(rows: list[tuple[str, str, float, int]]) -> None:
    print(f"Python {sys.version.split()[0]}; median of rounds, CPU microseconds per request\n")
    print("| app | variant | µs/request | added vs bare | added / werkzeug's | rounds |")
    print("|---|---|---:|---:|---:|---:|")
    by_app: dict[str, dict[str, float]] = {}
    for app_name, name, us, _ in rows:
        by_app.setdefault(app_name, {})[name] = us
    for app_name, name, us, rounds in rows:
        bare = by_app[app_name]["bare"]
        werkzeug = by_app[app_name]["werkzeug LintMiddleware"] - bare
        added = us - bare
        ratio = f"{added / werkzeug:.2f}" if name != "bare" and werkzeug > 0 else "-"
        plus = f"+{added:.2f}" if name != "bare" else "-"
        print(f"| {app_name} | {name} | {us:.2f} | {plus} | {ratio} | {rounds} |")


if __name__ == "__main__":
    raise SystemExit(main())
