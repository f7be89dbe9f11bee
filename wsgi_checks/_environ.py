"""Server side, part 1: the environ the server hands the application (W101-W117, W201, W206).

https://peps.python.org/pep-3333/#environ-variables

The check runs once per request and is built for the hot path: everything that depends
only on *which keys* are present (required keys, HTTP_CONTENT_* twins, key naming,
key types) is computed once per distinct key tuple and cached; per request we then do a
handful of C-level operations (one ``"".join`` over the string values, ``isascii``,
a few ``dict.get``) and fall back to the slow, explicit walk only when something looks off.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from speccheck._http import TOKEN_RE

if TYPE_CHECKING:
    from wsgi_checks._lint import WSGILint

__all__ = ["EnvironChecker"]

WSGI_KEYS = (
    "wsgi.version",
    "wsgi.url_scheme",
    "wsgi.input",
    "wsgi.errors",
    "wsgi.multithread",
    "wsgi.multiprocess",
    "wsgi.run_once",
)
# "The following variables must be present, unless their value would be an empty string"
# -- and these four can never be empty for an HTTP request.
CGI_ALWAYS = ("REQUEST_METHOD", "SERVER_NAME", "SERVER_PORT", "SERVER_PROTOCOL")
_MISSING_CODE = {"REQUEST_METHOD": "W105", "SERVER_NAME": "W106", "SERVER_PORT": "W106", "SERVER_PROTOCOL": "W107"}
INPUT_METHODS = ("read", "readline", "readlines", "__iter__")
ERRORS_METHODS = ("flush", "write", "writelines")
_EXT_KEY = re.compile(r"[a-z0-9_.]+\Z")
_PROTOCOL = re.compile(r"[A-Za-z][A-Za-z0-9]*/\d+(\.\d+)?\Z")
_CACHE_LIMIT = 64
# Values that are (nearly) the same on every request: checked once per distinct tuple.
_STABLE = (
    "REQUEST_METHOD",
    "SERVER_NAME",
    "SERVER_PORT",
    "SERVER_PROTOCOL",
    "SCRIPT_NAME",
    "wsgi.version",
    "wsgi.url_scheme",
)
_GOOD_METHODS = {"GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE", "CONNECT"}
_GOOD_PROTOCOLS = {"HTTP/1.1", "HTTP/1.0", "HTTP/0.9", "HTTP/2", "HTTP/2.0", "HTTP/3", "HTTP/3.0"}


def _is_cgi(key: str) -> bool:
    """CGI variables: names without a dot, and every HTTP_* variable (a request header
    name may hold a dot, a legal token character: ``X.Dotted`` becomes ``HTTP_X.DOTTED``).
    Keys with a dot are server extensions (``wsgi.*``, ``gunicorn.socket``, ...)."""
    return "." not in key or key.startswith("HTTP_")


# RFC 3875 4.1: the meta-variables CGI defines ("CGI-defined variables must be native
# strings"), plus the protocol-specific HTTP_* ones. REMOTE_PORT, HTTPS and other server
# additions are not CGI-defined, so W103 leaves their type alone.
CGI_DEFINED = frozenset(
    {
        "AUTH_TYPE", "CONTENT_LENGTH", "CONTENT_TYPE", "GATEWAY_INTERFACE", "PATH_INFO", "PATH_TRANSLATED",
        "QUERY_STRING", "REMOTE_ADDR", "REMOTE_HOST", "REMOTE_IDENT", "REMOTE_USER", "REQUEST_METHOD",
        "SCRIPT_NAME", "SERVER_NAME", "SERVER_PORT", "SERVER_PROTOCOL", "SERVER_SOFTWARE",
    }
)  # fmt: skip


def _is_cgi_defined(key: str) -> bool:
    return key in CGI_DEFINED or key.startswith("HTTP_")


def _latin1(text: str) -> bool:
    return text.isascii() or max(text) <= "\xff"


class _KeyInfo:
    """What one key tuple implies, computed once: which keys hold strings to check,
    and the key-only findings (reported again on each request that has these keys)."""

    __slots__ = ("findings", "good", "others", "size", "stable", "strings")

    def __init__(self, environ: Mapping[Any, Any]) -> None:
        self.findings: list[tuple[str, str, str]] = []  # (code, message, signature)
        add = self.findings.append
        keys = list(environ)
        str_keys: list[str] = []
        for key in keys:
            if type(key) is not str:
                add(("W117", f"environ key {key!r} is a {type(key).__name__}, not a str", repr(key)))
                continue
            if not _latin1(key):
                add(("W104", f"environ key {key!r} has characters above U+00FF", key))
            cgi = _is_cgi(key)
            if not cgi and not key.startswith("wsgi.") and not _EXT_KEY.match(key):
                add(
                    (
                        "W116",
                        f"server-defined environ key {key!r} is not lower-case letters, digits, dots, underscores",
                        key,
                    )
                )
            if cgi or type(environ[key]) is str:
                str_keys.append(key)
        for key in CGI_ALWAYS:
            if key not in environ:
                add((_MISSING_CODE[key], f"environ has no {key}", key))
        missing = [key for key in WSGI_KEYS if key not in environ]
        if missing:
            add(("W112", f"environ lacks {', '.join(missing)}", ",".join(missing)))
        for twin in ("HTTP_CONTENT_TYPE", "HTTP_CONTENT_LENGTH"):
            if twin in environ:
                add(("W110", f"environ has {twin}; it belongs in {twin[5:]}", twin))
        present = [key for key in _STABLE if key in environ]
        stable = operator.itemgetter(*present) if present else None
        self.stable: Callable[[Mapping[Any, Any]], Any] = stable if stable is not None else (lambda env: ())
        self.good: set[Any] = set()  # stable-value tuples already found good
        self.strings: Callable[[Mapping[Any, Any]], Any] | None
        if len(str_keys) >= 2:
            self.strings = operator.itemgetter(*str_keys)
        elif str_keys:
            getter = operator.itemgetter(str_keys[0])
            self.strings = lambda env: (getter(env),)
        else:
            self.strings = None
        # The keys `strings` does not look up: with `size`, a cheap test that a new environ
        # has exactly these keys (same size, and every key found by the two lookups).
        self.size = len(keys)
        looked_up = set(str_keys)
        others = [key for key in keys if key not in looked_up]
        self.others: Callable[[Mapping[Any, Any]], Any] = operator.itemgetter(*others) if others else (lambda env: ())


class EnvironChecker:
    """The per-lint environ check; `check` is called with every environ."""

    __slots__ = ("_cache", "_errors_types", "_input_types", "_last", "_lint")

    def __init__(self, lint: WSGILint) -> None:
        self._lint = lint
        self._cache: dict[tuple[Any, ...], _KeyInfo] = {}
        self._last: _KeyInfo | None = None  # the key set of the previous environ
        self._input_types: set[type] = set()
        self._errors_types: set[type] = set()

    def check(self, environ: Any) -> None:
        lint = self._lint
        if type(environ) is not dict:
            lint.server(
                "W102",
                f"environ is a {type(environ).__name__}, not a builtin dict",
                environ,
                signature=type(environ).__name__,
            )
            if not isinstance(environ, Mapping):
                return
        # Usually the same keys as the previous request: the same size and every key of that
        # set present (two C-level lookups) means the very same key set, without building
        # and hashing a tuple of all keys.
        info = self._last
        values: Any = None
        if info is not None and len(environ) == info.size:
            try:
                values = info.strings(environ) if info.strings is not None else ()
                info.others(environ)
            except KeyError:
                info = None
        else:
            info = None
        if info is None:
            keys = tuple(environ)
            info = self._cache.get(keys)
            if info is None:
                info = _KeyInfo(environ)
                if len(self._cache) >= _CACHE_LIMIT:
                    self._cache.clear()
                self._cache[keys] = info
            self._last = info
            values = info.strings(environ) if info.strings is not None else ()
        for code, message, signature in info.findings:
            lint.server(code, message, environ, signature=signature)
        # One C-level pass over every value that must be a str: CGI variables (keys without
        # a dot) and the dotted keys that held a str when this key tuple was first seen.
        # "It is a violation of this specification for any CGI variable's value to be of any type other than str."
        if values:
            try:
                joined = "".join(values)
            except TypeError:
                self._slow_values(environ)
            else:
                if not joined.isascii() and not _latin1(joined):
                    self._slow_values(environ)
        get = environ.get
        stable = info.stable(environ)
        try:
            known = stable in info.good
        except TypeError:  # an unhashable value (a list for wsgi.version, say): no caching
            known = False
        if not known and self._check_stable(environ) and len(info.good) < _CACHE_LIMIT:
            info.good.add(stable)
        path = get("PATH_INFO")
        if path and type(path) is str and path[0] != "/" and path != "*":  # "OPTIONS *" (RFC 9112 3.2.4)
            lint.server("W109", f"PATH_INFO {path!r} does not start with '/'", environ, signature=path)
        length = get("CONTENT_LENGTH")
        if length and type(length) is str and not (length.isdigit() and length.isascii()):
            lint.server("W111", f"CONTENT_LENGTH {length!r} is not a decimal number", environ, signature=length)
        stream = get("wsgi.input")
        if stream is not None and type(stream) not in self._input_types:
            self._check_stream(environ, "wsgi.input", INPUT_METHODS, self._input_types, "W201")
        stream = get("wsgi.errors")
        if stream is not None and type(stream) not in self._errors_types:
            self._check_stream(environ, "wsgi.errors", ERRORS_METHODS, self._errors_types, "W206")

    def _check_stable(self, environ: Any) -> bool:
        """The values that rarely change between requests; True if all are good."""
        lint = self._lint
        found: list[str] = []

        def flag(code: str, message: str, environ: Any, *, signature: str) -> None:
            found.append(code)
            lint.server(code, message, environ, signature=signature)

        get = environ.get
        method = get("REQUEST_METHOD")
        # "This cannot ever be an empty string, and so is always required."
        if method is not None and method not in _GOOD_METHODS and type(method) is str and not TOKEN_RE.match(method):
            flag("W105", f"REQUEST_METHOD {method!r} is empty or not an HTTP token", environ, signature=method)
        for key in ("SERVER_NAME", "SERVER_PORT"):
            # "SERVER_NAME and SERVER_PORT are required strings and must never be empty."
            if get(key, None) == "":
                flag("W106", f"{key} is empty", environ, signature=key)
        port = get("SERVER_PORT")
        if port and type(port) is str and not (port.isdigit() and port.isascii()):
            # PEP 3333 "URL Reconstruction" appends SERVER_PORT to the host as the port number.
            flag("W118", f"SERVER_PORT {port!r} is not a decimal port number", environ, signature=port)
        protocol = get("SERVER_PROTOCOL")
        if protocol not in _GOOD_PROTOCOLS and type(protocol) is str and not _PROTOCOL.match(protocol):
            flag("W107", f"SERVER_PROTOCOL {protocol!r} is not like 'HTTP/1.1'", environ, signature=protocol)
        script = get("SCRIPT_NAME")
        if script and type(script) is str and (script[0] != "/" or script == "/"):
            flag("W108", f"SCRIPT_NAME {script!r} is neither empty nor '/...' (and not '/')", environ, signature=script)
        version = get("wsgi.version")
        if version != (1, 0) and "wsgi.version" in environ:
            flag("W113", f"wsgi.version is {version!r}, not (1, 0)", environ, signature=repr(version))
        scheme = get("wsgi.url_scheme")
        if scheme != "http" and scheme != "https" and "wsgi.url_scheme" in environ:
            if type(scheme) is not str or not scheme:
                flag("W114", f"wsgi.url_scheme is {scheme!r}, not a non-empty str", environ, signature=repr(scheme))
            else:
                flag("W115", f"wsgi.url_scheme is {scheme!r}, not 'http' or 'https'", environ, signature=scheme)
        return not found

    def _check_stream(self, environ: Any, key: str, methods: tuple[str, ...], good: set[type], code: str) -> None:
        stream = environ.get(key)
        if stream is None or type(stream) in good:
            return
        lacking = [m for m in methods if not callable(getattr(stream, m, None))]
        if lacking:
            self._lint.server(
                code, f"{key} ({type(stream).__name__}) lacks {', '.join(lacking)}", environ, signature=key
            )
        elif len(good) < _CACHE_LIMIT:
            good.add(type(stream))

    def _slow_values(self, environ: Mapping[Any, Any]) -> None:
        lint = self._lint
        for key, value in list(environ.items()):
            if type(value) is str:
                if not _latin1(value):
                    lint.server(
                        "W104", f"environ[{key!r}] has characters above U+00FF: {value!r}", environ, signature=str(key)
                    )
            elif type(key) is str and _is_cgi_defined(key):
                lint.server(
                    "W103",
                    f"CGI variable {key} is {value!r} ({type(value).__name__}), not a str",
                    environ,
                    signature=key,
                )
