"""Response plans: what the probe app must answer to one exchange, and the side channel
(plan files in, observation files out) that works across server worker processes.

The runner writes each plan once as ``<dir>/plan-<name>.json``; a request names its plan
and its exchange id in two headers; the probe writes what it observed to
``<dir>/<id>.obs.json``. ``<dir>`` comes from the ``SPECCHECK_PROBE_DIR`` variable.
This module is imported inside the server under test: keep it dependency-free.
"""

from __future__ import annotations

import json
import os
import threading
import time
from dataclasses import dataclass, field
from typing import Any, Literal

__all__ = [
    "DIR_ENV",
    "ID_HEADER",
    "PLAN_HEADER",
    "ResponsePlan",
    "await_observation",
    "closed_ids",
    "load_plan",
    "mark_closed",
    "read_observation",
    "write_observation",
    "write_plan",
]

DIR_ENV = "SPECCHECK_PROBE_DIR"
ID_HEADER = "x-speccheck-id"
PLAN_HEADER = "x-speccheck-plan"

Mode = Literal["iterable", "write"]


@dataclass(frozen=True, slots=True)
class ResponsePlan:
    """One response, performed by the probe. Header names/values and body chunks are
    latin-1 text so the plan is plain JSON; ``raise_after`` raises after that many body
    chunks; ``read_body=False`` answers without reading the request body. The reaction
    phase (``_reactions``) adds: ``after="receive"`` (ASGI: call receive() once more after
    the response, for at most 2 s), ``hold`` (ASGI: before answering, wait that long for a
    receive() message, then send() anyway) and ``pause`` (WSGI: sleep between body chunks)."""

    name: str
    status: int = 200
    reason: str = "OK"
    headers: tuple[tuple[str, str], ...] = ()
    body: tuple[str, ...] = ()
    mode: Mode = "iterable"  # WSGI only: return an iterable or call write()
    read_body: bool = True
    raise_after: int | None = None
    hang: bool = False
    after: str = ""
    hold: float = 0.0
    pause: float = 0.0
    fault: str = ""  # "before-start", "no-response", "exc-info" (WSGI): see speccheck.server._faults
    wrong: tuple[str, ...] = field(default=())  # what is deliberately wrong (app-side), for the oracles
    # ASGI http.response.trailers (extensions.rst, HTTP Trailers): sent after the body when
    # the scope advertises the extension; the probe then sets trailers=True in the start.
    trailers: tuple[tuple[str, str], ...] = ()

    @property
    def body_bytes(self) -> bytes:
        return "".join(self.body).encode("latin-1")

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "status": self.status,
            "reason": self.reason,
            "headers": [list(h) for h in self.headers],
            "body": list(self.body),
            "mode": self.mode,
            "read_body": self.read_body,
            "raise_after": self.raise_after,
            "hang": self.hang,
            "after": self.after,
            "hold": self.hold,
            "pause": self.pause,
            "fault": self.fault,
            "wrong": list(self.wrong),
            "trailers": [list(t) for t in self.trailers],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ResponsePlan:
        return cls(
            name=str(data["name"]),
            status=int(data.get("status", 200)),
            reason=str(data.get("reason", "OK")),
            headers=tuple((str(n), str(v)) for n, v in data.get("headers", ())),
            body=tuple(str(c) for c in data.get("body", ())),
            mode="write" if data.get("mode") == "write" else "iterable",
            read_body=bool(data.get("read_body", True)),
            raise_after=data.get("raise_after"),
            hang=bool(data.get("hang", False)),
            after=str(data.get("after") or ""),
            hold=float(data.get("hold") or 0.0),
            pause=float(data.get("pause") or 0.0),
            fault=str(data.get("fault") or ""),
            wrong=tuple(data.get("wrong", ())),
            trailers=tuple((str(n), str(v)) for n, v in data.get("trailers", ())),
        )


DEFAULT_PLAN = ResponsePlan("default", headers=(("content-type", "text/plain"),), body=("speccheck probe",))

_cache: dict[str, ResponsePlan] = {}


def probe_dir() -> str | None:
    return os.environ.get(DIR_ENV) or None


def write_plan(directory: str, plan: ResponsePlan) -> None:
    path = os.path.join(directory, f"plan-{plan.name}.json")
    with open(path, "w", encoding="utf-8") as f:
        json.dump(plan.to_dict(), f)


def load_plan(name: str | None) -> ResponsePlan:
    """The plan called ``name`` (cached; plan files never change during a run)."""
    if not name:
        return DEFAULT_PLAN
    plan = _cache.get(name)
    if plan is not None:
        return plan
    directory = probe_dir()
    if directory is None or not name.replace("-", "").replace("_", "").isalnum():
        return DEFAULT_PLAN
    try:
        with open(os.path.join(directory, f"plan-{name}.json"), encoding="utf-8") as f:
            plan = ResponsePlan.from_dict(json.load(f))
    except (OSError, ValueError, KeyError):
        return DEFAULT_PLAN
    _cache[name] = plan
    return plan


def write_observation(ident: str, observation: dict[str, Any]) -> None:
    """Atomically publish the observation of exchange ``ident`` (no-op without a probe dir)."""
    directory = probe_dir()
    if directory is None or not ident.replace("-", "").isalnum():
        return
    path = os.path.join(directory, f"{ident}.obs.json")
    tmp = f"{path}.{os.getpid()}.{threading.get_ident()}.tmp"  # one per writer: threads may share an id
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(json.dumps(observation))  # the C encoder; json.dump streams through the Python one
    os.replace(tmp, path)


def mark_closed(ident: str) -> None:
    """Record that the server called close() on the response iterable of ``ident``."""
    directory = probe_dir()
    if directory is None or not ident.replace("-", "").isalnum():
        return
    try:
        with open(os.path.join(directory, f"{ident}.closed"), "wb"):
            pass
    except OSError:
        pass


def closed_ids(directory: str) -> set[str]:
    return {name[: -len(".closed")] for name in os.listdir(directory) if name.endswith(".closed")}


def read_observation(directory: str, ident: str) -> dict[str, Any] | None:
    path = os.path.join(directory, f"{ident}.obs.json")
    try:
        with open(path, encoding="utf-8") as f:
            data: dict[str, Any] = json.load(f)
    except FileNotFoundError:
        return None
    except ValueError:
        return None
    try:
        os.unlink(path)
    except OSError:
        pass
    return data


def await_observation(directory: str, ident: str, from_probe: bool, wait: float = 1.0) -> dict[str, Any] | None:
    """The observation of ``ident``: polled for up to ``wait`` seconds when the response came
    from the probe (it publishes a moment later), otherwise whatever is there already."""
    obs = read_observation(directory, ident)
    if obs is not None or not from_probe:
        return obs
    end = time.monotonic() + wait
    while time.monotonic() < end:
        time.sleep(0.001)
        obs = read_observation(directory, ident)
        if obs is not None:
            return obs
    return None


def text(value: bytes) -> str:
    """Bytes as JSON-safe text (latin-1: one character per byte, reversible)."""
    return value.decode("latin-1")
