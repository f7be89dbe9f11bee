"""What an oracle returns: a rule code with observed vs expected, before it becomes a Violation."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Finding", "show"]


@dataclass(frozen=True, slots=True)
class Finding:
    code: str
    message: str
    observed: str = ""
    expected: str = ""
    signature: str = ""
    previous: bool = False  # about the exchange before this one on the same connection


def show(value: object, limit: int = 120) -> str:
    """A short, escaped rendering of an observed value (bytes and text alike)."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."
