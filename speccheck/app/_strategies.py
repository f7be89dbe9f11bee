"""What app mode generates: requests aimed at the app's routes, and the legal
deliveries of each (requests: hypothesis strategies; deliveries: drawn from a seeded
`random.Random`; the drivers define the delivery values)."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from random import Random

from hypothesis import strategies as st

from asgi_checks._driver import ASGIDelivery, RawPath
from speccheck.traffic import RequestPlan, requests
from wsgi_checks._driver import WSGIDelivery

__all__ = ["Route", "app_requests", "asgi_delivery", "wsgi_delivery"]

_BODY_METHODS = ("POST", "PUT", "PATCH")
_CONTENT_TYPES = (b"application/json", b"application/x-www-form-urlencoded", b"text/plain", b"application/octet-stream")


@dataclass(frozen=True, slots=True)
class Route:
    """A path the app serves (parameters already filled in) and its methods, if known;
    ``("WS",)`` marks a websocket route."""

    path: bytes
    methods: tuple[str, ...] = ()


def _json_body() -> st.SearchStrategy[bytes]:
    values = st.recursive(
        st.none() | st.booleans() | st.integers(-1000, 1000) | st.text(max_size=12),
        lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
        max_leaves=8,
    )
    import json

    return values.map(lambda v: json.dumps(v).encode())


def _bodies() -> st.SearchStrategy[tuple[bytes, bytes]]:
    json_body = st.tuples(st.just(b"application/json"), _json_body())
    form = st.tuples(
        st.just(b"application/x-www-form-urlencoded"),
        st.lists(st.tuples(st.sampled_from(["a", "name", "q"]), st.text("abc xyz123", max_size=8)), max_size=4).map(
            lambda pairs: "&".join(f"{k}={v.replace(' ', '+')}" for k, v in pairs).encode()
        ),
    )
    raw = st.tuples(st.sampled_from(_CONTENT_TYPES), st.binary(min_size=1, max_size=300))
    big = st.tuples(
        st.just(b"application/octet-stream"),
        st.integers(1, 70000).map(lambda n: bytes(range(256)) * (n // 256) + b"x" * (n % 256)),
    )
    return st.one_of(json_body, form, raw, raw, big)


_DEFAULT_METHODS = ("GET", "POST", "PUT", "HEAD")
_NO_BODY_METHODS = ("GET", "HEAD", "DELETE", "OPTIONS", "TRACE")
_QUERIES = st.sampled_from([b"", b"", b"?a=1", b"?q=x&q=y", b"?"])
_ACCEPTS = st.sampled_from([b"*/*", b"application/json", b"text/html"])
_FRAMINGS = st.sampled_from(["content-length", "content-length", "chunked"])
_BOOLEANS = st.booleans()
_BODY_ROLL = st.integers(0, 4)


def _route_requests(routes: Sequence[Route]) -> Callable[[], st.SearchStrategy[RequestPlan]]:
    """A maker of route-request strategies that share their sub-strategies, built once:
    built inside each draw they cost hypothesis a fresh validation every time."""
    route_st = st.sampled_from(list(routes))
    methods_st = {route: st.sampled_from(route.methods or _DEFAULT_METHODS) for route in routes}
    bodies_st = _bodies()

    @st.composite
    def route_request(draw: st.DrawFn) -> RequestPlan:
        route = draw(route_st)
        method = draw(methods_st[route])
        query = draw(_QUERIES)
        headers: list[tuple[bytes, bytes]] = []
        if draw(_BOOLEANS):
            headers.append((b"accept", draw(_ACCEPTS)))
        body = b""
        framing = "none" if method in ("GET", "HEAD", "DELETE", "OPTIONS") else "content-length"
        if method not in _NO_BODY_METHODS and draw(_BODY_ROLL):
            content_type, body = draw(bodies_st)
            headers.append((b"content-type", content_type))
            framing = draw(_FRAMINGS)
        return RequestPlan(method=method, target=route.path + query, headers=tuple(headers), body=body, framing=framing)  # type: ignore[arg-type]

    return route_request


def _uppercase_method(plan: RequestPlan) -> RequestPlan:
    return plan if plan.method.isupper() else dataclasses.replace(plan, method=plan.method.upper())


def app_requests(routes: Sequence[Route], max_body: int = 70000) -> st.SearchStrategy[RequestPlan]:
    """Mostly well-formed requests to known routes, some odd legal ones from `requests()`."""
    routes = [r for r in routes if r.methods != ("WS",)] or [Route(b"/")]
    prefixes = sorted({r.path for r in routes})
    # ASGI: method is "The HTTP method name, uppercased"; WSGI servers pass it through. The
    # drivers only deliver what a server may, so extension methods come uppercased here.
    odd = requests(paths=prefixes, max_body=min(max_body, 4096)).map(_uppercase_method)
    route_request = _route_requests(routes)
    # three route requests to one odd one (one_of() drops a branch repeated as the same object)
    return st.one_of(route_request(), route_request(), route_request(), odd)


def _splits(rng: Random, size: int, allow_empty: bool) -> tuple[int, ...]:
    """1-6 piece sizes, each at most 64 or at most the whole body, with the edges (an
    empty piece where allowed, one byte, the whole body) drawn often."""
    low = 0 if allow_empty else 1
    if size == 0:
        return (0,) * rng.randint(0, 2) if allow_empty else ()
    pieces: list[int] = []
    for _ in range(rng.randint(1, 6)):
        if rng.random() < 0.25:
            pieces.append(rng.choice((low, 1, size)))
        else:
            pieces.append(rng.randint(low, max(1, min(size, 64)) if rng.random() < 0.5 else size))
    return tuple(pieces)


_SPEC_VERSIONS = ("2.4", "", "2.0", "2.3", "2.5")
_RAW_PATHS: tuple[RawPath, ...] = ("bytes", "none", "absent")

# The deliveries are drawn from a `random.Random` seeded by one hypothesis draw: app mode
# shrinks deliveries itself (`_shrink`), so hypothesis gains nothing from drawing each
# field, and a dozen draws per example cost more than the bare app call (issue #5 speed).


def asgi_delivery(rng: Random, body_size: int) -> ASGIDelivery:
    """A non-baseline legal delivery: one dimension or several changed."""
    bits = rng.getrandbits(8)
    return ASGIDelivery(
        split=_splits(rng, body_size, allow_empty=True),
        trailing_empty=bool(bits & 1),
        disconnect_mid=False,
        root_path=bool(bits & 2),
        client=bool(bits & 4),
        server=bool(bits & 8),
        raw_path=rng.choice(_RAW_PATHS),
        spec_version=rng.choice(_SPEC_VERSIONS),
        extensions=bool(bits & 16),
        state=bool(bits & 32),
        omit_defaults=bool(bits & 64),
        response_extensions=bool(bits & 128),
    )


def wsgi_delivery(rng: Random, body_size: int) -> WSGIDelivery:
    bits = rng.getrandbits(6)
    return WSGIDelivery(
        split=_splits(rng, body_size, allow_empty=False),
        script_name=bool(bits & 1),
        empty_query=bool(bits & 2),
        empty_content_length=bool(bits & 4),
        multithread=bool(bits & 8),
        multiprocess=bool(bits & 16),
        file_wrapper=bool(bits & 32),
    )
