"""The restrictions a caller can put on generated requests, validated once.

``requests()`` and ``sample_requests()`` share this object so the slow strategy and
the fast variations obey exactly the same limits and legality rules.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import cast, get_args

from speccheck._errors import UsageError
from speccheck.traffic._abnf import is_origin_form, is_token, pct_encode
from speccheck.traffic._plans import Framing

__all__ = [
    "DEFAULT_MAX_BODY",
    "NO_CONTENT_METHODS",
    "RESERVED_HEADERS",
    "STANDARD_METHODS",
    "RequestOptions",
]

STANDARD_METHODS = ("GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS")
# RFC 9110 9.3.1/9.3.2/9.3.5: "A client SHOULD NOT generate content in a GET [HEAD, DELETE] request";
# 9.3.8: "A client MUST NOT send content in a TRACE request". These get no body and no chunked framing.
NO_CONTENT_METHODS = frozenset({"GET", "HEAD", "DELETE", "TRACE"})
# Never a random extension method: CONNECT needs authority-form, PRI is the HTTP/2 preface.
_EXCLUDED_METHODS = frozenset({"CONNECT", "PRI"})
# Header names the generator never emits on its own: framing (set from the plan), and the
# connection-control fields that change what the exchange is (keep-alive, upgrades, 100-continue).
RESERVED_HEADERS = frozenset(
    {
        b"host",
        b"content-length",
        b"transfer-encoding",
        b"connection",
        b"keep-alive",
        b"proxy-connection",
        b"upgrade",
        b"http2-settings",
        b"expect",
        b"te",
        b"trailer",
    }
)
DEFAULT_MAX_BODY = 65536
_FRAMINGS: tuple[Framing, ...] = get_args(Framing)
_VERSIONS = ("1.0", "1.1")


@dataclass(frozen=True, slots=True)
class RequestOptions:
    """Validated ``requests()`` arguments (see there for their meaning)."""

    methods: tuple[str, ...] | None
    paths: tuple[bytes, ...] | None
    max_body: int
    framings: tuple[Framing, ...]
    http_versions: tuple[str, ...]
    max_headers: int

    @classmethod
    def build(
        cls,
        *,
        methods: Iterable[str] | None = None,
        paths: Iterable[str | bytes] | None = None,
        max_body: int = DEFAULT_MAX_BODY,
        framings: Iterable[str] | None = None,
        http_versions: Iterable[str] = ("1.1",),
        max_headers: int = 12,
    ) -> RequestOptions:
        method_list = None if methods is None else _check_methods(methods)
        path_list = None if paths is None else tuple(_path_prefix(p) for p in _listed("paths", paths))
        if not isinstance(max_body, int) or isinstance(max_body, bool) or max_body < 0:
            raise UsageError(f"max_body must be an int >= 0, got {max_body!r}")
        if not isinstance(max_headers, int) or isinstance(max_headers, bool) or max_headers < 0:
            raise UsageError(f"max_headers must be an int >= 0, got {max_headers!r}")
        framing_list = _FRAMINGS if framings is None else _check_choice("framings", framings, _FRAMINGS)
        version_list = _check_choice("http_versions", http_versions, _VERSIONS)
        options = cls(
            method_list,
            path_list,
            max_body,
            cast("tuple[Framing, ...]", framing_list),
            version_list,
            max_headers,
        )
        for method in method_list or ("POST",):
            for version in version_list:
                if options.framings_for(method, version, has_body=False):
                    break
            else:
                raise UsageError(
                    f"framings={framing_list!r} leave no legal framing for method {method!r} "
                    f"with http_versions={version_list!r} (chunked needs HTTP/1.1 and a method that may carry content)"
                )
        return options

    def may_have_body(self, method: str, version: str) -> bool:
        """Whether a request with this method and version may carry content here."""
        return self.max_body > 0 and bool(self.framings_for(method, version, has_body=True))

    def framings_for(self, method: str, version: str, *, has_body: bool) -> tuple[Framing, ...]:
        """The allowed framings that are legal for this request shape."""
        out: list[Framing] = []
        for framing in self.framings:
            if framing == "chunked" and (version != "1.1" or method in NO_CONTENT_METHODS):
                continue  # RFC 9112 6.1: Transfer-Encoding needs HTTP/1.1
            if has_body and (framing == "none" or method in NO_CONTENT_METHODS):
                continue  # RFC 9112 6.3: a request without CL or TE has no content
            out.append(framing)
        return tuple(out)


def _listed(name: str, values: Iterable[object]) -> tuple[object, ...]:
    if isinstance(values, (str, bytes)):
        raise UsageError(f"{name} must be a list, got the single value {values!r}")
    out = tuple(values)
    if not out:
        raise UsageError(f"{name} must not be empty")
    return out


def _check_methods(methods: Iterable[str]) -> tuple[str, ...]:
    out = []
    for method in _listed("methods", methods):
        if not isinstance(method, str) or not is_token(method.encode("latin-1", "replace")):
            raise UsageError(f"methods must be HTTP tokens like 'GET', got {method!r}")
        if method in _EXCLUDED_METHODS:
            raise UsageError(f"methods: {method!r} does not take an origin-form target")
        out.append(method)
    return tuple(out)


def _check_choice(name: str, values: Iterable[str], allowed: tuple[str, ...]) -> tuple[str, ...]:
    out = _listed(name, values)
    for value in out:
        if value not in allowed:
            raise UsageError(f"{name} must be among {allowed!r}, got {value!r}")
    return tuple(str(v) for v in out)


def _path_prefix(path: object) -> bytes:
    """A route prefix as legal origin-form bytes; text is UTF-8 and percent-encoded as needed."""
    if isinstance(path, str):
        raw = path.encode("utf-8")
    elif isinstance(path, bytes):
        raw = path
    else:
        raise UsageError(f"paths must hold str or bytes like '/api', got {path!r}")
    if not raw.startswith(b"/") or b"?" in raw or b"#" in raw:
        raise UsageError(f"paths must be absolute paths starting with '/' without '?' or '#', got {path!r}")
    if is_origin_form(raw):
        return raw
    out = b"/".join(pct_encode(seg) for seg in raw.split(b"/"))
    if not is_origin_form(out):  # pragma: no cover - pct_encode output is always legal
        raise UsageError(f"paths: cannot make {path!r} a legal request path")
    return out
