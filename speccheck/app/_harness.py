"""One interface-neutral handle on an app under a reference driver, with the lint
middleware (collect mode) between driver and app.

`Harness.call(plan, delivery)` returns the app's `Answer` and the lint findings that
this very call produced; `Harness.rule_for(delivery)` says which differential rule a
difference from the baseline delivery would break, and whether any difference counts or
only a failure (for choices whose value the app may legitimately use, like ``client``).
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable, Sequence
from random import Random
from typing import Any, Protocol

from asgi_checks._driver import PROBE_LIFESPAN_SPECS, ASGIDelivery, ASGIDriver
from speccheck._errors import UsageError
from speccheck._violations import Violation
from speccheck.app._answer import Answer
from speccheck.app._strategies import asgi_delivery, wsgi_delivery
from speccheck.app._worker import TimedOut, Worker, stuck_location
from speccheck.traffic import RequestPlan
from speccheck.traffic._websocket import WebSocketPlan
from wsgi_checks._driver import WSGIDelivery, deliver_wsgi

__all__ = ["ASGIHarness", "AnyPlan", "Delivery", "Harness", "WSGIHarness", "make_harness"]

Delivery = WSGIDelivery | ASGIDelivery
AnyPlan = RequestPlan | WebSocketPlan

# Which choices are equivalent (the answer must not change at all) and which carry
# information the app may use (only a failure under them counts).
_BODY = {"split", "trailing_empty"}
_WSGI_DEFAULTS = {"script_name", "empty_query", "empty_content_length", "file_wrapper"}
_ASGI_DEFAULTS = {"root_path"}


Result = tuple[Answer, list[Violation]]
# Whether to make a call of `Harness.calls` (given the first call's answer): None = skipped.
Wanted = Callable[[Answer, Delivery], bool]


def changed_fields(delivery: Delivery, baseline: Delivery) -> set[str]:
    return {f.name for f in dataclasses.fields(delivery) if getattr(delivery, f.name) != getattr(baseline, f.name)}


class Harness(Protocol):
    interface: str
    baseline: Delivery

    setup_findings: list[Violation]  # lint findings outside any request (wrapping, lifespan startup)
    startup_failure: str  # why the app did not start, when setup_findings say why (else UsageError)

    def call(self, plan: AnyPlan, delivery: Delivery) -> tuple[Answer, list[Violation]]: ...
    def calls(self, plan: AnyPlan, deliveries: Sequence[Delivery], wanted: Wanted) -> list[Result | None]: ...
    def finish(self) -> list[Violation]: ...
    def delivery(self, rng: Random, body_size: int) -> Any: ...
    def rule_for(self, delivery: Delivery) -> tuple[str, bool]: ...
    def delivery_from_dict(self, data: dict[str, Any]) -> Delivery: ...
    def close(self) -> None: ...


class _LintTap:
    """Wraps the app in the pack's lint (collect mode) if the pack provides one, and
    tells which findings each call added."""

    def __init__(self, app: Any, factory: Callable[..., Any] | None, select: Any = None, ignore: Any = None) -> None:
        self.lint: Any = None
        self.app = app
        self.at_wrap: list[Violation] = []
        if factory is not None:
            # An adapted legacy ASGI callable: the lint adapts the original itself and says so (A101/A102).
            raw = getattr(app, "_speccheck_original", app)
            try:
                self.lint = factory(raw, mode="collect", select=select, ignore=ignore)
            except TypeError:
                self.lint = factory(raw, mode="collect")
            self.app = self.lint
            self.at_wrap = self.new_since({})

    def _snapshot(self) -> dict[tuple[str, str], int]:
        if self.lint is None:
            return {}
        found = getattr(self.lint, "violations", ())
        if callable(found):
            found = found()
        return {v.key: v.count for v in found}

    def new_since(self, before: dict[tuple[str, str], int]) -> list[Violation]:
        if self.lint is None:
            return []
        found = getattr(self.lint, "violations", ())
        if callable(found):
            found = found()
        return [v for v in found if v.count > before.get(v.key, 0)]

    def around(self, run: Callable[[], Answer]) -> tuple[Answer, list[Violation]]:
        if self.lint is None:
            return run(), []
        before = self._snapshot()
        answer = run()
        return answer, self.new_since(before)


def _lint_factory(module: str, name: str) -> Callable[..., Any] | None:
    try:
        pack = __import__(module)
    except ImportError:
        return None
    factory = getattr(pack, name, None)
    return factory if callable(factory) else None


class WSGIHarness:
    interface = "wsgi"
    baseline: Delivery = WSGIDelivery()

    def __init__(
        self, app: Any, *, timeout: float = 10.0, lint: bool = True, select: Any = None, ignore: Any = None
    ) -> None:
        self.tap = _LintTap(app, _lint_factory("wsgi_checks", "WSGILint") if lint else None, select, ignore)
        self.worker = Worker()
        self.timeout = timeout
        self.setup_findings = list(self.tap.at_wrap)
        self.startup_failure = ""

    def finish(self) -> list[Violation]:
        return []

    def call(self, plan: AnyPlan, delivery: Delivery) -> tuple[Answer, list[Violation]]:
        assert isinstance(delivery, WSGIDelivery) and isinstance(plan, RequestPlan)
        return self.tap.around(
            lambda: deliver_wsgi(self.tap.app, plan, delivery, timeout=self.timeout, worker=self.worker)
        )

    def calls(self, plan: AnyPlan, deliveries: Sequence[Delivery], wanted: Wanted) -> list[Result | None]:
        """`call` for each delivery in turn (each call has its own time limit and worker)."""
        results: list[Result | None] = [self.call(plan, deliveries[0])]
        base = results[0][0]  # type: ignore[index]
        for delivery in deliveries[1:]:
            results.append(self.call(plan, delivery) if wanted(base, delivery) else None)
        return results

    def delivery(self, rng: Random, body_size: int) -> Any:
        """A legal delivery for a body of ``body_size`` bytes (baseline or not)."""
        return wsgi_delivery(rng, body_size)

    def rule_for(self, delivery: Delivery) -> tuple[str, bool]:
        """(rule code, whether any difference counts) for a difference from the baseline."""
        changed = changed_fields(delivery, self.baseline)
        if changed <= _BODY:
            return "D002", True
        if changed <= _BODY | _WSGI_DEFAULTS:
            return "D004", True
        return "D006", False

    def delivery_from_dict(self, data: dict[str, Any]) -> Delivery:
        return WSGIDelivery.from_dict(data)

    def close(self) -> None:
        self.worker.close()


class ASGIHarness:
    interface = "asgi"
    baseline: Delivery = ASGIDelivery()

    def __init__(
        self,
        app: Any,
        *,
        timeout: float = 10.0,
        lint: bool = True,
        lifespan: bool = True,
        select: Any = None,
        ignore: Any = None,
    ) -> None:
        self.tap = _LintTap(app, _lint_factory("asgi_checks", "ASGILint") if lint else None, select, ignore)
        self.driver = ASGIDriver(self.tap.app, timeout=timeout, lifespan=lifespan)
        # The event loop runs on a worker thread so that an app blocking it (a CPU loop, a
        # blocking call) costs one time limit, not the whole run: then `stuck` is set.
        self.worker = Worker()
        self.stuck = False
        self.grace = 2 * timeout + 3  # the driver's own limits fire first on a loop that still turns
        self.setup_findings = list(self.tap.at_wrap)
        self.startup_failure = ""
        self.finished = False
        before = self.tap._snapshot()
        try:
            failure = self.worker.call(self.driver.startup, self.grace)
        except TimedOut:
            raise UsageError(f"the app's lifespan startup blocked the event loop for {self.grace:g} s") from None
        self.setup_findings += self.tap.new_since(before)
        if failure.startswith("lifespan.startup.failed"):
            # Would it fail the same way on a lifespan 1.0 server, which has no *.failed events?
            self.setup_findings += self._lifespan_probes()
        if failure and not self.setup_findings:
            self.close()
            raise UsageError(f"the app did not start: {failure}")
        # A startup that broke the lifespan protocol is a finding, not a usage error: the
        # run reports it (and sends no traffic, the app is not serving).
        self.startup_failure = failure

    def _lifespan_probes(self) -> list[Violation]:
        """The lint findings of one extra lifespan run per `PROBE_LIFESPAN_SPECS` value (the
        spec_versions the driver's own lifespan does not use), while nothing else runs."""
        before = self.tap._snapshot()
        for spec_version in PROBE_LIFESPAN_SPECS:
            try:
                failure = self.worker.call(functools.partial(self.driver.lifespan_cycle, spec_version), self.grace)
            except TimedOut:
                self.stuck = True
                break
            if failure.startswith("the app answered lifespan.startup with 'timeout'"):
                break  # each try costs a whole time limit
        return self.tap.new_since(before)

    def _on_loop(self, run: Callable[[], Answer]) -> Answer:
        if self.stuck:
            return Answer(hung=True)
        try:
            return self.worker.call(run, self.grace)
        except TimedOut as exc:
            self.stuck = True
            return Answer(hung=True, location=stuck_location(exc.thread_id))

    def _answer(self, plan: AnyPlan, delivery: Delivery) -> Answer:
        """One exchange, run on the loop's (worker) thread."""
        assert isinstance(delivery, ASGIDelivery)
        driver = self.driver
        if not delivery.state and driver.state:
            # The app's lifespan stored state: a server that ran it supports state, so it is passed.
            delivery = dataclasses.replace(delivery, state=True)
        if isinstance(plan, WebSocketPlan):
            from speccheck.app._websocket import run_session

            return driver.loop.run_until_complete(
                run_session(self.tap.app, plan, delivery, driver.state, driver.timeout)
            )
        return driver.deliver(plan, delivery)

    def call(self, plan: AnyPlan, delivery: Delivery) -> tuple[Answer, list[Violation]]:
        return self.tap.around(lambda: self._on_loop(lambda: self._answer(plan, delivery)))

    def calls(self, plan: AnyPlan, deliveries: Sequence[Delivery], wanted: Wanted) -> list[Result | None]:
        """`call` for each delivery, all in one job on the loop's thread (one hand-over, not
        one per call); ``wanted`` is asked there between the calls. A call that blocks the
        loop for the grace time ends the job: it and the rest answer hung, as `call` would."""
        if self.stuck:
            return [(Answer(hung=True), []) for _ in deliveries]
        results: list[Result | None] = []
        current: list[dict[tuple[str, str], int]] = []  # the lint snapshot before the call in progress

        def run_all() -> None:
            for delivery in deliveries:
                if self.stuck:
                    return  # given up on while this thread was blocked: run nothing more
                if results and not wanted(results[0][0], delivery):  # type: ignore[index]
                    results.append(None)
                    continue
                current[:] = [self.tap._snapshot()]
                answer = self._answer(plan, delivery)
                results.append((answer, self.tap.new_since(current[0])))

        try:
            self.worker.call(run_all, self.grace, beat=lambda: len(results))
        except TimedOut as exc:
            self.stuck = True
            done = list(results)
            found = self.tap.new_since(current[0]) if current else []
            done.append((Answer(hung=True, location=stuck_location(exc.thread_id)), found))
            done += [(Answer(hung=True), []) for _ in deliveries[len(done) :]]
            return done
        return results

    def delivery(self, rng: Random, body_size: int) -> Any:
        """A legal delivery for a body of ``body_size`` bytes (baseline or not)."""
        return asgi_delivery(rng, body_size)

    def rule_for(self, delivery: Delivery) -> tuple[str, bool]:
        changed = changed_fields(delivery, self.baseline)
        if changed <= _BODY:
            return "D001", True
        if changed <= _BODY | {"omit_defaults"}:
            return "D007", True
        if changed <= _BODY | {"omit_defaults"} | _ASGI_DEFAULTS:
            return "D003", True
        return "D005", False

    def delivery_from_dict(self, data: dict[str, Any]) -> Delivery:
        return ASGIDelivery.from_dict(data)

    def finish(self) -> list[Violation]:
        """Run lifespan shutdown (once), then the extra lifespan runs (`_lifespan_probes`)
        if the app does lifespan; return the lint findings they produced."""
        if self.stuck or self.finished:
            return []
        self.finished = True
        before = self.tap._snapshot()
        try:
            outcome = self.worker.call(self.driver.shutdown, self.grace)
        except TimedOut:
            self.stuck = True
            return self.tap.new_since(before)
        found = self.tap.new_since(before)
        # The app does lifespan: how does it under spec 1.0? (Not if its shutdown hung: each
        # run could cost a whole time limit again.)
        if self.driver.lifespan_supported and not outcome.startswith("lifespan shutdown: timeout"):
            found += self._lifespan_probes()
        return found

    def close(self) -> None:
        if self.stuck:
            return  # the loop is still running in the abandoned thread: leave it to the daemon thread
        try:
            if not self.finished:
                self.worker.call(self.driver.shutdown, self.grace)
            self.worker.call(self.driver.close, self.grace)
        except TimedOut:
            pass
        finally:
            self.worker.close()


def make_harness(app: Any, interface: str, **options: Any) -> Harness:
    if interface == "wsgi":
        options.pop("lifespan", None)
        return WSGIHarness(app, **options)
    if interface == "asgi":
        return ASGIHarness(app, **options)
    raise UsageError(f"interface must be 'wsgi' or 'asgi', got {interface!r}")
