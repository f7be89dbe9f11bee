"""The collector: de-duplication, bounds, and safety across threads and asyncio tasks."""

from __future__ import annotations

import asyncio
import gc
import threading
import tracemalloc

from speccheck import Collector, Exchange, Violation, get_rule

RULE = get_rule("H103")


def _violation(signature: str = "content-length", message: str = "declared 10, sent 5") -> Violation:
    return Violation(RULE, message, "5 bytes", "10 bytes", Exchange(method="GET", target="/"), signature=signature)


def test_same_finding_is_one_record_with_a_count() -> None:
    collector = Collector()
    for _ in range(5):
        collector.add(_violation())
    records = collector.violations()
    assert len(records) == 1
    assert records[0].count == 5
    assert collector.total() == 5


def test_signature_separates_findings_of_one_rule() -> None:
    collector = Collector()
    collector.add(_violation("a"))
    collector.add(_violation("b"))
    collector.add(_violation("a"))
    assert sorted((v.signature, v.count) for v in collector.violations()) == [("a", 2), ("b", 1)]


def test_a_million_identical_violations_keep_memory_flat() -> None:
    collector = Collector()
    for _ in range(1_000):
        collector.add(_violation())
    gc.collect()
    tracemalloc.start()
    try:
        before, _ = tracemalloc.get_traced_memory()
        for _ in range(999_000):
            collector.add(_violation())
        gc.collect()
        after, _ = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    (record,) = collector.violations()
    assert record.count == 1_000_000
    assert after - before < 64 * 1024, f"memory grew by {after - before} bytes"


def test_endless_distinct_signatures_are_bounded_per_rule() -> None:
    collector = Collector(max_per_rule=10)
    for i in range(10_000):
        collector.add(_violation(signature=f"sig{i}", message=f"m{i}"))
    records = collector.violations()
    assert len(records) == 11
    overflow = [v for v in records if "folded" in v.message]
    assert len(overflow) == 1
    assert overflow[0].count == 10_000 - 10
    assert collector.total() == 10_000


def test_threads_lose_no_count() -> None:
    collector = Collector()

    def work() -> None:
        for i in range(5_000):
            collector.add(_violation(signature=str(i % 7)))

    threads = [threading.Thread(target=work) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not any(t.is_alive() for t in threads)
    assert collector.total() == 40_000
    assert len(collector) == 7


def test_asyncio_tasks_lose_no_count() -> None:
    collector = Collector()

    async def task(n: int) -> None:
        for i in range(1_000):
            collector.add(_violation(signature=str((i + n) % 3)))
            if i % 100 == 0:
                await asyncio.sleep(0)

    async def main() -> None:
        await asyncio.wait_for(asyncio.gather(*(task(n) for n in range(10))), timeout=60)

    asyncio.run(main())
    assert collector.total() == 10_000
    assert len(collector) == 3


def test_most_serious_first() -> None:
    collector = Collector()
    collector.add(Violation(get_rule("H102"), "head body"))
    collector.add(Violation(get_rule("H101"), "204 body"))
    assert [v.code for v in collector.violations()] == ["H101", "H102"]
