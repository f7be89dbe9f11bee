"""Finding the application's own source line for app-side violations."""

from __future__ import annotations

import os
import sys
from types import CodeType, FrameType

from speccheck._violations import Location

__all__ = ["app_location", "code_location", "register_internal_dir"]

_here = os.path.dirname(os.path.abspath(__file__))
_INTERNAL: list[str] = [_here + os.sep]
# Frames of these are the machinery between us and the app, never the app itself.
_STDLIB = os.path.dirname(os.__file__)
_MACHINERY = tuple(os.path.join(_STDLIB, name) + os.sep for name in ("asyncio", "concurrent", "wsgiref")) + tuple(
    os.path.join(_STDLIB, name) for name in ("threading.py", "contextlib.py")
)


def register_internal_dir(path: str) -> None:
    """Mark a package directory whose frames are never blamed (our spec packs)."""
    path = os.path.abspath(path) + os.sep
    if path not in _INTERNAL:
        _INTERNAL.append(path)


def _is_ours(filename: str) -> bool:
    return filename.startswith(tuple(_INTERNAL)) or filename.startswith(_MACHINERY)


def app_location(depth: int = 1) -> Location | None:
    """The first frame up the stack that belongs to neither speccheck nor the stdlib
    machinery around it: the app's call that broke the rule."""
    frame: FrameType | None = sys._getframe(depth)
    while frame is not None:
        code = frame.f_code
        if not _is_ours(code.co_filename):
            return Location(code.co_filename, frame.f_lineno, code.co_name)
        frame = frame.f_back
    return None


def code_location(obj: object) -> Location | None:
    """Where ``obj`` (a generator, coroutine, function or object with ``__call__``) is
    defined or suspended: for violations found while iterating what the app returned."""
    frame = getattr(obj, "gi_frame", None) or getattr(obj, "cr_frame", None)
    if isinstance(frame, FrameType):
        return Location(frame.f_code.co_filename, frame.f_lineno, frame.f_code.co_name)
    code = getattr(obj, "gi_code", None) or getattr(obj, "__code__", None)
    if code is None:
        call = getattr(type(obj), "__call__", None)  # noqa: B004 - the method, not callability
        code = getattr(call, "__code__", None)
    if isinstance(code, CodeType) and not _is_ours(code.co_filename):
        return Location(code.co_filename, code.co_firstlineno, code.co_name)
    return None
