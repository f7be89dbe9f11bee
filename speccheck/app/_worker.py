"""Calling app code with a time limit: a daemon worker thread per caller.

A WSGI app runs synchronously, so the only way to bound it is to run it elsewhere and
stop waiting. A hung call leaves its (daemon) thread behind and the next call gets a
fresh worker, so one hung request never blocks the run or the interpreter's exit.
"""

from __future__ import annotations

import queue
import sys
import threading
from collections.abc import Callable
from typing import Generic, TypeVar

from speccheck._location import _is_ours
from speccheck._violations import Location

__all__ = ["TimedOut", "Worker", "stuck_location"]

T = TypeVar("T")


class TimedOut(Exception):
    """The call did not finish within its time limit; ``thread_id`` is the stuck thread."""

    def __init__(self, message: str, thread_id: int | None) -> None:
        super().__init__(message)
        self.thread_id = thread_id


class _Job(Generic[T]):
    __slots__ = ("done", "error", "fn", "result")

    def __init__(self, fn: Callable[[], T]) -> None:
        self.fn = fn
        self.done = threading.Event()
        self.result: T | None = None
        self.error: BaseException | None = None


class Worker:
    """Runs one call at a time on a daemon thread; `call` waits at most ``timeout``."""

    def __init__(self) -> None:
        self._jobs: queue.SimpleQueue[_Job[object] | None] | None = None
        self._thread_id: int | None = None

    def _start(self) -> queue.SimpleQueue[_Job[object] | None]:
        jobs: queue.SimpleQueue[_Job[object] | None] = queue.SimpleQueue()
        thread = threading.Thread(target=self._loop, args=(jobs,), name="speccheck-app-worker", daemon=True)
        thread.start()
        self._jobs = jobs
        self._thread_id = thread.ident
        return jobs

    @staticmethod
    def _loop(jobs: queue.SimpleQueue[_Job[object] | None]) -> None:
        while True:
            job = jobs.get()
            if job is None:
                return
            try:
                job.result = job.fn()
            except BaseException as exc:  # handed to the caller
                job.error = exc
            job.done.set()

    def call(self, fn: Callable[[], T], timeout: float, beat: Callable[[], object] | None = None) -> T:
        """``fn()`` on the worker. Without ``beat`` it must end within ``timeout``; with it,
        ``beat()`` must change within every ``timeout`` (a job of several calls, each
        bounded, says so by counting them)."""
        jobs = self._jobs or self._start()
        job: _Job[T] = _Job(fn)
        jobs.put(job)  # type: ignore[arg-type]
        last = beat() if beat is not None else None
        while not job.done.wait(timeout):
            now = beat() if beat is not None else None
            if beat is not None and now != last:
                last = now
                continue
            self._jobs = None  # abandon the stuck thread; the next call starts a new one
            raise TimedOut(f"no answer within {timeout:g} s", self._thread_id)
        if job.error is not None:
            raise job.error
        return job.result  # type: ignore[return-value]

    def close(self) -> None:
        if self._jobs is not None:
            self._jobs.put(None)
            self._jobs = None


def stuck_location(thread_id: int | None) -> Location | None:
    """The innermost frame of the app's own code in a stuck thread: where it hangs."""
    frame = sys._current_frames().get(thread_id) if thread_id is not None else None
    while frame is not None:
        if not _is_ours(frame.f_code.co_filename):
            return Location(frame.f_code.co_filename, frame.f_lineno, frame.f_code.co_name)
        frame = frame.f_back
    return None
