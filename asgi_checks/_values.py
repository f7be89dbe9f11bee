"""Event value checks shared by both directions (asgi.rst "Events").

https://asgi.readthedocs.io/en/latest/specs/main.html#events
  "they are only allowed to contain the following types: Byte strings, Unicode strings,
  Integers (within the signed 64-bit range), Floating point numbers (... no Nan or
  infinities), Lists (tuples should be encoded as lists), Dicts (keys must be Unicode
  strings), Booleans, None"

`problems(msg)` walks an event once and returns ``(kind, path, value)`` triples where
``kind`` is one of "type", "int", "float", "key", "tuple". The walk is bounded in depth
(32) and in items (10,000) so a hostile message cannot stall the lint.
"""

from __future__ import annotations

import math
from typing import Any

__all__ = ["INT_MAX", "INT_MIN", "Problem", "problems"]

INT_MIN, INT_MAX = -(2**63), 2**63 - 1
_SCALARS = frozenset({bytes, str, bool, type(None)})
_MAX_DEPTH = 32
_MAX_ITEMS = 10_000

Problem = tuple[str, str, Any]


def problems(msg: dict[Any, Any], skip: str = "") -> list[Problem]:
    """Everything wrong with the value types of one event (empty list if it is clean).
    ``skip`` names a key checked elsewhere more precisely (a header list)."""
    out: list[Problem] = []
    budget = [_MAX_ITEMS]
    for key, value in msg.items():
        if type(value) in _SCALARS:
            if type(key) is not str:
                out.append(("key", repr(key), key))
            continue
        if type(key) is not str:
            out.append(("key", repr(key), key))
            continue
        if key == skip:
            continue
        _walk(value, key, 1, out, budget)
    return out


def _walk(value: Any, path: str, depth: int, out: list[Problem], budget: list[int]) -> None:
    budget[0] -= 1
    if budget[0] < 0 or depth > _MAX_DEPTH:
        return
    cls = type(value)
    if cls in _SCALARS:
        return
    if cls is int:
        if not INT_MIN <= value <= INT_MAX:
            out.append(("int", path, value))
        return
    if cls is float:
        if not math.isfinite(value):
            out.append(("float", path, value))
        return
    if cls is list or cls is tuple:
        if cls is tuple:
            out.append(("tuple", path, value))
        for i, item in enumerate(value):
            if type(item) in _SCALARS:
                continue
            _walk(item, f"{path}[{i}]", depth + 1, out, budget)
        return
    if cls is dict:
        for key, item in value.items():
            if type(key) is not str:
                out.append(("key", f"{path}[{key!r}]", key))
                continue
            _walk(item, f"{path}[{key!r}]", depth + 1, out, budget)
        return
    # Subclasses of the allowed types (an IntEnum status, a str subclass) are values of
    # those types; anything else (bytearray, memoryview, set, objects) is not.
    if isinstance(value, bool | bytes | str):
        return
    if isinstance(value, int):
        if not INT_MIN <= value <= INT_MAX:
            out.append(("int", path, value))
        return
    if isinstance(value, float):
        if not math.isfinite(value):
            out.append(("float", path, value))
        return
    if isinstance(value, list | dict):
        _walk(list(value) if isinstance(value, list) else dict(value), path, depth, out, budget)
        return
    out.append(("type", path, value))
