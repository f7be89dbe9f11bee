"""Server rules for the server's reactions to the app and the client (``S21x``, ``S304``-``S309``): disconnects, send() after disconnect, app exceptions mid-body, Transfer-Encoding from an ASGI app, response trailers.

Checked by the reaction phase (``speccheck.server._reactions``) with its own exchanges;
judged in ``speccheck.server._oracle_reaction``.
"""

from __future__ import annotations

from speccheck._rules import Check, Level, Rule, Side, Spec

__all__ = ["RULES"]

A, W, P, E = Spec.ASGI, Spec.ASGI_WWW, Spec.PEP3333, Spec.ASGI_EXTENSIONS
M, SH = Level.MUST, Level.SHOULD
SV = Side.SERVER
PR, WI, CR = Check.PROBE, Check.WIRE, Check.CROSS

RULES: tuple[Rule, ...] = (
    Rule(
        "S210",
        "asgi-disconnect-after-response",
        M,
        SV,
        W,
        "disconnect-receive-event",
        "receive() called after the whole response was sent did not return http.disconnect (within 2 s).",
        check=PR,
        quote="Sent to the application if receive is called after a response has been sent",
    ),
    Rule(
        "S211",
        "asgi-disconnect-on-client-abort",
        M,
        SV,
        W,
        "disconnect-receive-event",
        "The client closed the connection while the app waited in receive(), and no http.disconnect came (within 3 s).",
        check=PR,
        quote="Sent to the application if receive is called ... after the HTTP connection has been closed.",
    ),
    Rule(
        "S212",
        "asgi-send-after-disconnect-oserror",
        SH,
        SV,
        W,
        "disconnected-client-send-exception",
        "send() after http.disconnect did not raise an OSError subclass (the server claims spec_version 2.4+).",
        check=PR,
        quote="If send() is called on a closed connection the server should raise a server-specific subclass of OSError.",
    ),
    Rule(
        "S213",
        "asgi-send-after-disconnect-hangs",
        SH,
        SV,
        A,
        "error-handling",
        "send() after http.disconnect neither raised nor returned (it hung for 2 s).",
        check=PR,
        quote="If no error condition is specified, the send awaitable callable should act as a no-op.",
    ),
    Rule(
        "S214",
        "asgi-app-transfer-encoding-ignored",
        M,
        SV,
        W,
        "response-start-send-event",
        "The ASGI app's own Transfer-Encoding header broke the response framing or its content on the wire.",
        check=WI,
        quote="You may send a Transfer-Encoding header in this message, but the server must ignore it.",
    ),
    Rule(
        "S304",
        "asgi-connection-kept-after-app-error",
        M,
        SV,
        A,
        "error-handling",
        "The ASGI app raised (mid-body, or before starting its response) and the server kept the connection "
        "open for the next request (an error response first is fine; the connection must then close).",
        check=WI,
        quote="they must terminate the application instance and its associated connection if this happens",
    ),
    Rule(
        "S305",
        "response-complete-after-app-error",
        SH,
        SV,
        P,
        "error-handling",
        "The app raised mid-body and the server ended the response as if it were complete (last chunk or full Content-Length).",
        check=WI,
        quote="The server or gateway can then trap this (fatal) exception and abort the response.",
    ),
    Rule(
        "S306",
        "wsgi-close-after-app-error",
        M,
        SV,
        P,
        "specification-details",
        "The WSGI iterable raised during iteration and the server never called its close().",
        check=CR,
        quote="must call that method upon completion of the current request, whether ... terminated early due to an application error during iteration",
    ),
    Rule(
        "S307",
        "wsgi-close-after-client-abort",
        M,
        SV,
        P,
        "specification-details",
        "The client dropped the connection during a slow WSGI body and the server never called the iterable's close().",
        check=CR,
        quote="must call that method upon completion of the current request, whether ... terminated early due to ... an early disconnect of the browser",
    ),
    Rule(
        "S308",
        "asgi-trailers-not-delivered",
        M,
        SV,
        W,
        "response-start-send-event",
        "The server advertised the http.response.trailers extension, the request carried TE: trailers, and the "
        "response did not complete or did not carry the app's trailer fields in its chunked trailer section.",
        check=WI,
        quote='If True, the server must wait until it receives a "http.response.trailers" message after the '
        "Response Body event.",
        bad="the app's trailers dropped, or the response framed with Content-Length",
        fix="Send a chunked response and put the app's trailer fields after the last chunk (RFC 9112 7.1.2).",
    ),
    Rule(
        "S309",
        "asgi-trailers-without-te",
        M,
        SV,
        E,
        "http-trailers",
        "The server advertised the http.response.trailers extension and sent the app's trailer fields to a "
        "client whose request had no TE: trailers.",
        check=WI,
        quote="The ASGI server will only send the trailing headers in case the client has sent the TE: trailers "
        "header in the request.",
        bad="trailer fields after the last chunk though the request had no TE: trailers",
        fix="Drop the trailer fields (end the body with an empty trailer section) unless the request had TE: trailers.",
    ),
)
