"""``sample_requests()``: many legal requests fast, deterministic for a seed.

Hypothesis draws a rich request at a few hundred per second, too slow for a server run
that checks thousands of exchanges a second. So a few base requests come from the
``requests()`` strategy (run through ``@given``: ``strategy.example()`` is for
interactive use only and warns elsewhere), and cheap seeded variations of them do the
rest: re-split chunks, flip framing, reorder, duplicate, drop and re-case headers, new
body sizes, another method, one more query pair or path segment. Every variation keeps
the legality rules and restrictions of ``requests()`` (one shared ``RequestOptions``).
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable
from dataclasses import replace
from typing import Any, TypeVar

from hypothesis import HealthCheck, Phase, currently_in_test_context, given, settings
from hypothesis import seed as hypothesis_seed
from hypothesis.internal.conjecture.providers import AVAILABLE_PROVIDERS, HypothesisProvider
from hypothesis.strategies import SearchStrategy

from speccheck._errors import UsageError
from speccheck.traffic._abnf import pct_encode
from speccheck.traffic._headers import vary_case
from speccheck.traffic._options import DEFAULT_MAX_BODY, STANDARD_METHODS, RequestOptions
from speccheck.traffic._plans import RequestPlan
from speccheck.traffic._requests import _request_strategy, body_bytes, chunk_splits

__all__ = ["sample_requests"]

_EXTRA_PAIRS = (b"a=1", b"a=2", b"", b"k", b"q=a+b", b"x=%FF", b"e=%C3%A9", b"s=%2F", b"t=?/")
_EXTRA_SEGMENTS = (b"", b".", b"..", b"%2F", b"a", b"%C3%A9", b"%FF", b"x+y")


class _SeededProvider(HypothesisProvider):
    """Hypothesis' own provider without "local constants": by default hypothesis sometimes
    draws constants found in the source of the modules that happen to be imported, so the
    same seed gives other examples under pytest than under the CLI. Without them a seed
    gives the same examples in every program (for one hypothesis version)."""

    def _maybe_draw_constant(self, choice_type: Any, constraints: Any, *, p: float = 0.05) -> None:
        return None


_BACKEND = "speccheck-seeded"


_T = TypeVar("_T")


def _collect(strategy: SearchStrategy[_T], count: int, seed: int) -> list[_T]:
    found: list[_T] = []
    # The documented way to add a backend (see hypothesis.internal.conjecture.providers).
    AVAILABLE_PROVIDERS.setdefault(_BACKEND, _SeededProvider)

    @hypothesis_seed(seed)
    @settings(
        max_examples=count,
        database=None,
        deadline=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
        derandomize=False,
        backend=_BACKEND,
    )
    @given(strategy)
    def collect(plan: _T) -> None:
        found.append(plan)

    collect()
    return found


def _resplit(rng: random.Random, plan: RequestPlan, options: RequestOptions) -> RequestPlan:
    size = len(plan.body)
    if size < 2:
        return plan
    cuts = [rng.randrange(1, size) for _ in range(rng.randrange(0, 8))]
    return replace(plan, chunks=chunk_splits(size, cuts))


def _reframe(rng: random.Random, plan: RequestPlan, options: RequestOptions) -> RequestPlan:
    choices = options.framings_for(plan.method, plan.http_version, has_body=bool(plan.body))
    return replace(plan, framing=rng.choice(choices))


def _shuffle_headers(rng: random.Random, plan: RequestPlan, options: RequestOptions) -> RequestPlan:
    headers = list(plan.headers)
    rng.shuffle(headers)
    return replace(plan, headers=tuple(headers))


def _duplicate_header(rng: random.Random, plan: RequestPlan, options: RequestOptions) -> RequestPlan:
    if not plan.headers or len(plan.headers) >= options.max_headers:
        return plan
    name, value = rng.choice(plan.headers)
    headers = list(plan.headers)
    headers.insert(rng.randrange(len(headers) + 1), (vary_case(name, rng.getrandbits(16)), value))
    return replace(plan, headers=tuple(headers))


def _drop_header(rng: random.Random, plan: RequestPlan, options: RequestOptions) -> RequestPlan:
    if not plan.headers:
        return plan
    headers = list(plan.headers)
    del headers[rng.randrange(len(headers))]
    return replace(plan, headers=tuple(headers))


def _recase_headers(rng: random.Random, plan: RequestPlan, options: RequestOptions) -> RequestPlan:
    return replace(plan, headers=tuple((vary_case(n, rng.getrandbits(16)), v) for n, v in plan.headers))


def _new_body(rng: random.Random, plan: RequestPlan, options: RequestOptions) -> RequestPlan:
    if not options.may_have_body(plan.method, plan.http_version):
        return plan
    roll = rng.random()
    limit = options.max_body if roll < 0.1 else min(options.max_body, 1024 if roll < 0.3 else 32)
    size = rng.randint(0, limit)
    body = body_bytes(size, rng.getrandbits(32), rng.randrange(3))
    framing = plan.framing
    if body and framing == "none":
        framing = rng.choice(options.framings_for(plan.method, plan.http_version, has_body=True))
    cuts = [rng.randrange(1, size) for _ in range(rng.randrange(0, 4))] if size > 1 else []
    return replace(plan, body=body, framing=framing, chunks=chunk_splits(size, cuts) if cuts else ())


def _new_method(rng: random.Random, plan: RequestPlan, options: RequestOptions) -> RequestPlan:
    method = rng.choice(options.methods or STANDARD_METHODS)
    if not options.framings_for(method, plan.http_version, has_body=False):
        return plan
    if plan.body and not options.may_have_body(method, plan.http_version):
        plan = replace(plan, body=b"", chunks=())
    framings = options.framings_for(method, plan.http_version, has_body=bool(plan.body))
    framing = plan.framing if plan.framing in framings else rng.choice(framings)
    return replace(plan, method=method, framing=framing)


def _extend_target(rng: random.Random, plan: RequestPlan, options: RequestOptions) -> RequestPlan:
    path, sep, query = plan.target.partition(b"?")
    if rng.random() < 0.5:
        pair = rng.choice(_EXTRA_PAIRS)
        query = query + b"&" + pair if sep and query else pair
        return replace(plan, target=path + b"?" + query)
    segment = rng.choice(_EXTRA_SEGMENTS) if rng.random() < 0.3 else pct_encode(rng.randbytes(rng.randrange(1, 4)))
    path = path + segment if path.endswith(b"/") else path + b"/" + segment
    return replace(plan, target=path + sep + query)


_Mutation = Callable[[random.Random, RequestPlan, RequestOptions], RequestPlan]
_MUTATIONS: tuple[_Mutation, ...] = (
    _resplit,
    _reframe,
    _shuffle_headers,
    _duplicate_header,
    _drop_header,
    _recase_headers,
    _new_body,
    _new_method,
    _extend_target,
)


def sample_requests(
    n: int,
    seed: int = 0,
    *,
    bases: int = 32,
    methods: Iterable[str] | None = None,
    paths: Iterable[str | bytes] | None = None,
    max_body: int = DEFAULT_MAX_BODY,
    framings: Iterable[str] | None = None,
    http_versions: Iterable[str] = ("1.1",),
    max_headers: int = 12,
) -> list[RequestPlan]:
    """``n`` legal requests, the same list for the same ``seed`` and arguments.

    The first ``bases`` come from the ``requests()`` strategy (same keyword arguments,
    same guarantees); the rest are seeded variations of them, produced at tens of
    thousands per second. Thread-safe. Call it outside hypothesis tests: it runs its own
    ``@given``, and hypothesis refuses nested ``@given`` (``UsageError`` inside one).
    Determinism holds in any program for one hypothesis version (the bases are drawn
    without hypothesis' "local constants"); another hypothesis version may draw other bases.
    """
    if not isinstance(n, int) or isinstance(n, bool) or n < 0:
        raise UsageError(f"n must be an int >= 0, got {n!r}")
    if not isinstance(seed, int) or isinstance(seed, bool):
        raise UsageError(f"seed must be an int, got {seed!r}")
    if not isinstance(bases, int) or isinstance(bases, bool) or bases < 1:
        raise UsageError(f"bases must be an int >= 1, got {bases!r}")
    if currently_in_test_context():
        raise UsageError(
            "sample_requests() runs its own hypothesis search and cannot run inside a @given test; "
            "call it outside (module level, a fixture), or draw from requests() with st.data()"
        )
    options = RequestOptions.build(
        methods=methods,
        paths=paths,
        max_body=max_body,
        framings=framings,
        http_versions=http_versions,
        max_headers=max_headers,
    )
    if n == 0:
        return []
    base_plans = _collect(_request_strategy(options), min(n, bases), seed)
    if not base_plans:  # pragma: no cover - hypothesis always generates at least one example
        raise UsageError("the requests() strategy produced no example for these arguments")
    out = base_plans[:n]
    rng = random.Random(seed)
    while len(out) < n:
        base = plan = rng.choice(base_plans)
        for _ in range(rng.randint(1, 3)):
            plan = rng.choice(_MUTATIONS)(rng, plan, options)
        if plan == base or rng.random() < 0.5:  # some mutations are no-ops (one header, one framing)
            plan = _extend_target(rng, plan, options)
        out.append(plan)
    return out
