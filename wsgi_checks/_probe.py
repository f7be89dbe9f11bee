"""The WSGI probe app: records what the server handed it and performs a response plan.

Serve it as ``wsgi_checks._probe:app``. A request carrying ``x-speccheck-id`` and
``x-speccheck-plan`` headers is answered per the named plan (see
``speccheck.server._plans``: status, headers, body chunks, ``write()`` vs iterable,
an exception mid-body) and its observation (the environ, the body as read and how the
reads were split, what ``start_response()``/``write()`` returned or raised, server-side
lint findings) is written to ``$SPECCHECK_PROBE_DIR/<id>.obs.json``.
"""

from __future__ import annotations

import base64
import os
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from speccheck.server._plans import ResponsePlan, load_plan, mark_closed, write_observation
from speccheck.server._probe_lint import ProbeLint

__all__ = ["app"]

StartResponse = Callable[..., Callable[[bytes], object]]
WSGIApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]

_READ = 65536
_MAX_READS = 100_000


def environ_json(environ: dict[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    """Native-string values as they are; other values as a repr; plus each key's type."""
    out: dict[str, Any] = {}
    types: dict[str, str] = {}
    for key, value in environ.items():
        types[key] = type(value).__name__
        if isinstance(value, (str, bool, int)) or value is None:
            out[key] = value
        elif isinstance(value, tuple) and all(isinstance(v, int) for v in value):
            out[key] = list(value)
        else:
            out[key] = repr(value)[:200]
    return out, types


def _read_body(environ: dict[str, Any], obs: dict[str, Any]) -> None:
    stream = environ.get("wsgi.input")
    reads: list[int] = []
    body = bytearray()
    complete = False
    length_text = environ.get("CONTENT_LENGTH") or ""
    try:
        if isinstance(length_text, str) and length_text.isdigit():
            left = int(length_text)
            for _ in range(_MAX_READS):
                if left <= 0:
                    complete = True
                    break
                chunk = stream.read(min(left, _READ))  # type: ignore[union-attr]
                reads.append(len(chunk))
                if not chunk:
                    break
                body += chunk
                left -= len(chunk)
        elif environ.get("wsgi.input_terminated"):
            for _ in range(_MAX_READS):
                chunk = stream.read(_READ)  # type: ignore[union-attr]
                reads.append(len(chunk))
                if not chunk:
                    complete = True
                    break
                body += chunk
        else:
            obs["body_unread"] = "no CONTENT_LENGTH and no wsgi.input_terminated"
    except Exception as exc:
        obs["errors"].append(f"read: {type(exc).__name__}: {exc}")
    obs["reads"] = reads
    obs["body"] = base64.b64encode(bytes(body)).decode("ascii")
    obs["body_complete"] = complete


class _Body:
    """The response iterable: yields the planned chunks, raises where planned, and
    records that the server called ``close()`` (PEP 3333: it must, however the request ended)."""

    def __init__(
        self, chunks: list[bytes], plan: ResponsePlan, ident: str, on_raise: Callable[[], None] | None = None
    ) -> None:
        self.chunks = chunks
        self.plan = plan
        self.ident = ident
        self.on_raise = on_raise  # the "exc-info" fault: start_response(..., exc_info) first

    def __len__(self) -> int:  # PEP 3333: "it must return an accurate result"
        return len(self.chunks)

    def close(self) -> None:
        if self.ident:
            mark_closed(self.ident)

    def __iter__(self) -> Iterator[bytes]:
        for index, chunk in enumerate(self.chunks):
            if self.plan.raise_after is not None and index >= self.plan.raise_after:
                if self.on_raise is not None:
                    self.on_raise()
                raise RuntimeError("speccheck probe: planned exception mid-body")
            if self.plan.pause and index:
                time.sleep(self.plan.pause)  # a slow body, for the client-abort exchange
            yield chunk


def probe(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
    ident = str(environ.get("HTTP_X_SPECCHECK_ID") or "")
    plan = load_plan(str(environ.get("HTTP_X_SPECCHECK_PLAN") or ""))
    env_data, types = environ_json(environ)
    obs: dict[str, Any] = {
        "id": ident,
        "interface": "wsgi",
        "pid": os.getpid(),
        "plan": plan.name,
        "environ": env_data,
        "types": types,
        "errors": [],
    }

    def publish() -> None:
        if ident:
            obs["lint"] = _lint_findings()
            write_observation(ident, obs)

    if plan.read_body:
        _read_body(environ, obs)
    status = f"{plan.status} {plan.reason}"
    headers = [*plan.headers, ("x-speccheck-id", ident)]
    # The body is produced for HEAD too (H102 is advice for apps): dropping it is the server's job.
    chunks = [c.encode("latin-1") for c in plan.body]
    # Published before the response starts (a HEAD/204/304 response is complete at its
    # headers); anything that goes wrong afterwards re-publishes with the error.
    publish()
    if plan.fault == "before-start":
        raise RuntimeError("speccheck probe: planned exception before the response")
    if plan.fault == "no-response":
        return []  # the app's bug: no start_response at all; the client must not be left hanging
    try:
        write = start_response(status, headers)
    except Exception as exc:
        obs["errors"].append(f"start_response: {type(exc).__name__}: {exc}")
        publish()
        raise
    if plan.mode == "write":
        for index, chunk in enumerate(chunks):
            if plan.raise_after is not None and index >= plan.raise_after:
                raise RuntimeError("speccheck probe: planned exception mid-body")
            try:
                write(chunk)
            except Exception as exc:
                obs["errors"].append(f"write: {type(exc).__name__}: {exc}")
                publish()
                raise
        return _Body([], plan, ident)
    on_raise = (lambda: _late_exc_info(start_response, obs, publish)) if plan.fault == "exc-info" else None
    return _Body(chunks, plan, ident, on_raise)


def _late_exc_info(start_response: StartResponse, obs: dict[str, Any], publish: Callable[[], None]) -> None:
    """PEP 3333: "if exc_info is provided, and the HTTP headers have already been sent,
    start_response must raise an error, and should re-raise using the exc_info tuple."
    Called after the first body block went out: the lint around the probe judges the call
    (W302/W303); the probe notes what happened and lets the exception propagate."""
    try:
        raise RuntimeError("speccheck probe: planned exception mid-body, reported with exc_info")
    except RuntimeError as exc:
        try:
            start_response("500 Internal Server Error", [("content-type", "text/plain")], sys.exc_info())
        except BaseException as raised:
            obs["exc_info_call"] = "re-raised" if raised is exc else f"raised {type(raised).__name__}"
            publish()
            raise
        obs["exc_info_call"] = "returned"
        publish()
        raise


def _lint_class() -> type:
    from wsgi_checks import WSGILint

    return WSGILint


_PROBE_LINT = ProbeLint()
_lint_findings = _PROBE_LINT.findings
app: WSGIApp = _PROBE_LINT.wrap(probe, _lint_class)
