"""Server-side rules of PEP 3333 (W1xx environ, W2xx streams, W3xx response machinery).

Each rule is data: level from the spec's wording, the section anchor on
https://peps.python.org/pep-3333/, a short quote, a breaking example and the fix.
"""

from __future__ import annotations

from speccheck._rules import Check, Level, Rule, Side, Spec

__all__ = ["SERVER_RULES"]

S, P = Side.SERVER, Spec.PEP3333
MUST, SHOULD, ADVICE = Level.MUST, Level.SHOULD, Level.ADVICE

# fmt: off
SERVER_RULES: tuple[Rule, ...] = (
    # -- W1xx: the call and the environ --------------------------------------------------------------
    Rule(
        "W101", "app-called-positionally", MUST, S, P, "specification-details",
        "The server called the application with keyword arguments or not exactly two arguments.",
        quote="A server or gateway must invoke the application object using positional (not keyword) arguments.",
        bad="app(environ=environ, start_response=start_response)",
        fix="Call app(environ, start_response).",
    ),
    Rule(
        "W102", "environ-is-dict", MUST, S, P, "specification-details",
        "environ is not a builtin dict (a subclass or another mapping was passed).",
        quote="This object must be a builtin Python dictionary (not a subclass, UserDict or other dictionary emulation)",
        bad="app(MyDict(environ), start_response)",
        fix="Pass a plain dict.",
    ),
    Rule(
        "W103", "cgi-variable-str", MUST, S, P, "environ-variables",
        "A CGI-defined variable (RFC 3875 meta-variables and every HTTP_*) has a value that is not a str (None, bytes, int...).",
        quote="It is a violation of this specification for any CGI variable's value to be of any type other than str.",
        bad="environ['CONTENT_LENGTH'] = 12  # or REMOTE_USER = None",
        fix="Give CGI variables str values and leave missing ones out of environ.",
    ),
    Rule(
        "W104", "environ-latin1", MUST, S, P, "unicode-issues",
        "An environ string holds a code point above U+00FF (not representable in ISO-8859-1).",
        quote="servers and gateways must not supply strings to an application containing any other Unicode characters.",
        bad="environ['PATH_INFO'] = '/caf\\u00e9\\u20ac'  # decoded as UTF-8",
        fix="Decode request bytes as latin-1 ('bytes as unicode').",
    ),
    Rule(
        "W105", "request-method-token", MUST, S, P, "environ-variables",
        "REQUEST_METHOD is missing, empty or not an HTTP token.",
        quote="This cannot ever be an empty string, and so is always required.",
        bad="environ without 'REQUEST_METHOD', or REQUEST_METHOD = ''",
        fix="Always set REQUEST_METHOD to the method from the request line.",
    ),
    Rule(
        "W106", "server-name-port", MUST, S, P, "environ-variables",
        "SERVER_NAME or SERVER_PORT is missing or empty.",
        quote="SERVER_NAME and SERVER_PORT are required strings and must never be empty.",
        bad="environ['SERVER_PORT'] = ''",
        fix="Set both to the host and port the request was served on.",
    ),
    Rule(
        "W107", "server-protocol", MUST, S, P, "environ-variables",
        "SERVER_PROTOCOL is missing, empty or not of the form NAME/version (e.g. HTTP/1.1).",
        quote="The following variables must be present, unless their value would be an empty string",
        bad="environ without 'SERVER_PROTOCOL'",
        fix="Set SERVER_PROTOCOL to the request's protocol version, e.g. 'HTTP/1.1'.",
    ),
    Rule(
        "W108", "script-name-slash", ADVICE, S, P, "environ-variables",
        "SCRIPT_NAME is neither empty nor a path starting with '/' (or it is exactly '/').",
        quote="The initial portion of the request URL's \"path\" that corresponds to the application object",
        bad="environ['SCRIPT_NAME'] = '/'  # root app",
        fix="Use '' (or leave SCRIPT_NAME out) for an app mounted at the root.",
    ),
    Rule(
        "W109", "path-info-slash", ADVICE, S, P, "environ-variables",
        "PATH_INFO is neither empty nor a path starting with '/'.",
        quote="The remainder of the request URL's \"path\", designating the virtual \"location\" of the request's target",
        bad="environ['PATH_INFO'] = 'index.html'",
        fix="Start PATH_INFO with '/' or leave it empty/absent.",
    ),
    Rule(
        "W110", "no-http-content-twins", ADVICE, S, P, "environ-variables",
        "environ holds HTTP_CONTENT_TYPE or HTTP_CONTENT_LENGTH; these belong in CONTENT_TYPE/CONTENT_LENGTH.",
        quote="CONTENT_TYPE: The contents of any Content-Type fields in the HTTP request.",
        bad="environ['HTTP_CONTENT_LENGTH'] = '5'",
        fix="Map Content-Type/Content-Length to CONTENT_TYPE/CONTENT_LENGTH only.",
    ),
    Rule(
        "W111", "content-length-digits", ADVICE, S, P, "environ-variables",
        "CONTENT_LENGTH is present and non-empty but not a decimal number of bytes.",
        quote="CONTENT_LENGTH: The contents of any Content-Length fields in the HTTP request.",
        bad="environ['CONTENT_LENGTH'] = 'abc'",
        fix="Pass the decimal Content-Length, or leave CONTENT_LENGTH out when there is none.",
    ),
    Rule(
        "W112", "wsgi-keys-present", MUST, S, P, "environ-variables",
        "A required wsgi.* key is missing (version, url_scheme, input, errors, multithread, multiprocess, run_once).",
        quote="the environ dictionary ... must contain the following WSGI-defined variables",
        bad="environ without 'wsgi.run_once'",
        fix="Provide all seven wsgi.* variables.",
    ),
    Rule(
        "W113", "wsgi-version", MUST, S, P, "environ-variables",
        "wsgi.version is not the tuple (1, 0).",
        quote="wsgi.version: The tuple (1, 0), representing WSGI version 1.0.",
        bad="environ['wsgi.version'] = (1, 1)",
        fix="Set wsgi.version = (1, 0).",
    ),
    Rule(
        "W114", "url-scheme-str", MUST, S, P, "environ-variables",
        "wsgi.url_scheme is not a non-empty str.",
        quote="wsgi.url_scheme: A string representing the \"scheme\" portion of the URL",
        bad="environ['wsgi.url_scheme'] = b'http'",
        fix="Set wsgi.url_scheme to 'http' or 'https'.",
    ),
    Rule(
        "W115", "url-scheme-value", ADVICE, S, P, "environ-variables",
        "wsgi.url_scheme is a string but neither 'http' nor 'https'.",
        quote="Normally, this will have the value \"http\" or \"https\", as appropriate.",
        bad="environ['wsgi.url_scheme'] = 'HTTP'",
        fix="Use the lower-case scheme the request arrived on.",
    ),
    Rule(
        "W116", "extension-key-naming", SHOULD, S, P, "environ-variables",
        "A server-defined environ key (one with a dot) uses characters other than lower-case letters, digits, dots, underscores.",
        quote="These variables should be named using only lower-case letters, numbers, dots, and underscores",
        bad="environ['MyServer.Socket'] = sock",
        fix="Name extension keys like 'myserver.socket'.",
    ),
    Rule(
        "W117", "environ-keys-str", ADVICE, S, P, "environ-variables",
        "An environ key is not a str.",
        quote="The environ parameter is a dictionary object, containing CGI-style environment variables.",
        bad="environ[b'PATH_INFO'] = '/'",
        fix="Use str keys only.",
    ),
    Rule(
        "W118", "server-port-digits", ADVICE, S, P, "url-reconstruction",
        "SERVER_PORT is not a decimal port number.",
        quote="url += ':' + environ['SERVER_PORT']",
        bad="environ['SERVER_PORT'] = 'http'",
        fix="Set SERVER_PORT to the port number as digits, e.g. '8000'.",
    ),
    # -- W2xx: wsgi.input and wsgi.errors as the server provides them --------------------------------
    Rule(
        "W201", "input-methods", MUST, S, P, "input-and-error-streams",
        "wsgi.input lacks one of read, readline, readlines, __iter__.",
        quote="The methods listed in the table above must be supported by all servers conforming to this specification.",
        bad="environ['wsgi.input'] = object()",
        fix="Provide a file-like object with read/readline/readlines/__iter__ (io.BytesIO works).",
    ),
    Rule(
        "W202", "input-returns-bytes", MUST, S, P, "a-note-on-string-types",
        "A wsgi.input method returned something other than bytes (or a list of bytes for readlines).",
        quote="\"Bytestrings\" ... that are used for the bodies of requests and responses (e.g. POST/PUT input data",
        bad="environ['wsgi.input'] = io.StringIO('a=1')",
        fix="Return bytes from every wsgi.input method.",
    ),
    Rule(
        "W203", "input-eof-at-content-length", SHOULD, S, P, "input-and-error-streams",
        "wsgi.input returned more bytes than CONTENT_LENGTH instead of simulating end-of-file.",
        quote="should simulate an end-of-file condition if the application attempts to read past that point.",
        bad="wsgi.input is the raw socket file: read() returns the next pipelined request too",
        fix="Limit wsgi.input to CONTENT_LENGTH bytes.",
    ),
    Rule(
        "W204", "input-read-without-size", SHOULD, S, P, "input-and-error-streams",
        "wsgi.input.read() without an argument raised TypeError.",
        quote="A server should allow read() to be called without an argument, and return the remainder",
        bad="def read(self, size): ...  # size required",
        fix="Accept read(size=-1) and return the remainder.",
    ),
    Rule(
        "W205", "input-readline-size", SHOULD, S, P, "input-and-error-streams",
        "wsgi.input.readline(size) raised TypeError: the size argument is not supported.",
        quote="Servers should support the optional \"size\" argument to readline()",
        bad="def readline(self): ...  # no size",
        fix="Accept readline(size=-1).",
    ),
    Rule(
        "W206", "errors-methods", MUST, S, P, "input-and-error-streams",
        "wsgi.errors lacks one of flush, write, writelines.",
        quote="The methods listed in the table above must be supported by all servers conforming to this specification.",
        bad="environ['wsgi.errors'] = object()",
        fix="Provide a text stream such as sys.stderr.",
    ),
    Rule(
        "W207", "errors-accepts-unicode", SHOULD, S, P, "environ-variables",
        "wsgi.errors.write() raised UnicodeError for a str the app wrote.",
        quote="should accept and log arbitrary unicode without raising an error",
        bad="wsgi.errors is an ASCII-only stream that raises on 'caf\\u00e9'",
        fix="Open the error stream with errors='backslashreplace' (or similar).",
    ),
    # -- W3xx: start_response, write, iteration, close, file_wrapper ---------------------------------
    Rule(
        "W301", "start-response-returns-write", MUST, S, P, "the-start-response-callable",
        "start_response returned something that is not callable instead of write().",
        quote="it must return a write(body_data) callable",
        bad="def start_response(status, headers, exc_info=None): store(status, headers)  # returns None",
        fix="Return the write callable.",
    ),
    Rule(
        "W302", "exc-info-raises-after-headers", MUST, S, P, "the-start-response-callable",
        "start_response(status, headers, exc_info) returned normally although headers were already sent.",
        quote="if exc_info is provided, and the HTTP headers have already been sent, start_response must raise an error",
        bad="def start_response(s, h, exc_info=None): self.status = s  # ignores exc_info",
        fix="if exc_info and headers_sent: raise exc_info[1].with_traceback(exc_info[2])",
        check=Check.PROBE,
    ),
    Rule(
        "W303", "exc-info-reraised", SHOULD, S, P, "the-start-response-callable",
        "start_response raised after headers were sent, but not the exception passed in exc_info.",
        quote="should re-raise using the exc_info tuple",
        bad="if exc_info and headers_sent: raise RuntimeError('headers sent')",
        fix="raise exc_info[1].with_traceback(exc_info[2])",
        check=Check.PROBE,
    ),
    Rule(
        "W304", "no-iteration-after-close", ADVICE, S, P, "specification-details",
        "The server asked the app's iterable for another item after calling its close().",
        quote="the server or gateway must call that method upon completion of the current request",
        bad="result.close(); next(iter(result))",
        fix="Stop iterating before calling close().",
    ),
    Rule(
        "W305", "iterable-closed", MUST, S, P, "specification-details",
        "The app's iterable has close() but the server never called it after the response (normal end, error or disconnect).",
        quote="the server or gateway must call that method upon completion of the current request",
        bad="for chunk in result: send(chunk)  # no result.close()",
        fix="try: ... finally: if hasattr(result, 'close'): result.close()",
        check=Check.CROSS,
    ),
    Rule(
        "W306", "close-called-once", ADVICE, S, P, "specification-details",
        "The server called close() on the app's iterable more than once.",
        quote="the server or gateway must call that method upon completion of the current request",
        bad="result.close(); ...; result.close()",
        fix="Call close() exactly once, in a finally block.",
    ),
    Rule(
        "W307", "iterable-attributes", MUST, S, P, "specification-details",
        "The server used an attribute of the app's iterable other than __iter__, __len__ and close.",
        quote="servers and gateways must not directly use any other attributes of the iterable returned by the application",
        bad="if hasattr(result, 'filelike'): sendfile(result.filelike)  # not its own file_wrapper",
        fix="Use only iteration, len() and close(), except on instances of your own wsgi.file_wrapper.",
    ),
    Rule(
        "W308", "file-wrapper-contract", MUST, S, P, "optional-platform-specific-file-handling",
        "wsgi.file_wrapper(filelike[, block_size]) failed, returned a non-iterable, or lacks close() for a closable file.",
        quote="The callable must return an iterable object",
        bad="environ['wsgi.file_wrapper'] = lambda f: f.read()  # returns bytes, no close()",
        fix="Return an iterable whose close() calls the file's close() (wsgiref.util.FileWrapper).",
        check=Check.PROBE,
    ),
    Rule(
        "W309", "rejects-hop-by-hop-headers", SHOULD, S, P, "the-start-response-callable",
        "start_response accepted a hop-by-hop header (or Transfer-Encoding) from the app instead of raising an error.",
        quote="a server or gateway should consider it a fatal error for an application to attempt sending them, and raise an error",
        bad="def start_response(status, headers, exc_info=None): self.headers = headers  # keeps Connection: close",
        fix="Raise when the app supplies hop-by-hop headers, as wsgiref.handlers does.",
        check=Check.PROBE,
    ),
    Rule(
        "W310", "checks-headers-early", SHOULD, S, P, "the-start-response-callable",
        "start_response accepted malformed headers (not a list of str pairs, bad name, control characters, non-latin-1).",
        quote="Servers should check for errors in the headers at the time start_response is called",
        bad="def start_response(status, headers, exc_info=None): self.headers = headers  # no checks",
        fix="Validate header types, names and values in start_response and raise on the first error.",
        check=Check.PROBE,
    ),
)
# fmt: on
