"""Application-side rules of PEP 3333 (W5xx response, W6xx streams and file_wrapper use).

The HTTP-derived checks of the response (H101-H105, H109) live in
`speccheck._http_rules`; the WSGI-specific header rules are PEP 3333 MUSTs and
therefore W codes here (W516-W520), not H106-H108.
"""

from __future__ import annotations

from speccheck._rules import Check, Level, Rule, Side, Spec

__all__ = ["APP_RULES"]

A, P = Side.APP, Spec.PEP3333
MUST, SHOULD, ADVICE = Level.MUST, Level.SHOULD, Level.ADVICE

# fmt: off
APP_RULES: tuple[Rule, ...] = (
    # -- W5xx: what the app returns and how it calls start_response / write --------------------------
    Rule(
        "W501", "app-returns-iterable", MUST, A, P, "specification-details",
        "The application returned None or another non-iterable object.",
        quote="the application object must always return an iterable yielding zero or more bytestrings.",
        bad="def app(environ, start_response): start_response('200 OK', [])  # returns None",
        fix="Return a list of bytes (possibly empty) or a generator.",
    ),
    Rule(
        "W502", "body-chunks-bytes", MUST, A, P, "a-note-on-string-types",
        "The app's iterable yielded something that is not bytes (str, bytearray, int...).",
        quote="\"Bytestrings\" ... that are used for the bodies of requests and responses",
        bad="return ['hello']",
        fix="Encode text: return [text.encode('utf-8')].",
    ),
    Rule(
        "W503", "result-not-a-string", MUST, A, P, "specification-details",
        "The app returned a str or bytes object itself: iterating it yields characters or ints, not bytestrings.",
        quote="the application object must always return an iterable yielding zero or more bytestrings.",
        bad="return b'hello'",
        fix="Return [b'hello'].",
    ),
    Rule(
        "W504", "start-response-before-body", MUST, A, P, "specification-details",
        "The iterable yielded a non-empty bytestring before start_response was called.",
        quote="the application must invoke the start_response() callable before the iterable yields its first body bytestring",
        bad="def app(environ, start_response): yield b'x'; start_response('200 OK', [])",
        fix="Call start_response before yielding body bytes.",
    ),
    Rule(
        "W505", "start-response-called", ADVICE, A, P, "the-start-response-callable",
        "The response ended (iterable exhausted) without the app ever calling start_response.",
        quote="The start_response callable is used to begin the HTTP response",
        bad="def app(environ, start_response): return []",
        fix="Always call start_response(status, headers).",
    ),
    Rule(
        "W506", "start-response-positional", MUST, A, P, "specification-details",
        "start_response was called with keyword arguments or not with two or three arguments.",
        quote="the application must invoke the start_response callable using positional arguments",
        bad="start_response(status='200 OK', response_headers=[])",
        fix="start_response('200 OK', headers) or start_response(status, headers, sys.exc_info()).",
    ),
    Rule(
        "W507", "start-response-once", MUST, A, P, "the-start-response-callable",
        "start_response was called a second time without exc_info.",
        quote="it is a fatal error to call start_response without the exc_info argument if start_response has already been called",
        bad="start_response('200 OK', []); start_response('500 Error', [])",
        fix="Call it again only from an error handler, passing sys.exc_info().",
    ),
    Rule(
        "W508", "exc-info-tuple", MUST, A, P, "the-start-response-callable",
        "exc_info is neither None nor a sys.exc_info() 3-tuple (type, exception, traceback).",
        quote="The exc_info argument, if supplied, must be a Python sys.exc_info() tuple.",
        bad="start_response('500 Error', [], exc)  # the exception, not the tuple",
        fix="Pass sys.exc_info() from inside the except block.",
    ),
    Rule(
        "W509", "exc-info-from-error-handler", SHOULD, A, P, "the-start-response-callable",
        "exc_info was (None, None, None): start_response was given exc_info outside an error handler.",
        quote="This argument should be supplied by the application only if start_response is being called by an error handler.",
        bad="start_response('200 OK', [], sys.exc_info())  # no exception being handled",
        fix="Pass exc_info only in an except block; otherwise omit it.",
    ),
    Rule(
        "W510", "exc-info-not-trapped", MUST, A, P, "the-start-response-callable",
        "start_response(..., exc_info) raised, and the app caught that exception and carried on.",
        quote="The application must not trap any exceptions raised by start_response, if it called start_response with exc_info.",
        bad="try: start_response('500 Error', [], sys.exc_info())\nexcept Exception: pass",
        fix="Let the exception raised by start_response propagate to the server.",
        check=Check.PROBE,
    ),
    Rule(
        "W511", "status-str", MUST, A, P, "a-note-on-string-types",
        "The status passed to start_response is not a str.",
        quote="where you see the word \"string\" in this document, it refers to a \"native\" string",
        bad="start_response(b'200 OK', [])",
        fix="Pass a str like '200 OK'.",
    ),
    Rule(
        "W512", "status-format", MUST, A, P, "the-start-response-callable",
        "The status is not three digits, one space and a reason phrase, without surrounding whitespace.",
        quote="a Status-Code and a Reason-Phrase, in that order and separated by a single space, with no surrounding whitespace",
        bad="start_response('200', []) or start_response(' 200 OK', [])",
        fix="Use the form '200 OK'.",
    ),
    Rule(
        "W513", "status-no-control-chars", MUST, A, P, "the-start-response-callable",
        "The status contains a control character (such as CR or LF).",
        quote="The string must not contain control characters, and must not be terminated with a carriage return, linefeed",
        bad="start_response('200 OK\\r\\n', [])",
        fix="Strip control characters from the status.",
    ),
    Rule(
        "W514", "status-latin1", MUST, A, P, "unicode-issues",
        "The status contains a code point above U+00FF.",
        quote="It is a fatal error for an application to supply strings containing any other Unicode character",
        bad="start_response('200 \\u2713 OK', [])",
        fix="Use ISO-8859-1 characters only (or RFC 2047 encoding).",
    ),
    Rule(
        "W515", "headers-list", MUST, A, P, "the-start-response-callable",
        "response_headers is not a list (a tuple, dict or Headers object was passed).",
        quote="It must be a Python list; i.e. type(response_headers) is ListType",
        bad="start_response('200 OK', (('Content-Type', 'text/plain'),))",
        fix="Pass a list of tuples (list(headers.items()) for a dict).",
    ),
    Rule(
        "W516", "header-tuples", MUST, A, P, "the-start-response-callable",
        "A response header is not a 2-tuple of str (name, value).",
        quote="The response_headers argument is a list of (header_name, header_value) tuples.",
        bad="[('Content-Length', 5)] or [['Content-Type', 'text/plain']]",
        fix="Use (str, str) tuples: ('Content-Length', str(n)).",
    ),
    Rule(
        "W517", "header-name-field-name", MUST, A, P, "the-start-response-callable",
        "A header name is not a valid HTTP field-name (an RFC 9110 token, no trailing colon).",
        quote="Each header_name must be a valid HTTP header field-name ... without a trailing colon or other punctuation.",
        bad="[('Content-Type:', 'text/plain')] or [('X Header', '1')]",
        fix="Use a token name without the colon.",
    ),
    Rule(
        "W518", "header-value-no-ctl", MUST, A, P, "the-start-response-callable",
        "A header value contains a control character (CR, LF, NUL, DEL...); tab is allowed.",
        quote="Each header_value must not include any control characters, including carriage returns or linefeeds",
        bad="[('Location', '/next\\r\\nSet-Cookie: x=1')]",
        fix="Strip or reject control characters before putting data into a header.",
    ),
    Rule(
        "W519", "header-latin1", MUST, A, P, "unicode-issues",
        "A header name or value contains a code point above U+00FF.",
        quote="It is a fatal error for an application to supply strings containing any other Unicode character",
        bad="[('Content-Disposition', 'attachment; filename=\"\\u20ac.txt\"')]",
        fix="Encode with RFC 2047/5987 (filename*=UTF-8''%E2%82%AC.txt).",
    ),
    Rule(
        "W520", "no-hop-by-hop-headers", MUST, A, P, "other-http-features",
        "The app set a hop-by-hop header (Connection, Keep-Alive, Proxy-Authenticate, Proxy-Authorization, TE, Trailers, Upgrade).",
        quote="WSGI applications must not generate any \"hop-by-hop\" headers",
        bad="[('Connection', 'close')]",
        fix="Leave connection management to the server.",
    ),
    Rule(
        "W521", "no-transfer-encoding", MUST, A, P, "other-http-features",
        "The app set Transfer-Encoding: applications must not apply transfer codings such as chunking.",
        quote="applications must not apply any kind of Transfer-Encoding to their output, such as chunking or gzipping",
        bad="[('Transfer-Encoding', 'chunked')] with hand-made chunks",
        fix="Yield plain bytes; the server chooses the framing.",
    ),
    Rule(
        "W522", "no-status-header", ADVICE, A, P, "the-start-response-callable",
        "The app set a header named Status (a CGI convention; the status goes in the status argument).",
        quote="The status argument is an HTTP \"status\" string like \"200 OK\"",
        bad="[('Status', '404 Not Found')]",
        fix="Pass the status as the first argument of start_response.",
    ),
    Rule(
        "W523", "write-bytes", MUST, A, P, "a-note-on-string-types",
        "write() was called with something other than bytes.",
        quote="\"Bytestrings\" ... that are used for the bodies of requests and responses",
        bad="write('hello')",
        fix="write(text.encode('utf-8'))",
    ),
    Rule(
        "W524", "no-write-from-iterable", MUST, A, P, "the-write-callable",
        "write() was called after the app returned (from inside its iterable, or later).",
        quote="Applications must not invoke write() from within their return iterable",
        bad="def app(environ, start_response): write = start_response('200 OK', []); yield write(b'x') or b''",
        fix="Either call write() before returning, or yield the bytes.",
    ),
    Rule(
        "W525", "len-accurate", MUST, A, P, "specification-details",
        "len() of the returned iterable differs from the number of items it yielded.",
        quote="if the iterable returned by the application provides a working __len__() method, it must return an accurate result.",
        bad="class Body: def __len__(self): return 1  # but yields 3 items",
        fix="Return the number of items, or drop __len__.",
    ),
    # -- W6xx: how the app uses wsgi.input, wsgi.errors and wsgi.file_wrapper ------------------------
    Rule(
        "W601", "no-read-past-content-length", SHOULD, A, P, "input-and-error-streams",
        "The app asked wsgi.input for more bytes than CONTENT_LENGTH has left (read(n) with n > remaining).",
        quote="The application should not attempt to read more data than is specified by the CONTENT_LENGTH variable.",
        bad="environ['wsgi.input'].read(65536)  # with CONTENT_LENGTH = 10",
        fix="read(min(n, remaining)); read() without size is fine.",
    ),
    Rule(
        "W602", "streams-not-closed", MUST, A, P, "input-and-error-streams",
        "The app called close() on wsgi.input or wsgi.errors.",
        quote="applications must not attempt to close these streams, even if they possess close() methods.",
        bad="environ['wsgi.input'].close()",
        fix="Never close the server's streams.",
    ),
    Rule(
        "W603", "streams-api-only", MUST, A, P, "input-and-error-streams",
        "The app used a method or attribute of wsgi.input/wsgi.errors outside the WSGI table.",
        quote="Applications conforming to this specification must not use any other methods or attributes of the input or errors objects.",
        bad="environ['wsgi.input'].seek(0)",
        fix="Use only read/readline/readlines/iteration (input) and write/writelines/flush (errors).",
    ),
    Rule(
        "W604", "errors-write-str", MUST, A, P, "input-and-error-streams",
        "wsgi.errors.write()/writelines() got something other than str.",
        quote="write(str)",
        bad="environ['wsgi.errors'].write(b'oops')",
        fix="Write text: errors.write('oops\\n').",
    ),
    Rule(
        "W605", "file-wrapper-filelike", MUST, A, P, "optional-platform-specific-file-handling",
        "The object given to wsgi.file_wrapper has no read() method.",
        quote="the object supplied by the application must have a read() method that takes an optional size argument.",
        bad="environ['wsgi.file_wrapper'](b'data')",
        fix="Pass an open file or io.BytesIO.",
    ),
)
# fmt: on
