"""HTTP-derived rules (prefix ``H``): not sentences of PEP 3333 or the ASGI spec but
of RFC 9110/9112, shared by the WSGI and ASGI packs. Users opt out of the whole group
with ``--ignore H``. Where the gateway spec itself states the requirement (PEP 3333 on
header tokens and hop-by-hop headers, say), the pack's own rule is used instead.
"""

from __future__ import annotations

from speccheck._rules import Check, Level, Rule, Side, Spec

__all__ = ["RULES"]

H = Spec.RFC9110

RULES: tuple[Rule, ...] = (
    Rule(
        code="H101",
        name="no-content-for-status",
        level=Level.MUST,
        side=Side.APP,
        spec=H,
        anchor="section-6.4.1",
        summary="A response with status 1xx, 204 or 304 carries no content; the app produced body bytes.",
        quote="All 1xx (Informational), 204 (No Content), and 304 (Not Modified) responses do not include content.",
        bad="start_response('204 No Content', []); return [b'gone']",
        fix="Return an empty body for 1xx, 204 and 304 responses.",
    ),
    Rule(
        code="H102",
        name="no-content-for-head",
        level=Level.ADVICE,
        side=Side.APP,
        spec=H,
        anchor="section-9.3.2",
        summary="The app produced body bytes for a HEAD request (the server must drop them; opt-in check).",
        quote="The HEAD method is identical to GET except that the server MUST NOT send content in the response.",
        bad="def app(environ, start_response): start_response('200 OK', []); return [b'hello']  # also for HEAD",
        fix="Skip producing the body when REQUEST_METHOD (or scope['method']) is HEAD.",
        default=False,
    ),
    Rule(
        code="H103",
        name="content-length-matches-body",
        level=Level.MUST,
        side=Side.APP,
        spec=H,
        anchor="section-8.6",
        summary="The body the app produced has a different length from the Content-Length it declared.",
        quote="Content-Length indicates the associated representation's data length as a decimal non-negative integer number of octets.",
        bad="start_response('200 OK', [('Content-Length', '10')]); return [b'short']",
        fix="Compute Content-Length from the bytes actually sent, or leave it out.",
    ),
    Rule(
        code="H104",
        name="no-content-length-for-status",
        level=Level.MUST,
        side=Side.APP,
        spec=H,
        anchor="section-8.6",
        summary="A 1xx or 204 response carries a Content-Length header.",
        quote="A server MUST NOT send a Content-Length header field in any response with a status code of 1xx (Informational) or 204 (No Content).",
        bad="start_response('204 No Content', [('Content-Length', '0')])",
        fix="Leave Content-Length out of 1xx and 204 responses.",
    ),
    Rule(
        code="H105",
        name="content-length-valid",
        level=Level.MUST,
        side=Side.APP,
        spec=H,
        anchor="section-8.6",
        summary="A response Content-Length header is not a single decimal non-negative integer.",
        quote="Content-Length = 1*DIGIT",
        bad="[(b'content-length', b'12, 12')] or [(b'content-length', b'-1')]",
        fix="Send exactly one Content-Length made of digits.",
    ),
    Rule(
        code="H106",
        name="header-name-token",
        level=Level.MUST,
        side=Side.APP,
        spec=H,
        anchor="section-5.1",
        summary="A response header name is not an HTTP token (letters, digits and !#$%&'*+-.^_`|~ only).",
        quote="field-name = token",
        bad="[(b'x header', b'1')] or [(b'x-a:', b'1')]",
        fix="Use names made only of token characters, without a trailing colon.",
    ),
    Rule(
        code="H107",
        name="header-value-chars",
        level=Level.MUST,
        side=Side.APP,
        spec=H,
        anchor="section-5.5",
        summary="A response header value contains CR, LF, NUL or another control character (response splitting).",
        quote="Field values containing CR, LF, or NUL characters are invalid and dangerous",
        bad="[(b'location', b'/next\\r\\nSet-Cookie: x=1')]",
        fix="Strip or reject control characters before putting user data into a header.",
    ),
    Rule(
        code="H108",
        name="no-connection-specific-headers",
        level=Level.MUST,
        side=Side.APP,
        spec=H,
        anchor="section-7.6.1",
        summary="The app set a connection-specific header (Connection, Keep-Alive, Proxy-Connection, TE, Transfer-Encoding, Upgrade); framing belongs to the server.",
        quote="Intermediaries MUST NOT forward a message containing connection-specific header fields",
        bad="[(b'connection', b'close')]",
        fix="Leave connection management and framing headers to the server.",
        check=Check.INLINE,
    ),
    Rule(
        code="H109",
        name="status-code-range",
        level=Level.MUST,
        side=Side.APP,
        spec=H,
        anchor="section-15",
        summary="The response status code is not a three-digit integer from 100 to 599.",
        quote="The status code of a response is a three-digit integer code",
        bad="start_response('42 Odd', []) or {'type': 'http.response.start', 'status': 1000}",
        fix="Use a status code between 100 and 599.",
    ),
)
