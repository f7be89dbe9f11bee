"""Connection-level cases run after the generated exchanges: Expect: 100-continue and
pipelining, each on its own raw connection, all at once (a server that waits for the
body on its own costs one bounded wait, not one per case)."""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable

from speccheck.server._conn_support import CaseResult, ConnContext
from speccheck.server._expect_check import expect_http10, expect_read, expect_unread
from speccheck.server._pipeline_check import pipeline
from speccheck.server._pipeline_close import pipeline_close
from speccheck.server._support import RunSession, ServerRun
from speccheck.targets import ServerProcess

__all__ = ["CASES", "run_connection_cases"]

Case = Callable[[ConnContext], CaseResult]
CASES: tuple[Case, ...] = (expect_read, expect_unread, expect_http10, pipeline, pipeline_close)


def run_connection_cases(session: RunSession, cfg: ServerRun, proc: ServerProcess, probe_dir: str) -> None:
    """Run every connection case against the live target; report findings to ``session``
    and mark the codes that were checked."""
    run_id = f"{random.Random(session.seed).getrandbits(32):08x}c"
    ctx = ConnContext(session, cfg, proc, probe_dir, run_id)
    results: list[CaseResult | None] = [None] * len(CASES)

    def run(index: int) -> None:
        try:
            results[index] = CASES[index](ctx)
        except OSError:
            results[index] = None  # the connection failed: the case could not run

    begun = time.monotonic()
    threads = [
        threading.Thread(target=run, args=(i,), name=f"speccheck-conn-{i}", daemon=True) for i in range(len(CASES))
    ]
    for thread in threads:
        thread.start()
    # Each case bounds its own waits; this is the bound on all of them together.
    limit = begun + 1.0 + 4 * ctx.timeout + 2.0
    for thread in threads:
        thread.join(max(0.0, limit - time.monotonic()))
    cfg.timings["connection_cases_seconds"] = time.monotonic() - begun
    notes: dict[str, object] = {}
    for result in results:
        if result is not None:
            notes.update(result.notes)
    checked: set[str] = set()
    for result in results:
        if result is None:
            continue
        result.notes = notes  # every finding carries what the server chose for each case
        ctx.report(result)
        checked |= result.checked
    if checked:
        session.mark_checked(checked)
