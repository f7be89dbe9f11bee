"""Server rules for connection-level cases (prefix ``S31x``): Expect: 100-continue and pipelining.

S310-S314: a request head with ``Expect: 100-continue``, its body sent after a bounded wait.
S315-S317: several requests sent in one write on one connection.

Whether a server answers ``Expect: 100-continue`` with an immediate 100, sends it when the
app first reads the body, or waits for the client to send the body on its own is a choice
PEP 3333 leaves to the server: no rule judges it (the run records it in each finding).
"""

from __future__ import annotations

from speccheck._rules import Check, Level, Rule, Side, Spec

__all__ = ["CONN_CODES", "RULES"]

M = Level.MUST
SV = Side.SERVER
W, CR = Check.WIRE, Check.CROSS

RULES: tuple[Rule, ...] = (
    Rule(
        "S310",
        "wsgi-expect-continue-transparent",
        M,
        SV,
        Spec.PEP3333,
        "http-1-1-expect-continue",
        "A request with Expect: 100-continue did not reach the WSGI app with exactly the body the client sent.",
        check=Check.PROBE,
        quote="Servers and gateways that implement HTTP 1.1 must provide transparent support for HTTP 1.1's "
        '"expect/continue" mechanism.',
        bad="the server answers 417, or hands the app an empty wsgi.input, when the client waits for 100 Continue",
        fix="send 100 Continue (at once or on the app's first read), or wait for the body, then read it",
    ),
    Rule(
        "S311",
        "final-response-after-100-continue",
        M,
        SV,
        Spec.RFC9110,
        "section-10.1.1",
        "The server sent 100 Continue but no final response after the request body arrived.",
        check=W,
        quote="A server that sends a 100 (Continue) response MUST ultimately send a final status code, once it "
        "receives and processes the request content, unless the connection is closed prematurely.",
    ),
    Rule(
        "S312",
        "no-1xx-to-http10",
        M,
        SV,
        Spec.RFC9110,
        "section-15.2",
        "The server sent a 1xx response (e.g. 100 Continue) to an HTTP/1.0 request.",
        check=W,
        quote="Since HTTP/1.0 did not define any 1xx status codes, a server MUST NOT send a 1xx response to "
        "an HTTP/1.0 client.",
        bad="HTTP/1.0 request with Expect: 100-continue -> HTTP/1.1 100 Continue",
        fix="ignore the expectation of an HTTP/1.0 request: read the body without a 100",
    ),
    Rule(
        "S313",
        "no-1xx-after-final-response",
        M,
        SV,
        Spec.RFC9110,
        "section-15",
        "A 1xx response (e.g. 100 Continue) arrived after the final response, when no request was outstanding.",
        check=CR,
        quote='zero or more "interim" (non-final) responses with status codes in the "informational" (1xx) '
        'range, followed by exactly one "final" response',
        bad="final response, then 100 Continue when the app reads wsgi.input after responding",
        fix="send 100 Continue only before the response has started",
    ),
    Rule(
        "S314",
        "expect-unread-body-framed",
        M,
        SV,
        Spec.RFC9112,
        "section-6.3",
        "After an Expect: 100-continue request whose body the app did not read, the connection stayed open "
        "but the next request did not get its own response (the body was taken for a request).",
        check=CR,
        quote="If a valid Content-Length header field is present without Transfer-Encoding, its decimal value "
        "defines the expected message body length in octets.",
        bad="no 100 sent, the app answers without reading, the body bytes are parsed as the next request",
        fix="read and discard the unread body before the next request, or close the connection",
    ),
    Rule(
        "S315",
        "pipelined-responses-in-order",
        M,
        SV,
        Spec.RFC9112,
        "section-9.3.2",
        "Responses to pipelined requests came out of order or did not belong to their requests.",
        check=CR,
        quote="it MUST send the corresponding responses in the same order that the requests were received",
    ),
    Rule(
        "S316",
        "pipelined-requests-answered",
        M,
        SV,
        Spec.RFC9112,
        "section-9.3.2",
        "A pipelined request got no response while the connection stayed open (the server lost it).",
        check=CR,
        quote="it MUST send the corresponding responses in the same order that the requests were received",
        bad="the server parses one request per read and drops the bytes of the next ones",
        fix="keep the bytes after a request buffered and parse them as the next request",
    ),
    Rule(
        "S317",
        "no-requests-after-connection-close",
        M,
        SV,
        Spec.RFC9112,
        "section-9.6",
        "A pipelined request sent after one with Connection: close was processed (reached the app or was answered).",
        check=CR,
        quote="The server MUST NOT process any further requests received on that connection.",
        bad="GET / (Connection: close) and GET /next in one write: both answered",
        fix="close the connection after the response to the request that said close",
    ),
)

CONN_CODES: frozenset[str] = frozenset(r.code for r in RULES)
