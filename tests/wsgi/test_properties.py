"""Property tests: any correct app under the strict harness leaves WSGILint silent, and
one injected defect is reported as exactly its rule."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fixtures.wsgi.harness import STRICT, Request
from wsgi_checks import WSGILint

TCHAR = "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
RESERVED = {"connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te", "trailers"}
RESERVED |= {"transfer-encoding", "upgrade", "status", "content-length"}

names = st.text(TCHAR, min_size=1, max_size=12).filter(lambda n: n.lower() not in RESERVED)
# field values: VCHAR, obs-text, SP and HTAB (no other control characters)
values = st.text(
    st.characters(min_codepoint=0x20, max_codepoint=0xFF, blacklist_characters="\x7f") | st.just("\t"), max_size=20
)
reasons = st.text(
    st.characters(min_codepoint=0x20, max_codepoint=0xFF, blacklist_characters="\x7f"), min_size=1, max_size=12
).map(lambda r: r.strip() or "OK")
codes = st.sampled_from([100, 103, 200, 201, 204, 206, 301, 302, 304, 307, 400, 404, 418, 500, 503, 599])
chunks = st.lists(st.binary(max_size=30), max_size=6)
deliveries = st.sampled_from(["list", "tuple", "generator", "lazy-generator", "write", "sized", "error-first"])
reads = st.sampled_from(["none", "read()", "read(n)", "readline(size)", "lines", "iterate"])


class Sized:
    def __init__(self, items: list[bytes]) -> None:
        self.items = items

    def __len__(self) -> int:
        return len(self.items)

    def __iter__(self) -> Iterator[bytes]:
        return iter(self.items)

    def close(self) -> None:
        pass


def make_app(code: int, reason: str, headers: list[tuple[str, str]], body: list[bytes], delivery: str, read: str,
             with_length: bool) -> Any:  # fmt: skip
    if code < 200 or code in (204, 304):
        body = []
    headers = list(headers)
    if with_length and not (code < 200 or code == 204):
        headers.append(("Content-Length", str(sum(map(len, body)))))
    status = f"{code} {reason}"

    def consume(environ: dict[str, Any]) -> None:
        stream = environ["wsgi.input"]
        length = int(environ.get("CONTENT_LENGTH") or 0)
        if read == "read()":
            stream.read()
        elif read == "read(n)":
            stream.read(length)
        elif read == "readline(size)":
            while stream.readline(7):
                pass
        elif read == "lines":
            stream.readline()
            stream.readlines()
        elif read == "iterate":
            list(stream)

    def app(environ: dict[str, Any], start_response: Any) -> Any:
        consume(environ)
        if delivery == "lazy-generator":
            return lazy(start_response)
        if delivery == "error-first":
            start_response("200 OK", [])
            try:
                raise RuntimeError("changed my mind")
            except RuntimeError:
                start_response(status, headers, sys.exc_info())
            return list(body)
        write = start_response(status, headers)
        if delivery == "list":
            return list(body)
        if delivery == "tuple":
            return tuple(body)
        if delivery == "write":
            for chunk in body:
                write(chunk)
            return []
        if delivery == "sized":
            return Sized(list(body))
        return iter_body()

    def lazy(start_response: Any) -> Iterator[bytes]:
        start_response(status, headers)
        yield from body

    def iter_body() -> Iterator[bytes]:
        yield from body

    return app


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    code=codes,
    reason=reasons,
    headers=st.lists(st.tuples(names, values), max_size=5),
    body=chunks,
    delivery=deliveries,
    read=reads,
    with_length=st.booleans(),
    method=st.sampled_from(["GET", "POST", "HEAD", "PUT"]),
    request_body=st.binary(max_size=40),
)
def test_correct_apps_are_silent(
    code: int, reason: str, headers: list[tuple[str, str]], body: list[bytes], delivery: str, read: str,
    with_length: bool, method: str, request_body: bytes,
) -> None:  # fmt: skip
    app = make_app(code, reason, headers, body, delivery, read, with_length)
    lint = WSGILint(app, mode="collect")
    response = STRICT.serve(lint, Request(method=method, body=request_body))
    assert response.error is None, response.error
    assert [v.one_line() for v in lint.finish()] == []


DEFECTS: dict[str, Any] = {
    "W512": lambda h, b: ("200", h, b),
    "W513": lambda h, b: ("200 OK\n", h, b),
    "W517": lambda h, b: ("200 OK", [*h, ("Bad Name", "x")], b),
    "W518": lambda h, b: ("200 OK", [*h, ("X-Split", "a\r\nb")], b),
    "W519": lambda h, b: ("200 OK", [*h, ("X-Euro", "\u20ac")], b),
    "W520": lambda h, b: ("200 OK", [*h, ("Keep-Alive", "timeout=5")], b),
    "W502": lambda h, b: ("200 OK", h, [*b, "text"]),
    "H103": lambda h, b: ("200 OK", [*h, ("Content-Length", str(sum(map(len, b)) + 1))], b),
}


@settings(max_examples=120, deadline=None)
@given(
    defect=st.sampled_from(sorted(DEFECTS)),
    headers=st.lists(st.tuples(names, values), max_size=4),
    body=chunks,
    generator=st.booleans(),
)
def test_one_defect_one_finding(
    defect: str, headers: list[tuple[str, str]], body: list[bytes], generator: bool
) -> None:
    status, bad_headers, bad_body = DEFECTS[defect](headers, body)

    def app(environ: dict[str, Any], start_response: Any) -> Any:
        start_response(status, bad_headers)
        return iter(bad_body) if generator else list(bad_body)

    lint = WSGILint(app, mode="collect")
    STRICT.serve(lint)
    assert {v.code for v in lint.finish()} == {defect}
