"""An ASGI app that answers every request with what it received, in an ``x-echo``
header (base64 JSON), so even HEAD requests can be checked. Used by the real-server
traffic test."""

from __future__ import annotations

import base64
import hashlib
import json
from typing import Any


async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    assert scope["type"] == "http"
    body = b""
    while True:
        message = await receive()
        body += message.get("body", b"")
        if not message.get("more_body", False):
            break
    echo = {
        "method": scope["method"],
        "http_version": scope["http_version"],
        "raw_path": scope["raw_path"].decode("latin-1"),
        "query_string": scope["query_string"].decode("latin-1"),
        "headers": [[n.decode("latin-1"), v.decode("latin-1")] for n, v in scope["headers"]],
        "body_sha256": hashlib.sha256(body).hexdigest(),
    }
    encoded = base64.b64encode(json.dumps(echo).encode())
    await send(
        {"type": "http.response.start", "status": 200, "headers": [(b"x-echo", encoded), (b"content-length", b"0")]}
    )
    await send({"type": "http.response.body", "body": b""})
