"""PEP 3333 rules that need more than one plain request to see (W208, W311, W312) and
the middleware rules (W4xx), checked by `check_middleware`.

A middleware is blamed as the *server* side: these rules describe how it treats the
application below it, which is the server's role from that application's point of view.
"""

from __future__ import annotations

from speccheck._rules import Check, Level, Rule, Side, Spec

__all__ = ["MORE_RULES"]

S, P = Side.SERVER, Spec.PEP3333
MUST, SHOULD, ADVICE = Level.MUST, Level.SHOULD, Level.ADVICE
_MW = "middleware-handling-of-block-boundaries"

# fmt: off
MORE_RULES: tuple[Rule, ...] = (
    Rule(
        "W208", "input-readlines-hint", ADVICE, S, P, "input-and-error-streams",
        "wsgi.input.readlines(hint) raised TypeError: the optional hint argument is not accepted.",
        quote="the hint argument to readlines() is optional for both caller and implementer",
        bad="def readlines(self): ...  # no hint",
        fix="Accept readlines(hint=-1); ignoring the hint is allowed.",
    ),
    Rule(
        "W311", "multithread-truthful", SHOULD, S, P, "environ-variables",
        "Two threads were inside the application at the same time while wsgi.multithread was false.",
        quote="should evaluate true if the application object may be simultaneously invoked by another thread",
        bad="a thread pool server that sets environ['wsgi.multithread'] = False",
        fix="Set wsgi.multithread = True whenever requests may run concurrently in threads.",
        check=Check.CROSS,
    ),
    Rule(
        "W312", "write-past-content-length-raises", SHOULD, S, P, "handling-the-content-length-header",
        "write() accepted bytes beyond the Content-Length the app declared instead of raising an error.",
        quote="or raise an error if the application tries to write() past that point",
        bad="def write(data): sock.sendall(data)  # whatever Content-Length said",
        fix="Count the bytes written and raise once they would exceed Content-Length.",
        check=Check.PROBE,
    ),
    Rule(
        "W401", "middleware-yields-per-yield", MUST, S, P, _MW,
        "A middleware took a value from the application's iterable and ended its own iteration without "
        "yielding anything for it (the middleware is the server of that application).",
        quote="a middleware component must yield at least one value each time its underlying application yields a value",
        bad="for chunk in inner:\n    if chunk == b'': return  # swallowed\n    yield chunk",
        fix="Yield something (b'' if nothing else) for every value the application yields.",
        check=Check.PROBE,
    ),
    Rule(
        "W402", "middleware-no-block", MUST, S, P, _MW,
        "A middleware took two or more values from the application's iterable before yielding one itself "
        "(it waited for several values; blamed as the server of that application).",
        quote="middleware components must not block iteration waiting for multiple values from an application iterable",
        bad="yield b''.join(inner)  # or: skip empty chunks without yielding",
        fix="Yield after every value taken from the application; yield b'' while accumulating.",
        check=Check.PROBE,
    ),
    Rule(
        "W403", "middleware-returns-promptly", MUST, S, P, _MW,
        "A middleware consumed two or more values of the application's iterable before returning its own iterable "
        "(blamed as the server of that application).",
        quote="middleware must return an iterable as soon as its underlying application returns an iterable",
        bad="return [b''.join(app(environ, start_response))]",
        fix="Return a generator or iterable that pulls from the application lazily.",
        check=Check.PROBE,
    ),
    Rule(
        "W404", "middleware-no-write-for-yielded", MUST, S, P, _MW,
        "A middleware passed bytes the application yielded to its server's write() callable (blamed as the server of "
        "that application).",
        quote="It is also forbidden for middleware to use the write() callable to transmit data that is yielded",
        bad="write = start_response(status, headers)\nfor chunk in inner: write(chunk)\nreturn []",
        fix="Yield the application's data from the middleware's own iterable.",
        check=Check.PROBE,
    ),
    Rule(
        "W405", "middleware-closes-inner", MUST, S, P, "specification-details",
        "A middleware's iterable was closed (after the end, an error, or an early stop) but the application's "
        "iterable below it was never closed (the middleware is the server of that application).",
        quote="the server or gateway must call that method upon completion of the current request",
        bad="def mw(environ, sr):\n    for chunk in app(environ, sr): yield chunk  # no close() of the inner iterable",
        fix="try: yield from inner\nfinally: close = getattr(inner, 'close', None); close and close()",
        check=Check.PROBE,
    ),
)
# fmt: on
