"""sample_requests(): legal, restricted like requests(), and deterministic for a seed."""

from __future__ import annotations

import hashlib
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from speccheck import UsageError
from speccheck.traffic import RequestPlan, sample_requests
from tests.traffic.wire import assert_legal, assert_round_trip

ROOT = Path(__file__).resolve().parents[2]


def test_every_sampled_request_is_legal_and_round_trips() -> None:
    plans = sample_requests(3000, seed=11, http_versions=("1.0", "1.1"))
    assert len(plans) == 3000
    for plan in plans:
        assert_legal(plan)
        assert_round_trip(plan)


def test_same_seed_same_list_other_seed_other_list() -> None:
    first = sample_requests(2000, seed=5)
    assert sample_requests(2000, seed=5) == first
    assert sample_requests(2000, seed=6) != first
    assert sample_requests(100, seed=5) == first[:100]  # the bases are drawn the same way
    assert len(set(first)) > 1500  # variations, not copies


def test_seed_is_reproducible_in_another_program(tmp_path: Path) -> None:
    # A fresh interpreter with an extra local module imported: hypothesis would draw
    # constants from it by default; the bases must not change.
    code = textwrap.dedent(
        """
        import hashlib, sys
        sys.path.insert(0, {tmp!r})
        import extra_local_module
        from speccheck.traffic import sample_requests
        print(hashlib.sha256(repr(sample_requests(300, seed=3)).encode()).hexdigest())
        """
    )
    here = hashlib.sha256(repr(sample_requests(300, seed=3)).encode()).hexdigest()
    module_dir = tmp_path
    (module_dir / "extra_local_module.py").write_text('CONSTANTS = ["GET", "/odd", 12345, b"\\xff", "x-thing"]\n')
    out = subprocess.run(
        [sys.executable, "-c", code.format(tmp=str(module_dir))],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    assert out.stdout.strip() == here


def test_restrictions_hold_for_variations() -> None:
    plans = sample_requests(
        2000,
        seed=2,
        methods=["POST", "GET", "QUERY"],
        paths=["/api/"],
        max_body=300,
        framings=["content-length", "none"],
    )
    for plan in plans:
        assert plan.method in ("POST", "GET", "QUERY")
        assert plan.target.startswith(b"/api/")
        assert len(plan.body) <= 300
        assert plan.framing in ("content-length", "none")
        assert_legal(plan)
    assert {p.method for p in plans} == {"POST", "GET", "QUERY"}
    assert any(len(p.body) > 32 for p in plans)


def test_variations_cover_framings_and_splits() -> None:
    plans = sample_requests(2000, seed=9, methods=["POST"], bases=4)
    assert {p.framing for p in plans} == {"content-length", "chunked", "none"}
    assert any(len(p.chunks) > 1 and p.framing == "chunked" for p in plans)
    assert any(len(p.body) > 4096 for p in plans)


def test_zero_and_small_n() -> None:
    assert sample_requests(0, seed=1) == []
    assert len(sample_requests(3, seed=1)) == 3


@pytest.mark.parametrize(
    "kwargs",
    [{"n": -1}, {"n": 1.5}, {"n": 5, "seed": "x"}, {"n": 5, "bases": 0}, {"n": 5, "max_body": -3}],
)
def test_bad_arguments(kwargs: dict[str, object]) -> None:
    with pytest.raises(UsageError):
        sample_requests(**kwargs)  # type: ignore[arg-type]


def test_deterministic_from_concurrent_threads() -> None:
    expected = {seed: sample_requests(300, seed=seed) for seed in range(3)}
    results: dict[int, list[list[RequestPlan]]] = {seed: [] for seed in range(3)}

    def work(seed: int) -> None:
        for _ in range(2):
            results[seed].append(sample_requests(300, seed=seed))

    threads = [threading.Thread(target=work, args=(seed,)) for seed in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not any(t.is_alive() for t in threads)
    assert all(runs == [expected[seed]] * 2 for seed, runs in results.items())


@settings(max_examples=2, database=None, deadline=None)
@given(st.integers())
def test_inside_given_is_a_clear_usage_error(number: int) -> None:
    with pytest.raises(UsageError, match="cannot run inside a @given test"):
        sample_requests(10, seed=number)
