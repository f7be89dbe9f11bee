"""W311 (wsgi.multithread truthful) beyond the fixture table: what counts as overlapping."""

from __future__ import annotations

import threading
from typing import Any

from fixtures.wsgi import apps
from fixtures.wsgi.harness import STRICT, Request
from fixtures.wsgi.servers import TwoThreads
from wsgi_checks import WSGILint


def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
    return lambda data: None


def test_one_thread_after_another_is_not_overlap() -> None:
    """A single-threaded server may use a different thread per request, one at a time."""
    lint = WSGILint(apps.streaming, mode="collect")
    for _ in range(3):
        worker = threading.Thread(target=STRICT.serve, args=(lint,))
        worker.start()
        worker.join(10)
    assert lint.finish() == []


def test_list_response_leaves_on_return_and_error_leaves_too() -> None:
    def failing(environ: Any, start_response: Any) -> Any:
        raise RuntimeError("app failed")

    for app in (apps.hello, failing):
        lint = WSGILint(app, mode="collect")
        STRICT.serve(lint)
        assert lint._serial == {}  # nothing left in flight


def test_closed_in_another_thread_still_leaves() -> None:
    lint = WSGILint(apps.streaming, mode="collect")
    body = lint(STRICT.environ(Request()), start_response)
    next(iter(body))  # in flight until closed
    assert lint._serial != {}
    closer = threading.Thread(target=body.close)
    closer.start()
    closer.join(10)
    assert lint._serial == {}
    worker = threading.Thread(target=STRICT.serve, args=(lint,))
    worker.start()
    worker.join(10)
    assert lint.finish() == []


def test_overlap_reported_once_with_its_rule() -> None:
    lint = WSGILint(apps.streaming, mode="collect")
    TwoThreads().serve(lint)
    (violation,) = lint.finish()
    assert violation.code == "W311" and violation.side == "server"
    assert "other thread" in violation.message
