"""malformed_requests(): each kind is broken in its labelled way, and h11 (a strict
server-side parser) rejects it, or, where the RFC lets a server accept it, does the
documented alternative."""

from __future__ import annotations

import h11
import pytest
from hypothesis import HealthCheck, given, settings

from speccheck import UsageError
from speccheck.traffic import MALFORMED_KINDS, MalformedKind, MalformedRequest, RequestPlan, malformed_requests
from tests.traffic.wire import assert_legal, assert_round_trip, parse_as_server

SETTINGS = settings(max_examples=40, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
# What RFC 9112/9110 lets a server do, per kind; "must"/"should" kinds h11 rejects.
EXPECTED_REJECTION = {
    "content-length-and-chunked": "may",
    "conflicting-content-lengths": "must",
    "invalid-content-length": "must",
    "bad-chunk-size": "must",
    "missing-host": "must",
    "whitespace-before-colon": "must",
    "malformed-http-version": "should",
    "unsupported-http-version": "may",
    "obs-fold": "may",
}


def test_every_kind_is_labelled() -> None:
    assert set(MALFORMED_KINDS) == set(EXPECTED_REJECTION)


def check_labels(bad: MalformedRequest, kind: MalformedKind) -> None:
    assert bad.kind == kind
    assert bad.rejection == EXPECTED_REJECTION[kind]
    assert bad.reason
    assert bad.spec_url.startswith("https://www.rfc-editor.org/rfc/rfc91")
    assert "#section-" in bad.spec_url
    assert bad.to_bytes() == bad.data
    assert bad.data != bad.base.to_bytes()
    assert_legal(bad.base)
    assert_round_trip(bad.base)


@pytest.mark.parametrize("kind", [k for k, r in EXPECTED_REJECTION.items() if r != "may"])
def test_h11_rejects_kinds_a_server_must_or_should_reject(kind: MalformedKind) -> None:
    @SETTINGS
    @given(malformed_requests([kind]))
    def check(bad: MalformedRequest) -> None:
        check_labels(bad, kind)
        with pytest.raises(h11.RemoteProtocolError):
            parse_as_server(bad.data)

    check()


@SETTINGS
@given(malformed_requests(["content-length-and-chunked"]))
def test_cl_and_te_h11_processes_by_transfer_encoding_alone(bad: MalformedRequest) -> None:
    check_labels(bad, "content-length-and-chunked")
    lines = bad.data.split(b"\r\n\r\n", 1)[0].lower().split(b"\r\n")
    assert b"transfer-encoding: chunked" in lines
    assert any(line.startswith(b"content-length:") for line in lines)
    # RFC 9112 6.1: process it "in accordance with the Transfer-Encoding alone" (h11's choice).
    assert parse_as_server(bad.data).body == bad.base.body


@SETTINGS
@given(malformed_requests(["unsupported-http-version"]))
def test_unsupported_version_is_well_formed_and_h11_passes_it_on(bad: MalformedRequest) -> None:
    check_labels(bad, "unsupported-http-version")
    version = parse_as_server(bad.data).http_version
    assert version not in (b"1.0", b"1.1")
    assert int(version.split(b".")[0]) >= 2  # a server must look at it: h11 does not refuse it


@SETTINGS
@given(malformed_requests(["obs-fold"]))
def test_obs_fold_h11_unfolds_to_space(bad: MalformedRequest) -> None:
    check_labels(bad, "obs-fold")
    folded = [v for n, v in parse_as_server(bad.data).headers if n == b"X-Folded"]
    # RFC 9112 5.2: reject, or "replace each received obs-fold with one or more SP octets".
    assert folded == [b"first second"]


@SETTINGS
@given(malformed_requests())
def test_all_kinds_drawn_together(bad: MalformedRequest) -> None:
    assert bad.kind in MALFORMED_KINDS
    check_labels(bad, bad.kind)


@pytest.mark.parametrize("kinds", [[], ["nope"]])
def test_unknown_kind_is_a_usage_error(kinds: list[str]) -> None:
    with pytest.raises(UsageError, match="kinds must be"):
        malformed_requests(kinds)  # type: ignore[arg-type]


@pytest.mark.parametrize("kind", [k for k, r in EXPECTED_REJECTION.items() if r != "may"])
@pytest.mark.parametrize("body", [b"", b"hello"])
def test_every_variant_of_a_kind_is_rejected(kind: MalformedKind, body: bytes) -> None:
    # Each bad chunk size, Content-Length, version and whitespace variant, not just the drawn ones.
    from speccheck.traffic._malformed import _build

    base = RequestPlan("POST", b"/a?b", ((b"Accept", b"*/*"),), body, "content-length")
    for pick in range(16):
        with pytest.raises(h11.RemoteProtocolError):
            parse_as_server(_build(kind, base, pick, pick // 3))
