"""The request-target rules (A215 query_string encoded, A216 path vs raw_path), A707
(spec_version major) and where app findings made after the app returned point."""

from __future__ import annotations

from typing import Any

import pytest

from asgi_checks import ASGILint
from fixtures.asgi.apps import RECV, hello, lifespan_app, script, start
from fixtures.asgi.harness import http_scope, lifespan_scope, run_sync, ws_scope

REQ = [{"type": "http.request", "body": b""}]


def codes(scope: dict[str, Any], app: Any = hello, select: str = "A215,A216,A707", events: Any = None) -> set[str]:
    lint = ASGILint(app, mode="collect", select=select)
    run_sync(lint, scope, REQ if events is None else events)
    return {v.code for v in lint.violations}


# What servers really do, all of it allowed: (raw_path, root_path, path).
ACCEPTED = [
    (b"/", "", "/"),
    (b"/caf%C3%A9", "", "/caf\u00e9"),
    (b"/caf%c3%a9", "", "/caf\u00e9"),
    (b"/caf\xc3\xa9", "", "/caf\u00e9"),  # raw UTF-8 on the wire, decoded
    (b"/a%2Fb", "", "/a/b"),  # encoded slash decoded (uvicorn, hypercorn)
    (b"/a%2Fb", "", "/a%2Fb"),  # ... or kept apart from the separators
    (b"/a%2fb%20c", "", "/a%2fb c"),
    (b"/a/./b/../c", "", "/a/c"),  # dot-segments removed
    (b"/a/./b/../c", "", "/a/./b/../c"),  # ... or not
    (b"/a/%2E%2E/c", "", "/c"),
    (b"//x//y", "", "/x//y"),  # leading // collapsed
    (b"/%FF%FE", "", "/\ufffd\ufffd"),  # invalid UTF-8: the spec is silent, anything passes
    (b"/%FF", "", "/%FF"),
    (b"/%ZZ", "", "/%ZZ"),  # not an escape: stays literal
    (b"/api/x", "/api", "/api/x"),  # root_path in both (uvicorn --root-path)
    (b"/x", "/api", "/api/x"),  # root_path only in path
    (b"/api/x", "/api", "/x"),  # root_path only in raw_path
    (b"/x", "/api", "/x"),
    (b"/my%20app/x", "/my app", "/my app/x"),
    (b"*", "", "*"),  # OPTIONS *
    (b"", "", "/"),
    (b"http://h/p%20q", "", "http://h/p q"),  # absolute-form target kept whole
]
REFUSED = [
    (b"/caf%C3%A9", "", "/caf%C3%A9"),  # not decoded
    (b"/caf%C3%A9", "", "/caf\u00c3\u00a9"),  # decoded as latin-1
    (b"/a b", "", "/a%20b"),  # re-encoded
    (b"/a", "", "/b"),
    (b"/a", "", "/a/"),
    (b"/x", "/api", "/other/x"),
    (b"/A", "", "/a"),
]


@pytest.mark.parametrize(("raw", "root", "path"), ACCEPTED)
def test_path_matching_raw_path_is_silent(raw: bytes, root: str, path: str) -> None:
    assert codes(http_scope(raw_path=raw, root_path=root, path=path)) == set()


@pytest.mark.parametrize(("raw", "root", "path"), REFUSED)
def test_path_not_matching_raw_path_is_a216(raw: bytes, root: str, path: str) -> None:
    assert codes(http_scope(raw_path=raw, root_path=root, path=path)) == {"A216"}


def test_a216_on_websocket_scopes_and_not_without_raw_path() -> None:
    assert codes(ws_scope(raw_path=b"/a%20b", path="/a%20b")) == {"A216"}
    assert codes(ws_scope(raw_path=b"/a%20b", path="/a b")) == set()
    assert codes(http_scope(raw_path=None, path="/anything")) == set()
    assert codes({k: v for k, v in http_scope(path="/x").items() if k != "raw_path"}) == set()


@pytest.mark.parametrize(
    "query",
    [b"", b"a=1&b=2", b"q=a+b%20c", b"x=%FF%00", b"path=/a/b?c", b"k", b"=&&=", b"a=%", b"%7e~!$'()*,;:@"],
)
def test_encoded_query_strings_are_silent(query: bytes) -> None:
    assert codes(http_scope(query_string=query)) == set()
    assert codes(ws_scope(query_string=query)) == set()


@pytest.mark.parametrize("query", [b"q=a b", b"q=caf\xc3\xa9", b"q=\x00", b"q=\x7f", b"q=a\tb", b"\xff"])
def test_raw_bytes_in_query_string_are_a215(query: bytes) -> None:
    assert codes(http_scope(query_string=query)) == {"A215"}


def test_a215_reports_each_kind_once() -> None:
    lint = ASGILint(hello, mode="collect", select="A215")
    for query in (b"a b", b"c d", "é".encode(), b"\x01"):
        run_sync(lint, http_scope(query_string=query), REQ)
    found = lint.violations
    assert sorted(v.message for v in found) == [
        "query_string holds a control byte that is not percent-encoded",
        "query_string holds a non-ASCII byte that is not percent-encoded",
        "query_string holds space that is not percent-encoded",
    ]
    assert {v.count for v in found if "space" in v.message} == {2}


@pytest.mark.parametrize("version", ["2.0", "2.5", "2.17", "2.99"])
def test_any_minor_version_of_2_passes(version: str) -> None:
    assert codes(http_scope(asgi={"version": "3.0", "spec_version": version})) == set()
    assert codes(ws_scope(asgi={"version": "3.0", "spec_version": version})) == set()


@pytest.mark.parametrize("version", ["1.0", "2.0", "1.7"])
def test_lifespan_spec_versions_pass(version: str) -> None:
    scope = lifespan_scope(asgi={"version": "3.0", "spec_version": version})
    lint = ASGILint(lifespan_app, mode="collect", select="A707")
    run_sync(lint, scope, [{"type": "lifespan.startup"}, {"type": "lifespan.shutdown"}])
    assert lint.violations == []


@pytest.mark.parametrize(("kind", "version"), [("http", "3.0"), ("http", "1.0"), ("websocket", "10.2")])
def test_other_majors_are_a707(kind: str, version: str) -> None:
    make = http_scope if kind == "http" else ws_scope
    assert codes(make(asgi={"version": "3.0", "spec_version": version})) == {"A707"}


def test_malformed_spec_version_is_a105_not_a707() -> None:
    assert codes(http_scope(asgi={"version": "3.0", "spec_version": "3"}), select="A105,A707") == {"A105"}


async def unfinished(scope: Any, receive: Any, send: Any) -> None:
    await receive()
    await send(start())


class UnfinishedApp:
    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        await receive()
        await send(start())


class UnfinishedLegacy:
    """An ASGI2 double callable that never completes its response."""

    def __init__(self, scope: Any) -> None:
        self.scope = scope

    async def __call__(self, receive: Any, send: Any) -> None:
        await receive()
        await send(start())


@pytest.mark.parametrize(
    ("app", "function"),
    [(unfinished, "unfinished"), (UnfinishedApp(), "__call__"), (UnfinishedLegacy, "__call__")],
)
def test_finding_after_return_points_at_the_app(app: Any, function: str) -> None:
    """A314 is found once the app has returned: the app is off the stack, so the finding
    names where the app is defined."""
    lint = ASGILint(app, mode="collect", select="A314")
    run_sync(lint, http_scope(), REQ)
    (found,) = lint.violations
    assert found.location is not None
    assert found.location.file == __file__
    assert found.location.function == function


def test_lifespan_finding_after_return_points_at_the_app() -> None:
    app = script(RECV)  # never answers lifespan.startup: A513 once it returned
    lint = ASGILint(app, mode="collect", select="A513")
    run_sync(lint, lifespan_scope(), [{"type": "lifespan.startup"}])
    (found,) = lint.violations
    assert found.location is not None
    assert found.location.file.endswith("apps.py")
    assert found.location.function == "app"


def test_pathsend_content_length_must_be_the_file_size() -> None:
    scope = http_scope(extensions={"http.response.pathsend": {}})
    send = {"type": "http.response.pathsend", "path": __file__}
    wrong = script(RECV, start(200, [[b"content-type", b"text/plain"], [b"content-length", b"3"]]), send)
    lint = ASGILint(wrong, mode="collect", select="A610")
    run_sync(lint, scope, REQ)
    assert [v.message for v in lint.violations] == ["pathsend response Content-Length is not the file's size"]
    missing = script(RECV, start(200, [[b"content-length", b"3"]]), send)
    lint = ASGILint(missing, mode="collect", select="A610")
    run_sync(lint, scope, REQ)
    assert [v.observed for v in lint.violations] == ["content-type"]
    gone = {"type": "http.response.pathsend", "path": "/no/such/file"}
    lint = ASGILint(
        script(RECV, start(200, [[b"content-type", b"text/plain"], [b"content-length", b"3"]]), gone),
        mode="collect",
        select="A610",
    )
    run_sync(lint, scope, REQ)
    assert lint.violations == []  # a missing file is the server's to answer
