"""What an application answered to one delivery, and when two answers count as the same.

The reference drivers (``wsgi_checks._driver``, ``asgi_checks._driver``) return an
`Answer`; the differential check compares answers of one request delivered two legal
ways. Some response headers legitimately change from one call to the next whatever the
request: they are left out of the comparison (see `VOLATILE_HEADERS`).
"""

from __future__ import annotations

import sys
import sysconfig
import traceback
from dataclasses import dataclass, field
from types import TracebackType

from speccheck._location import _is_ours
from speccheck._violations import Location

__all__ = ["VOLATILE_HEADERS", "Answer", "failure_location", "raised"]

# Frames under these are libraries (stdlib, installed frameworks): the app's own code is elsewhere.
_LIBRARIES = tuple(
    {p for p in (sysconfig.get_paths().get(k, "") for k in ("stdlib", "purelib", "platlib")) if p}
    | {sys.base_prefix + "/lib"}
)

# Left out when comparing answers, because they vary between two identical calls of a
# correct app: clocks (date, expires, last-modified, age, server-timing, x-runtime,
# x-response-time), per-response random ids (set-cookie session ids, x-request-id and
# friends), and etag, which frameworks derive from mtimes or random salts. A body that
# differs is still caught on the body itself, so leaving etag out hides nothing.
VOLATILE_HEADERS = frozenset(
    {
        "date",
        "expires",
        "last-modified",
        "age",
        "etag",
        "set-cookie",
        "server-timing",
        "x-runtime",
        "x-response-time",
        "x-request-id",
        "request-id",
        "x-correlation-id",
        "x-trace-id",
        "traceparent",
    }
)


@dataclass(frozen=True, slots=True)
class Answer:
    """The app's answer: status, headers (names lowercased), body; or why there was none."""

    status: int | None = None
    headers: tuple[tuple[str, str], ...] = ()
    body: bytes = b""
    error: str = ""  # "ValueError: boom" when the app raised
    location: Location | None = field(default=None, compare=False)
    hung: bool = False
    traceback: str = field(default="", compare=False)
    note: str = field(default="", compare=False)  # why the driver answered 500 for the app

    @property
    def failed(self) -> bool:
        """Raised, hung or answered with a server error."""
        return bool(self.error) or self.hung or self.status is None or self.status >= 500

    def comparable(self) -> tuple[object, ...]:
        headers = tuple(sorted((n, v) for n, v in self.headers if n not in VOLATILE_HEADERS))
        return (self.status, headers, self.body, self.error.split(":", 1)[0], self.hung)

    def same_as(self, other: Answer) -> bool:
        return self.comparable() == other.comparable()

    def describe(self) -> str:
        if self.hung:
            return "no answer (hung)"
        if self.error:
            return f"raised {self.error}"
        if self.note:
            return f"{self.status} ({self.note})"
        preview = self.body[:40]
        more = "..." if len(self.body) > 40 else ""
        return f"{self.status}, {len(self.body)} byte body {preview!r}{more}"

    def difference(self, other: Answer) -> str:
        """What differs from ``other``, in a few words."""
        if self.hung != other.hung or self.error != other.error or self.status != other.status:
            return f"{other.describe()} vs {self.describe()}"
        mine = {n: v for n, v in self.headers if n not in VOLATILE_HEADERS}
        theirs = {n: v for n, v in other.headers if n not in VOLATILE_HEADERS}
        for name in sorted(set(mine) | set(theirs)):
            if mine.get(name) != theirs.get(name):
                return f"header {name}: {theirs.get(name)!r} vs {mine.get(name)!r}"
        return f"body {other.body[:40]!r} ({len(other.body)} bytes) vs {self.body[:40]!r} ({len(self.body)} bytes)"


def failure_location(tb: TracebackType | None) -> Location | None:
    """The last traceback frame that belongs to the app (not speccheck, not asyncio)."""
    found: Location | None = None
    own: Location | None = None
    for frame, line in traceback.walk_tb(tb):
        code = frame.f_code
        if not _is_ours(code.co_filename):
            found = Location(code.co_filename, line, code.co_name)
            if not code.co_filename.startswith(_LIBRARIES):
                own = found
    return own or found


def raised(exc: BaseException) -> Answer:
    text = f"{type(exc).__name__}: {exc}"[:300]
    tb = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))[-4000:]
    return Answer(error=text, location=failure_location(exc.__traceback__), traceback=tb)
