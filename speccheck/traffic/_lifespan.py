"""``lifespan_runs()``: what an app does in the ASGI lifespan protocol, as a ``LifespanPlan``.

The app's side of one run: startup, then (if startup completed) shutdown, each phase
completing, failing with a ``*.failed`` message, or raising; plus what the app puts in
``scope["state"]`` at startup. The outcomes follow the spec
(https://asgi.readthedocs.io/en/latest/specs/lifespan.html): an exception on the lifespan
scope or at ``lifespan.startup`` means "the server must continue but not send any
lifespan events"; ``lifespan.startup.failed`` means the server "should log/print the
message provided and then exit"; the ``message`` key is optional (default ``""``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from hypothesis import strategies as st

__all__ = ["LifespanPlan", "PhaseOutcome", "StartupOutcome", "StateValue", "lifespan_runs"]

StartupOutcome = Literal["complete", "failed", "raise-on-scope", "raise-on-startup"]
PhaseOutcome = Literal["complete", "failed", "raise"]
StateValue = str | int | float | bool | None


@dataclass(frozen=True, slots=True)
class LifespanPlan:
    """One lifespan run, from the app's side.

    - ``startup``: ``"complete"`` (sends ``lifespan.startup.complete``), ``"failed"``
      (sends ``lifespan.startup.failed``), ``"raise-on-scope"`` (raises before its first
      ``receive()``: an app without lifespan support), ``"raise-on-startup"`` (raises after
      receiving ``lifespan.startup``).
    - ``shutdown``: ``"complete"``, ``"failed"`` or ``"raise"``; ``None`` when there is no
      shutdown phase because startup did not complete.
    - ``message``: the ``message`` key of a ``*.failed`` event; ``None`` leaves it out.
    - ``state``: what the app stores in ``scope["state"]`` at startup (when the server
      provides it), as ordered pairs; ``state_dict()`` gives the dict.
    """

    startup: StartupOutcome = "complete"
    shutdown: PhaseOutcome | None = "complete"
    message: str | None = None
    state: tuple[tuple[str, StateValue], ...] = ()

    @property
    def failing_phase(self) -> Literal["startup", "shutdown"] | None:
        """Which phase does not complete, if any."""
        if self.startup != "complete":
            return "startup"
        return "shutdown" if self.shutdown not in (None, "complete") else None

    @property
    def server_should_exit(self) -> bool:
        """True when the app reported a failed startup: the server should log and exit."""
        return self.startup == "failed"

    def state_dict(self) -> dict[str, StateValue]:
        return dict(self.state)


_VALUES: st.SearchStrategy[StateValue] = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**63), 2**63),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=20),
)
_STATE = st.dictionaries(st.text(min_size=1, max_size=12), _VALUES, max_size=5).map(lambda d: tuple(d.items()))
_MESSAGES = st.none() | st.just("") | st.text(max_size=40)
_STARTUPS: st.SearchStrategy[StartupOutcome] = st.sampled_from(
    ("complete", "complete", "failed", "raise-on-scope", "raise-on-startup")
)
_SHUTDOWNS: st.SearchStrategy[PhaseOutcome] = st.sampled_from(("complete", "complete", "failed", "raise"))


def _plan(
    startup: StartupOutcome, shutdown: PhaseOutcome, message: str | None, state: tuple[tuple[str, StateValue], ...]
) -> LifespanPlan:
    if startup != "complete":
        return LifespanPlan(startup, None, message, state if startup == "failed" else ())
    return LifespanPlan(startup, shutdown, message, state)


def lifespan_runs() -> st.SearchStrategy[LifespanPlan]:
    """A hypothesis strategy of ``LifespanPlan``: mostly clean runs, and each way a phase
    can fail (a ``*.failed`` event with or without a message, or an exception)."""
    return st.builds(_plan, _STARTUPS, _SHUTDOWNS, _MESSAGES, _STATE)
