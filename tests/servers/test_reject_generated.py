"""The reject phase's generated malformed requests (``speccheck.traffic.sample_malformed``):
deterministic, every case names a rule, and each judge accepts every reaction RFC 9112
allows and flags only a broken message delivered as if it were sound."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest

from speccheck.client import WireResponse
from speccheck.server import check_server
from speccheck.server._reject_generated import generated_cases
from speccheck.traffic import MALFORMED_KINDS, sample_malformed

OK = WireResponse("ok", status=200)
RAW = Path(__file__).resolve().parents[2] / "fixtures" / "servers" / "rawserver.py"


def test_cases_are_deterministic_and_carry_the_id_placeholder() -> None:
    first = generated_cases(5, "asgi")
    assert [c.template for c in first] == [c.template for c in generated_cases(5, "asgi")]
    assert len(first) >= 12
    for case in first:
        raw = case.raw("abc1")
        assert raw.split(b"\r\n", 2)[1] == b"x-speccheck-id: abc1"
        assert case.code in {"S302", "S401", "S402", "S403", "S404", "S405", "S407", "S408", "S116"}


def test_unsupported_version_is_judged_on_asgi_only() -> None:
    # Only ASGI limits http_version to "1.0", "1.1" or "2"; PEP 3333 leaves SERVER_PROTOCOL free.
    asgi = {c.name for c in generated_cases(1, "asgi")}
    wsgi = {c.name for c in generated_cases(1, "wsgi")}
    assert wsgi <= asgi
    assert all("unsupported-http-version" in name for name in asgi - wsgi)


def test_sample_malformed_covers_the_kinds() -> None:
    kinds = {m.kind for m in sample_malformed(60, 0)}
    assert kinds == set(MALFORMED_KINDS)


def _case(kind: str) -> tuple[object, bytes]:
    for seed in range(20):
        for case in generated_cases(seed, "asgi"):
            if kind in case.name:
                return case, case.raw("i")
    raise AssertionError(f"no generated {kind} case")


def test_cl_te_judge_accepts_rejection_and_chunked_decoding_only() -> None:
    # RFC 9112 6.1: reject, or process "in accordance with the Transfer-Encoding alone".
    case, raw = _case("content-length-and-chunked")
    judge = case.judge  # type: ignore[attr-defined]
    head, _, chunked = raw.partition(b"\r\n\r\n")
    decoded = b""
    rest = chunked
    while True:
        size_line, _, rest = rest.partition(b"\r\n")
        size = int(size_line, 16)
        if size == 0:
            break
        decoded, rest = decoded + rest[:size], rest[size + 2 :]
    assert judge(None, OK) == []
    assert judge({"body": base64.b64encode(decoded).decode()}, OK) == []
    framed_by_cl = chunked[: int(head.lower().split(b"content-length: ")[1].split(b"\r\n")[0])]
    if framed_by_cl != decoded:
        assert {f.code for f in judge({"body": base64.b64encode(framed_by_cl).decode()}, OK)} == {"S302"}


@pytest.mark.parametrize(
    ("value", "ok"), [("first second", True), ("first  \tsecond", True), ("first\r\n second", False), ("second", False)]
)
def test_obs_fold_judge(value: str, ok: bool) -> None:
    # RFC 9112 5.2: reject with 400, or replace each obs-fold with SP before interpreting.
    case, _ = _case("obs-fold")
    judge = case.judge  # type: ignore[attr-defined]
    for obs in ({"environ": {"HTTP_X_FOLDED": value}}, {"scope": {"headers": [["x-folded", value]]}}):
        assert (judge(obs, OK) == []) is ok
    assert judge(None, OK) == []


@pytest.mark.servers
def test_lenient_server_is_caught_by_generated_values_too() -> None:
    # rawserver --defect lenient-cl accepts a Content-Length of "+<digits>"; the generated cases
    # add other bad values on other methods and targets: each one it accepts is counted too.
    command = f"{{python}} {RAW} --port {{port}} --interface wsgi --defect lenient-cl {{app}}"
    result = check_server("command", command=command, interface="wsgi", examples=20, select=["S4"], seed=3)
    assert {v.code for v in result.violations} == {"S407"}
    lenient = 0  # the generated "+N" values whose body holds N bytes (shorter ones leave it waiting)
    for case in generated_cases(3, "wsgi"):
        if case.code == "S407":
            head, _, body = case.raw("i").partition(b"\r\n\r\n")
            value = head.lower().split(b"\r\ncontent-length: ")[1].split(b"\r\n")[0]
            lenient += value.startswith(b"+") and value[1:].isdigit() and len(body) >= int(value[1:])
    assert lenient >= 1  # seed 3 draws one
    assert sum(v.count for v in result.violations) == 1 + lenient
