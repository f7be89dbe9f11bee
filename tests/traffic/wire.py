"""Parse request bytes the way a server does, with h11, for the traffic tests."""

from __future__ import annotations

from dataclasses import dataclass

import h11

from speccheck.traffic import RequestPlan, is_field_value, is_origin_form, is_token


@dataclass
class Parsed:
    method: bytes
    target: bytes
    http_version: bytes
    headers: list[tuple[bytes, bytes]]
    body: bytes
    chunk_sizes: list[int]  # sizes of the chunks h11 saw (chunked framing only)


def parse_as_server(data: bytes) -> Parsed:
    """One complete request through ``h11.Connection(h11.SERVER)``; raises
    ``h11.RemoteProtocolError`` when h11 rejects it, ``AssertionError`` when it is incomplete."""
    conn = h11.Connection(h11.SERVER)
    conn.receive_data(data)
    conn.receive_data(b"")  # the client closes its side: nothing more will come
    request = conn.next_event()
    assert isinstance(request, h11.Request), f"expected a Request, got {request!r}"
    body, sizes, current = bytearray(), [], 0
    for _ in range(len(data) + 2):  # bounded: at most one event per byte
        event = conn.next_event()
        if isinstance(event, h11.Data):
            body += event.data
            current += len(event.data)
            if event.chunk_end:
                sizes.append(current)
                current = 0
        elif isinstance(event, h11.EndOfMessage):
            break
        else:
            raise AssertionError(f"incomplete request: h11 says {event!r}")
    return Parsed(
        request.method, request.target, request.http_version, list(request.headers.raw_items()), bytes(body), sizes
    )


_FRAMING_NAMES = {b"host", b"content-length", b"transfer-encoding"}


def assert_round_trip(plan: RequestPlan) -> Parsed:
    """``plan.to_bytes()`` parses as a server would and gives back exactly the plan."""
    parsed = parse_as_server(plan.to_bytes())
    assert parsed.method == plan.method.encode("ascii")
    assert parsed.target == plan.target
    assert parsed.http_version == plan.http_version.encode("ascii")
    generated = [(n, v) for n, v in parsed.headers if n.lower() not in _FRAMING_NAMES]
    assert generated == list(plan.headers)
    hosts = [v for n, v in parsed.headers if n.lower() == b"host"]
    assert hosts == ([] if plan.host is None else [plan.host])
    assert parsed.body == plan.body
    if plan.framing == "chunked":
        assert parsed.chunk_sizes == [len(p) for p in plan.body_pieces() if p]
    return parsed


RESERVED = {b"host", b"content-length", b"transfer-encoding", b"connection", b"upgrade", b"expect", b"te", b"trailer"}


def assert_legal(plan: RequestPlan) -> None:
    """Everything ``requests()`` promises about a plan, checked field by field."""
    assert is_token(plan.method.encode("ascii"))
    assert plan.method not in ("CONNECT", "PRI")
    assert is_origin_form(plan.target), plan.target
    for name, value in plan.headers:
        assert is_token(name), name
        assert is_field_value(value), value
        assert name.lower() not in RESERVED
    if plan.chunks:
        assert sum(plan.chunks) == len(plan.body)
        assert all(size > 0 for size in plan.chunks)
    if plan.framing == "none" or plan.method in ("GET", "HEAD", "DELETE", "TRACE"):
        assert plan.body == b""
    if plan.framing == "chunked":
        assert plan.http_version == "1.1"
    if plan.http_version == "1.1":
        assert plan.host is not None
