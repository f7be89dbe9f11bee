"""Server side: the request target in the scope (query_string encoding, path vs raw_path).

https://asgi.readthedocs.io/en/latest/specs/www.html#http-connection-scope
  "path (Unicode string) -- HTTP request target excluding any query string, with
  percent-encoded sequences and UTF-8 byte sequences decoded into characters."
  "raw_path (byte string) -- The original HTTP path component, excluding any query
  string, unmodified from the bytes that were received by the web server."
  "query_string (byte string) -- URL portion after the ?, percent-encoded."

What `check_path` accepts for ``path`` given ``raw_path`` (several behaviours are
defensible, so all of them pass):

- the percent- and UTF-8-decoded raw_path, with or without root_path in front of it, or
  with root_path stripped from its front (servers differ on which of the two carries it);
- the same with ``%2F`` left encoded (a server may keep an encoded slash apart from a
  path separator on purpose);
- each of those with dot-segments removed (RFC 3986 5.2.4) or a leading "//" collapsed,
  normalisations servers apply for safety.

It says nothing when raw_path does not decode as UTF-8 (the spec does not say what a
server does then: replacement characters, surrogate escapes and latin-1 are all seen),
when raw_path is absent/None/not bytes or contains "?" (A205), or path is not a str (A204).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any
from urllib.parse import unquote_to_bytes

__all__ = ["check_path", "check_query", "path_candidates"]

Report = Callable[..., None]

# Bytes a percent-encoded query never holds raw: controls, space, DEL, non-ASCII (RFC 3986 3.4).
_NOT_ENCODED = re.compile(rb"[\x00-\x20\x7f-\xff]")
_SLASH = re.compile(rb"(%2[fF])")


def check_query(query: bytes, report: Report) -> None:
    """A215 for a non-empty bytes query_string."""
    found = _NOT_ENCODED.search(query)
    if found is not None:
        byte = found.group()[0]
        what = "space" if byte == 0x20 else ("a non-ASCII byte" if byte > 0x7F else "a control byte")
        report(
            "A215",
            f"query_string holds {what} that is not percent-encoded",
            observed=repr(query)[:60],
            expected=f"%{byte:02X}",
            signature=what,
        )


def check_path(path: str, raw_path: bytes, root: Any, report: Report) -> None:
    """A216 for a str path and a bytes raw_path without "?" (the caller has already
    let through the common case of a path equal to an ASCII raw_path without "%")."""
    candidates = path_candidates(raw_path, root if type(root) is str else "")
    if candidates is not None and path not in candidates:
        _mismatch(path, unquote_to_bytes(raw_path).decode("utf-8"), report)


def _mismatch(path: str, expected: str, report: Report) -> None:
    report(
        "A216",
        "path is not raw_path decoded",
        observed=repr(path)[:60],
        expected=repr(expected)[:60],
    )


def path_candidates(raw_path: bytes, root: str) -> set[str] | None:
    """Every path a server may put in the scope for ``raw_path`` (None: no opinion)."""
    try:
        decoded = unquote_to_bytes(raw_path).decode("utf-8")
        parts = _SLASH.split(raw_path)
        kept = "".join(
            part.decode("ascii") if i % 2 else unquote_to_bytes(part).decode("utf-8") for i, part in enumerate(parts)
        )
    except UnicodeDecodeError:
        return None  # invalid UTF-8 (in the whole, or around a kept %2F): the spec is silent
    bases = {decoded, kept} if decoded else {"", "/"}  # an empty path may be read as "/"
    if root:
        bases |= {root + decoded, root + kept}
        bases |= {b[len(root) :] for b in (decoded, kept) if b.startswith(root)}
    out: set[str] = set()
    for base in bases:
        out.add(base)
        out.add(_remove_dot_segments(base))
        if base.startswith("//"):
            collapsed = "/" + base.lstrip("/")
            out.add(collapsed)
            out.add(_remove_dot_segments(collapsed))
    return out


def _remove_dot_segments(path: str) -> str:
    """RFC 3986 5.2.4 on an absolute path (other paths come back unchanged)."""
    if not path.startswith("/"):
        return path
    out: list[str] = []
    for segment in path.split("/")[1:]:
        if segment == "..":
            if out:
                out.pop()
        elif segment != ".":
            out.append(segment)
    tail = "/" if path.endswith(("/.", "/..")) else ""
    return "/" + "/".join(out) + tail
