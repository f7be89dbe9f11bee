"""The engine's event stream. Every output (terminal, report files, the pytest
plugin) is a handler on it, so a run cut short still ends with `RunFinished` and
every handler writes a consistent, partial report."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from speccheck._run import RunInfo, RunResult
from speccheck._violations import Violation

__all__ = ["Event", "EventBus", "ExchangeChecked", "Handler", "RunFinished", "RunStarted", "ViolationFound"]


@dataclass(frozen=True, slots=True)
class RunStarted:
    info: RunInfo
    planned: int | None = None  # number of exchanges planned, when known


@dataclass(frozen=True, slots=True)
class ExchangeChecked:
    done: int
    planned: int | None = None
    label: str = ""


@dataclass(frozen=True, slots=True)
class ViolationFound:
    violation: Violation
    first: bool  # the first sighting of this finding in the run


@dataclass(frozen=True, slots=True)
class RunFinished:
    result: RunResult


Event = RunStarted | ExchangeChecked | ViolationFound | RunFinished


class Handler(Protocol):
    def handle(self, event: Event) -> None: ...


class EventBus:
    def __init__(self, handlers: list[Handler] | None = None) -> None:
        self.handlers: list[Handler] = list(handlers or [])

    def subscribe(self, handler: Handler) -> None:
        self.handlers.append(handler)

    def emit(self, event: Event) -> None:
        for handler in self.handlers:
            handler.handle(event)
