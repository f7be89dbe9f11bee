"""Server-side WebSocket (``S51x``-``S53x``) and lifespan (``S6xx``) rules, checked by driving
a real server with the probe app (``asgi_checks._probe_ws``) and a real WebSocket client
(``speccheck.client._ws``). S501/S502 (lifespan startup/shutdown awaited) live in
``speccheck.server._rules``.
"""

from __future__ import annotations

from speccheck._rules import Check, Level, Rule, Side, Spec

__all__ = ["LIFESPAN_CODES", "RULES", "WS_CODES"]

W, L, R = Spec.ASGI_WWW, Spec.ASGI_LIFESPAN, Spec.RFC6455
M, SH = Level.MUST, Level.SHOULD
SV = Side.SERVER
PR, W_ = Check.PROBE, Check.WIRE
SCOPE = "websocket-connection-scope"


def _r(
    code: str, name: str, level: Level, spec: Spec, anchor: str, summary: str, quote: str, check: Check = PR
) -> Rule:
    return Rule(code, name, level, SV, spec, anchor, summary, check=check, quote=quote)


RULES: tuple[Rule, ...] = (
    # --- S51x the websocket scope vs the handshake sent ----------------------------------------
    _r(
        "S510",
        "server-ws-scope-path",
        M,
        W,
        SCOPE,
        "A websocket scope's path is not the handshake's percent-decoded (UTF-8) request path.",
        "path -- HTTP request target excluding any query string, with percent-encoded sequences "
        "and UTF-8 byte sequences decoded into characters.",
    ),
    _r(
        "S511",
        "server-ws-scope-raw-path",
        M,
        W,
        SCOPE,
        "A websocket scope's raw_path is present but differs from the path bytes the client sent.",
        "raw_path -- The original HTTP path component ... unmodified from the bytes that were received",
    ),
    _r(
        "S512",
        "server-ws-scope-query-string",
        M,
        W,
        SCOPE,
        "A websocket scope's query_string differs from the part of the handshake target after '?'.",
        "query_string (byte string) -- URL portion after the ?.",
    ),
    _r(
        "S513",
        "server-ws-scope-subprotocols",
        M,
        W,
        SCOPE,
        "A websocket scope's subprotocols are not the ones the client offered, in order.",
        "subprotocols (Iterable[Unicode string]) -- Subprotocols the client advertised.",
    ),
    _r(
        "S514",
        "server-ws-scope-headers",
        M,
        W,
        SCOPE,
        "A handshake header the client sent is missing from the websocket scope's headers.",
        "duplicates are possible and must be preserved in the message as received.",
    ),
    _r(
        "S515",
        "server-ws-scope-scheme",
        M,
        W,
        SCOPE,
        "A websocket scope's scheme is empty or not 'ws' on a plain (non-TLS) connection.",
        'scheme -- URL scheme portion (likely "ws" or "wss"). Optional (but must not be empty)',
    ),
    _r(
        "S516",
        "server-ws-connect-first",
        M,
        W,
        "connect-receive-event",
        "The app's first receive() on a websocket scope is not websocket.connect.",
        "This message must be responded to with either an Accept message or a Close message "
        "before the socket will pass websocket.receive messages.",
    ),
    # --- S52x messages and closing ----------------------------------------------------------
    _r(
        "S520",
        "server-ws-message-delivery",
        M,
        W,
        "receive-receive-event",
        "A client message did not reach the app exactly once, in order, with its type (text or bytes) and content.",
        "Sent to the application when a data message is received from the client.",
    ),
    _r(
        "S521",
        "server-ws-send-delivery",
        M,
        W,
        "send-send-event",
        "A message the app sent did not reach the client exactly once, in order, with its type and content.",
        "Sent by the application to send a data message to the client.",
        W_,
    ),
    _r(
        "S522",
        "server-ws-app-close-code",
        M,
        W,
        "close-send-event",
        "The close frame the client got does not carry the code the app's websocket.close gave.",
        "the server must close the socket with the close code passed in the message (or 1000 if none is specified).",
        W_,
    ),
    _r(
        "S523",
        "server-ws-app-close-reason",
        SH,
        W,
        "close-send-event",
        "The close frame the client got lacks the reason the app's websocket.close gave (spec_version 2.3+).",
        "reason -- A reason given for the closure, can be any string. (Added in spec version 2.3)",
        W_,
    ),
    _r(
        "S524",
        "server-ws-client-close-code",
        M,
        W,
        "disconnect-receive-event-ws",
        "websocket.disconnect does not carry the close code the client's close frame had.",
        "code (int) -- The WebSocket close code, as per the WebSocket spec.",
    ),
    _r(
        "S525",
        "server-ws-no-code-1005",
        SH,
        W,
        "disconnect-receive-event-ws",
        "The client's close frame had no code, and websocket.disconnect's code is not 1005.",
        "If no code was received in the frame from the client, the server should set this to 1005",
    ),
    _r(
        "S526",
        "server-ws-disconnect-delivered",
        M,
        W,
        "disconnect-receive-event-ws",
        "After the client closed or dropped the connection, the app never received websocket.disconnect.",
        "Sent to the application when either connection to the client is lost",
    ),
    _r(
        "S527",
        "server-ws-deny-403",
        M,
        W,
        "close-send-event",
        "websocket.close before accept did not give the client an HTTP 403 (or completed the handshake).",
        "If this is sent before the socket is accepted, the server must close the connection with a "
        "HTTP 403 error code (Forbidden), and not complete the WebSocket handshake",
        W_,
    ),
    _r(
        "S528",
        "server-ws-send-after-close-oserror",
        SH,
        W,
        "disconnected-client-send-exception",
        "send() after websocket.disconnect did not raise an OSError subclass (server claims spec_version 2.4+).",
        "If send() is called on a closed connection the server should raise a server-specific subclass of OSError.",
    ),
    _r(
        "S529",
        "server-ws-accept-headers",
        M,
        W,
        "accept-send-event",
        "Headers from websocket.accept (spec_version 2.1+) are missing from the handshake response.",
        "headers -- ... Order must be preserved in the HTTP response. Added in spec version 2.1",
        W_,
    ),
    _r(
        "S530",
        "server-ws-accept-subprotocol",
        M,
        W,
        "accept-send-event",
        "The subprotocol the app accepted is not the one in the handshake response.",
        "subprotocol (Unicode string) -- The subprotocol the server wishes to accept.",
        W_,
    ),
    _r(
        "S531",
        "server-ws-denial-response",
        SH,
        Spec.ASGI_EXTENSIONS,
        "websocket-denial-response",
        "With websocket.http.response advertised, the app's denial response did not reach the client.",
        "the server should send a HTTP response and then close the connection.",
        W_,
    ),
    _r(
        "S532",
        "server-ws-ping-pong",
        SH,
        W,
        "websocket",
        "A ping from the client got no pong within a second.",
        "WebSocket protocol servers should handle PING/PONG messages themselves",
        W_,
    ),
    # --- S533-S543 RFC 6455 on the wire: the server's frames and handshake ----------------------
    _r(
        "S533",
        "server-ws-frame-masked",
        M,
        R,
        "section-5.1",
        "The server sent a masked frame.",
        "A server MUST NOT mask any frames that it sends to the client.",
        W_,
    ),
    _r(
        "S534",
        "server-ws-text-utf8",
        M,
        R,
        "section-5.6",
        "The server sent a text message whose payload is not valid UTF-8.",
        "Note that a particular text frame might include a partial UTF-8 sequence; however, the "
        "whole message MUST contain valid UTF-8.",
        W_,
    ),
    _r(
        "S535",
        "server-ws-close-code",
        M,
        R,
        "section-7.4.1",
        "The server's Close frame has a 1-byte body or a code no endpoint may send (1005, 1006, "
        "1015, below 1000 or above 4999).",
        "1005 is a reserved value and MUST NOT be set as a status code in a Close control frame by an endpoint.",
        W_,
    ),
    _r(
        "S536",
        "server-ws-close-reason-utf8",
        M,
        R,
        "section-5.5.1",
        "The reason in the server's Close frame is not UTF-8.",
        "Following the 2-byte integer, the body MAY contain UTF-8-encoded data with value /reason/",
        W_,
    ),
    _r(
        "S537",
        "server-ws-control-frame-size",
        M,
        R,
        "section-5.5",
        "The server sent a control frame (close, ping, pong) with a payload over 125 bytes.",
        "All control frames MUST have a payload length of 125 bytes or less and MUST NOT be fragmented.",
        W_,
    ),
    _r(
        "S538",
        "server-ws-control-frame-fragmented",
        M,
        R,
        "section-5.5",
        "The server sent a control frame (close, ping, pong) with FIN clear.",
        "All control frames MUST have a payload length of 125 bytes or less and MUST NOT be fragmented.",
        W_,
    ),
    _r(
        "S539",
        "server-ws-reserved-bits",
        M,
        R,
        "section-5.2",
        "The server set RSV1-3 on a frame although no extension was negotiated.",
        "RSV1, RSV2, RSV3: 1 bit each. MUST be 0 unless an extension is negotiated that defines "
        "meanings for non-zero values.",
        W_,
    ),
    _r(
        "S540",
        "server-ws-reserved-opcode",
        M,
        R,
        "section-5.2",
        "The server sent a frame with a reserved opcode (0x3-0x7, 0xB-0xF).",
        "If an unknown opcode is received, the receiving endpoint MUST _Fail the WebSocket Connection_.",
        W_,
    ),
    _r(
        "S541",
        "server-ws-fragment-sequence",
        M,
        R,
        "section-5.4",
        "The server sent a continuation frame outside a fragmented message, or a new data frame inside one.",
        "A fragmented message consists of a single frame with the FIN bit clear and an opcode other "
        "than 0, followed by zero or more frames with the FIN bit clear and the opcode set to 0, and "
        "terminated by a single frame with the FIN bit set and an opcode of 0.",
        W_,
    ),
    _r(
        "S542",
        "server-ws-frame-after-close",
        M,
        R,
        "section-5.5.1",
        "The server sent a data frame after its Close frame.",
        "The application MUST NOT send any more data frames after sending a Close frame.",
        W_,
    ),
    _r(
        "S543",
        "server-ws-handshake-response",
        M,
        R,
        "section-4.2.2",
        "The app accepted, but the handshake response is not 101 with Upgrade, Connection and the "
        "right Sec-WebSocket-Accept.",
        "If the server chooses to accept the incoming connection, it MUST reply with a valid HTTP "
        "response indicating the following.",
        W_,
    ),
    # --- S6xx lifespan ------------------------------------------------------------------------
    _r(
        "S601",
        "lifespan-startup-failed-exit",
        SH,
        L,
        "startup-failed-send-event",
        "After lifespan.startup.failed the server kept running instead of exiting.",
        "If a server sees this it should log/print the message provided and then exit.",
        Check.CROSS,
    ),
    _r(
        "S602",
        "lifespan-startup-failed-message",
        SH,
        L,
        "startup-failed-send-event",
        "After lifespan.startup.failed the server did not log or print the app's message.",
        "If a server sees this it should log/print the message provided and then exit.",
        Check.CROSS,
    ),
    _r(
        "S603",
        "lifespan-raise-continue",
        M,
        L,
        "scope",
        "The app raised for the lifespan scope and the server stopped serving (in its default mode).",
        "If an exception is raised when calling the application callable with a lifespan.startup "
        "message or a scope with type lifespan, the server must continue but not send any lifespan events.",
        Check.CROSS,
    ),
    _r(
        "S604",
        "lifespan-state-copied",
        M,
        L,
        "lifespan-state",
        "The lifespan scope had state, but a later request's scope lacks what the app stored in it.",
        "The server will ensure that a shallow copy of the namespace is passed into each subsequent "
        "request/response call into the application.",
    ),
)

WS_CODES = frozenset(r.code for r in RULES if r.code.startswith("S5"))
LIFESPAN_CODES = frozenset(r.code for r in RULES if r.code.startswith("S6"))
