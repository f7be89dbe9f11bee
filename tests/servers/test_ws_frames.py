"""RFC 6455 on the wire (S533-S543) and fragmented messages (S520 and the client's reassembly).

Broken servers are ``fixtures/servers/ws_wire.py --defect X``: a small ASGI WebSocket server
running the probe app, whose frames break one rule each; ``none`` and ``fragments`` (every app
message cut into three frames with a ping between) are its correct twins. The strict frame
reader is also checked alone on hand-made frames.
"""

from __future__ import annotations

import struct
from pathlib import Path

import pytest

from fixtures.servers.ws_wire import DEFECTS
from speccheck.client._frames import BINARY, CLOSE, CONT, PING, PONG, TEXT, FrameReader, encode_frame
from speccheck.client._ws import check_handshake
from speccheck.targets import command_target
from tests.servers.test_ws_phase import run_ws

pytestmark = pytest.mark.servers

WIRE = Path(__file__).resolve().parents[2] / "fixtures" / "servers" / "ws_wire.py"
SELECT = ["S5", "T"]


def wire(defect: str) -> set[str]:
    target = command_target(f"{{python}} {WIRE} --port {{port}} --defect {defect}", "asgi")
    return run_ws(target, examples=4, select=SELECT)


@pytest.mark.parametrize("defect", ["none", "fragments"])
def test_correct_twins_are_silent(defect: str) -> None:
    assert wire(defect) == set()


BROKEN = [(d, c) for d, c in DEFECTS.items() if c]
# The probe echoes what it got: fragments delivered one by one also come back one by one.
ALSO = {"split": {"S521"}}


@pytest.mark.parametrize(("defect", "code"), BROKEN, ids=[d for d, _ in BROKEN])
def test_defect_fires_exactly_its_rule(defect: str, code: str) -> None:
    found = wire(defect)
    assert code in found
    assert found <= {code} | ALSO.get(defect, set())


def frames(*raw: bytes, extensions: bool = False) -> tuple[list[tuple[str, bytes]], list[str]]:
    reader = FrameReader(extensions=extensions)
    events = reader.feed(b"".join(raw))
    return [(e.kind, e.data) for e in events], [c for c, _ in reader.problems]


def server(opcode: int, payload: bytes, *, fin: bool = True, rsv: int = 0) -> bytes:
    return encode_frame(opcode, payload, fin=fin, mask=False, rsv=rsv)


def test_reader_reassembles_fragments_with_control_frames_between() -> None:
    text = "caf\u00e9 \U0001f600".encode()
    got, problems = frames(
        server(TEXT, text[:4], fin=False),
        server(PING, b"p"),
        server(CONT, b"", fin=False),
        server(CONT, text[4:9], fin=False),
        server(CONT, text[9:]),
        server(BINARY, b"\x00" * 70_000),
    )
    assert problems == []
    assert got == [("ping", b"p"), ("text", text), ("bytes", b"\x00" * 70_000)]


def test_reader_is_byte_by_byte_robust() -> None:
    data = server(TEXT, b"hello", fin=False) + server(CONT, b" you") + server(CLOSE, struct.pack("!H", 1000) + b"ok")
    reader = FrameReader()
    events = [e for i in range(len(data)) for e in reader.feed(data[i : i + 1])]
    assert [(e.kind, e.data, e.code, e.reason) for e in events] == [
        ("text", b"hello you", None, ""),
        ("close", b"", 1000, "ok"),
    ]
    assert reader.problems == []


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        (
            b"\x81\x82\x01\x02\x03\x04\x69\x6b",
            "S533",
        ),  # "hi" masked with a fixed key: same test id on every xdist worker
        (server(TEXT, b"a\xffb"), "S534"),
        (server(TEXT, b"\xc3", fin=False) + server(CONT, b""), "S534"),
        (server(CLOSE, struct.pack("!H", 1005)), "S535"),
        (server(CLOSE, struct.pack("!H", 999)), "S535"),
        (server(CLOSE, b"\x03"), "S535"),
        (server(CLOSE, struct.pack("!H", 1000) + b"\xff"), "S536"),
        (server(PONG, b"x" * 126), "S537"),
        (server(PING, b"x", fin=False), "S538"),
        (server(BINARY, b"x", rsv=0b100), "S539"),
        (server(0xB, b""), "S540"),
        (server(CONT, b"x"), "S541"),
        (server(TEXT, b"x", fin=False) + server(TEXT, b"y"), "S541"),
        (server(CLOSE, b"") + server(TEXT, b"late"), "S542"),
    ],
)
def test_reader_names_the_broken_rule(raw: bytes, code: str) -> None:
    assert frames(raw)[1] == [code]


def test_reader_accepts_what_rfc_6455_allows() -> None:
    legal = [
        server(CLOSE, struct.pack("!H", code) + "d\u00e9j\u00e0".encode())
        for code in (1000, 1004, 1011, 1014, 3000, 4999)
    ]
    for raw in legal:
        assert frames(raw)[1] == []
    assert frames(server(CLOSE, b"") + server(PONG, b"late"))[1] == []  # 5.5.1 forbids only data frames
    assert frames(server(BINARY, b"z", rsv=0b100), extensions=True)[1] == []  # an extension was negotiated


def test_handshake_check() -> None:
    key = b"dGhlIHNhbXBsZSBub25jZQ=="  # RFC 6455 1.3's example
    ok = b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: WebSocket\r\nConnection: keep-alive, Upgrade"
    good = ok + b"\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo="
    assert check_handshake(good, key) == ""
    assert "Sec-WebSocket-Accept" in check_handshake(ok + b"\r\nSec-WebSocket-Accept: x", key)
    assert "Connection" in check_handshake(good.replace(b"keep-alive, Upgrade", b"close"), key)
    assert check_handshake(b"HTTP/1.1 403 Forbidden", key) == ""  # a refusal: judged elsewhere
