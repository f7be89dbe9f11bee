"""Exception classes. Blame is in the type: app-side and server-side violations,
misuse of speccheck itself, and speccheck's own bugs are different classes."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from speccheck._violations import Violation

__all__ = [
    "AppSpecViolation",
    "InternalError",
    "ServerSpecViolation",
    "SpecViolation",
    "SpecWarning",
    "UsageError",
]


class SpecViolation(AssertionError):
    """Raised at the faulty call in ``mode="raise"``; carries the violation."""

    def __init__(self, violation: Violation) -> None:
        super().__init__(violation.one_line())
        self.violation = violation


class AppSpecViolation(SpecViolation):
    """The application broke the spec."""


class ServerSpecViolation(SpecViolation):
    """The server (or whatever calls the application) broke the spec."""


class SpecWarning(UserWarning):
    """Emitted for each violation in ``mode="warn"``."""


class UsageError(ValueError):
    """speccheck was called with arguments that cannot work (bad code, option, path)."""


class InternalError(RuntimeError):
    """A bug of speccheck itself, never the fault of the app or server under test."""
