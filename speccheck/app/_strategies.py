"""What app mode generates: requests aimed at the app's routes, and the legal
deliveries of each (hypothesis strategies; the drivers define the delivery values)."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass

from hypothesis import strategies as st

from asgi_checks._driver import ASGIDelivery
from speccheck.traffic import RequestPlan, requests
from wsgi_checks._driver import WSGIDelivery

__all__ = ["Route", "app_requests", "asgi_deliveries", "wsgi_deliveries"]

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


@st.composite
def _route_request(draw: st.DrawFn, routes: Sequence[Route]) -> RequestPlan:
    route = draw(st.sampled_from(list(routes)))
    method = draw(st.sampled_from(route.methods or ("GET", "POST", "PUT", "HEAD")))
    query = draw(st.sampled_from([b"", b"", b"?a=1", b"?q=x&q=y", b"?"]))
    headers: list[tuple[bytes, bytes]] = []
    if draw(st.booleans()):
        headers.append((b"accept", draw(st.sampled_from([b"*/*", b"application/json", b"text/html"]))))
    body = b""
    framing = "none" if method in ("GET", "HEAD", "DELETE", "OPTIONS") else "content-length"
    if method not in ("GET", "HEAD", "DELETE", "OPTIONS", "TRACE") and draw(st.integers(0, 4)):
        content_type, body = draw(_bodies())
        headers.append((b"content-type", content_type))
        framing = draw(st.sampled_from(["content-length", "content-length", "chunked"]))
    return RequestPlan(method=method, target=route.path + query, headers=tuple(headers), body=body, framing=framing)  # type: ignore[arg-type]


def _uppercase_method(plan: RequestPlan) -> RequestPlan:
    return plan if plan.method.isupper() else dataclasses.replace(plan, method=plan.method.upper())


def app_requests(routes: Sequence[Route], max_body: int = 70000) -> st.SearchStrategy[RequestPlan]:
    """Mostly well-formed requests to known routes, some odd legal ones from `requests()`."""
    routes = [r for r in routes if r.methods != ("WS",)] or [Route(b"/")]
    prefixes = sorted({r.path for r in routes})
    # ASGI: method is "The HTTP method name, uppercased"; WSGI servers pass it through. The
    # drivers only deliver what a server may, so extension methods come uppercased here.
    odd = requests(paths=prefixes, max_body=min(max_body, 4096)).map(_uppercase_method)
    return st.one_of(_route_request(routes), _route_request(routes), _route_request(routes), odd)


def _splits(size: int, allow_empty: bool) -> st.SearchStrategy[tuple[int, ...]]:
    low = 0 if allow_empty else 1
    if size == 0:
        return st.lists(st.just(0), max_size=2).map(tuple) if allow_empty else st.just(())
    piece = st.integers(low, max(1, min(size, 64))) | st.integers(low, size)
    return st.lists(piece, min_size=1, max_size=6).map(tuple)


@st.composite
def asgi_deliveries(draw: st.DrawFn, body_size: int) -> ASGIDelivery:
    """A non-baseline legal delivery: one dimension or several changed."""
    return ASGIDelivery(
        split=draw(_splits(body_size, allow_empty=True)),
        trailing_empty=draw(st.booleans()),
        disconnect_mid=False,
        root_path=draw(st.booleans()),
        client=draw(st.booleans()),
        server=draw(st.booleans()),
        raw_path=draw(st.sampled_from(["bytes", "none", "absent"])),
        spec_version=draw(st.sampled_from(["2.4", "", "2.0", "2.3", "2.5"])),
        extensions=draw(st.booleans()),
        state=draw(st.booleans()),
        omit_defaults=draw(st.booleans()),
        response_extensions=draw(st.booleans()),
    )


@st.composite
def wsgi_deliveries(draw: st.DrawFn, body_size: int) -> WSGIDelivery:
    return WSGIDelivery(
        split=draw(_splits(body_size, allow_empty=False)),
        script_name=draw(st.booleans()),
        empty_query=draw(st.booleans()),
        empty_content_length=draw(st.booleans()),
        multithread=draw(st.booleans()),
        multiprocess=draw(st.booleans()),
        file_wrapper=draw(st.booleans()),
    )
