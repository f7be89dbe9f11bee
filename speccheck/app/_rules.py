"""Differential rules (prefix ``D``): the app answered one request differently when the
reference driver delivered it in two ways the spec makes equally legal.

Checked by `speccheck app` (``Check.CROSS``: a finding needs two deliveries). Before a
difference is reported, both deliveries are repeated and must each answer as before, so
an app whose answer changes from call to call (clocks, counters, random ids) is never
blamed; volatile headers (Date, Set-Cookie, ETag, ...) are left out of the comparison.
"""

from __future__ import annotations

from speccheck._rules import Check, Level, Rule, Side, Spec

__all__ = ["RULES"]

RULES: tuple[Rule, ...] = (
    Rule(
        code="D001",
        name="answer-depends-on-body-chunking",
        level=Level.MUST,
        side=Side.APP,
        spec=Spec.ASGI_WWW,
        anchor="request-receive-event",
        summary="The answer changed when the same request body came in a different number of http.request messages.",
        check=Check.CROSS,
        quote="If more_body is set, treat as start of body and concatenate on further chunks.",
        bad="body = (await receive())['body']  # only the first message",
        fix="Loop on receive() until more_body is false, concatenating every body (empty ones included).",
    ),
    Rule(
        code="D002",
        name="answer-depends-on-input-read-size",
        level=Level.SHOULD,
        side=Side.APP,
        spec=Spec.PEP3333,
        anchor="input-and-error-streams",
        summary="The answer changed when wsgi.input.read(n) returned fewer than n bytes before the end of the body.",
        check=Check.CROSS,
        quote="The semantics of each method are as documented in the Python Library Reference",
        bad="body = environ['wsgi.input'].read(int(environ['CONTENT_LENGTH']))  # one call",
        fix="Call read() until it returns b'' or CONTENT_LENGTH bytes have arrived (or read() with no size).",
    ),
    Rule(
        code="D003",
        name="answer-depends-on-omitted-scope-key",
        level=Level.MUST,
        side=Side.APP,
        spec=Spec.ASGI_WWW,
        anchor="http-connection-scope",
        summary="The answer changed when an optional scope key was left out instead of holding its documented default.",
        check=Check.CROSS,
        quote='root_path ... Optional; if missing defaults to ""',
        bad="prefix = scope['root_path']",
        fix="Read optional keys with their defaults: scope.get('root_path', ''), scope.get('raw_path').",
    ),
    Rule(
        code="D004",
        name="answer-depends-on-omitted-environ-key",
        level=Level.MUST,
        side=Side.APP,
        spec=Spec.PEP3333,
        anchor="environ-variables",
        summary="The answer changed when an environ variable whose value is empty was left out, or wsgi.file_wrapper was absent.",
        check=Check.CROSS,
        quote="must be present, unless their value would be an empty string, in which case they may be omitted",
        bad="qs = environ['QUERY_STRING']",
        fix="Use environ.get('QUERY_STRING', ''), environ.get('SCRIPT_NAME', ''), environ.get('CONTENT_LENGTH').",
    ),
    Rule(
        code="D005",
        name="app-fails-on-legal-scope",
        level=Level.MUST,
        side=Side.APP,
        spec=Spec.ASGI_WWW,
        anchor="http-connection-scope",
        summary="The app raised or answered 5xx only when an optional scope key (client, server, raw_path, "
        "extensions, spec_version) was absent or held another legal value.",
        check=Check.CROSS,
        quote="client ... Optional; if missing defaults to None",
        bad="host, port = scope['client']",
        fix="Handle client/server being None and raw_path being None or absent.",
    ),
    Rule(
        code="D006",
        name="app-fails-on-legal-environ",
        level=Level.MUST,
        side=Side.APP,
        spec=Spec.PEP3333,
        anchor="environ-variables",
        summary="The app raised or answered 5xx only under another legal environ (wsgi.multithread, wsgi.multiprocess).",
        check=Check.CROSS,
        quote="wsgi.multithread: This value should evaluate true if the application object may be simultaneously invoked",
        fix="Treat the wsgi.* flags as hints; answer the same request the same way.",
    ),
    Rule(
        code="D007",
        name="answer-depends-on-omitted-message-key",
        level=Level.MUST,
        side=Side.APP,
        spec=Spec.ASGI_WWW,
        anchor="request-receive-event",
        summary="The answer changed when http.request left out body or more_body where they held their defaults.",
        check=Check.CROSS,
        quote="more_body ... Optional; if missing defaults to False.",
        bad="while message['more_body']: ...",
        fix="Read message.get('body', b'') and message.get('more_body', False).",
    ),
)
