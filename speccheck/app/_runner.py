"""App mode: drive generated traffic through a reference driver, find, shrink, report.

1. Explore (hypothesis, generate phase, seeded): each example is delivered the
   baseline way, then a body-split variant and a scope/environ variant (drawn from a
   `random.Random` seeded by the run's seed and the example's number; hypothesis draws
   only the request), all in one job on the app's thread. Lint findings, raises (T005),
   hangs (T006) and answers that change with the delivery (D rules) are collected once
   per (rule, signature), with the first example that showed them. Lint findings outside
   any request (the app's shape, the lifespan runs under each spec_version) come from
   the harness's setup and `finish`.
2. Shrink: each finding's example is reduced (`_shrink.shrink`) while it reproduces.
3. Report: each finding becomes a `Violation` whose ``extra`` holds the plan and the
   delivery, and whose exchange carries a ``speccheck replay`` line.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from random import Random

from hypothesis import HealthCheck, Phase, Verbosity, given, settings
from hypothesis import seed as hypothesis_seed
from hypothesis import strategies as st

from asgi_checks._driver import ASGIDelivery
from speccheck._catalogue import get_rule
from speccheck._rules import Side
from speccheck._violations import Violation
from speccheck.app._answer import Answer
from speccheck.app._findings import Finding, to_violation
from speccheck.app._harness import AnyPlan, Delivery, Harness, changed_fields
from speccheck.app._shrink import shrink
from speccheck.app._strategies import Route, app_requests
from speccheck.traffic import RequestPlan
from speccheck.traffic._websocket import websocket_sessions

__all__ = ["AppRunOptions", "check_app", "examine"]

DIFF_RULES = ("D001", "D002", "D003", "D004", "D005", "D006", "D007")


@dataclass
class AppRunOptions:
    target: str = "MODULE:ATTR"  # how the replay line names the app
    routes: Sequence[Route] = (Route(b"/"),)
    examples: int = 200
    max_time: float = 25.0
    seed: int = 0
    shrink_time: float = 5.0  # at most, per finding
    shrink_budget: float | None = None  # for all findings together; None: a third of max_time, at least 2 s
    max_shrinks: int = 100  # findings shrunk per run (the rest keep their first example)
    stop_on: frozenset[str] = frozenset()  # stop exploring once one of these codes is found
    report_path: str = "reports/speccheck.json"


class _Stop(Exception):
    """Ends the explore phase early (time is up)."""


def _differs(
    harness: Harness, plan: AnyPlan, delivery: Delivery, base: Answer, confirm: bool
) -> tuple[str, Answer] | None:
    """The D rule broken if ``delivery`` changes the answer, with the variant's answer."""
    code, any_difference = harness.rule_for(delivery)
    answer, _ = harness.call(plan, delivery)
    if answer.hung:
        return None
    differs = not answer.same_as(base) if any_difference else (answer.failed and not base.failed)
    if not differs:
        return None
    if confirm:  # both answers must be stable: an app answering differently each time is not blamed
        again_base, _ = harness.call(plan, harness.baseline)
        again, _ = harness.call(plan, delivery)
        if not again_base.same_as(base) or not again.same_as(answer):
            return None
    return code, answer


def _minimal_fields(harness: Harness, plan: AnyPlan, delivery: Delivery, base: Answer) -> Delivery:
    """Put back baseline values one field at a time while the difference stays."""
    for name in sorted(changed_fields(delivery, harness.baseline)):
        candidate = dataclasses.replace(delivery, **{name: getattr(harness.baseline, name)})
        if candidate != harness.baseline and _differs(harness, plan, candidate, base, confirm=False):
            delivery = candidate
    return delivery


def _signature(answer: Answer) -> str:
    where = f"@{answer.location.file}:{answer.location.line}" if answer.location else ""
    return answer.error.split(":", 1)[0] + where


def examine(harness: Harness, plan: AnyPlan, code: str, signature: str, delivery: Delivery) -> Answer | None:
    """Whether (plan, delivery) shows finding (code, signature): its answer if so, else None."""
    if code.startswith("D"):
        base, _ = harness.call(plan, harness.baseline)
        if base.hung or (base.error and harness.rule_for(delivery)[1] is False):
            return None
        result = _differs(harness, plan, delivery, base, confirm=True)
        if result is None or result[0] != code:
            return None
        if signature and ",".join(sorted(changed_fields(delivery, harness.baseline))) != signature:
            return None
        return result[1]
    answer, lint = harness.call(plan, delivery)
    if code == "T006":
        return answer if answer.hung else None
    if code == "T005":
        return answer if answer.error and _signature(answer) == signature else None
    for violation in lint:
        if violation.code == code and (not signature or violation.key[1] == signature):
            return answer
    return None


class _Explorer:
    def __init__(self, harness: Harness, options: AppRunOptions, progress: Callable[[int, int | None], None]) -> None:
        self.harness = harness
        self.options = options
        self.progress = progress
        self.findings: dict[tuple[str, str], Finding] = {}
        self.minimal_keys: dict[frozenset[str], tuple[str, str]] = {}  # changed choices -> finding key
        self.done = 0
        self.deadline = time.monotonic() + options.max_time
        self.stopped = False

    def _add(self, finding: Finding) -> None:
        key = (finding.code, finding.signature)
        if finding.code in self.options.stop_on:
            self.stopped = True
        if key in self.findings:
            self.findings[key].count += 1
        else:
            self.findings[key] = finding

    def _lint(
        self, found: list[Violation], plan: AnyPlan, delivery: Delivery, answer: Answer, setup: bool = False
    ) -> None:
        for violation in found:
            if violation.rule.side is Side.SERVER:
                continue  # about the reference driver (the "server" here), not about the app
            self._add(Finding(violation.code, violation.key[1], plan, delivery, answer, lint=violation, setup=setup))

    def _deliveries(self, plan: AnyPlan) -> tuple[list[Delivery], Delivery | None]:
        """This example's variants (one changes only how the body is delivered, the other
        only the scope/environ) and, now and then, a client going away mid-body."""
        harness = self.harness
        body = plan.body if isinstance(plan, RequestPlan) else b""
        variants: list[Delivery] = []
        # The delivery choices come from the run's seed and the example's number, not from
        # hypothesis: the explore phase only generates (app mode shrinks deliveries itself,
        # `_shrink`), so per-field draws would buy nothing and cost more than the app call.
        rng = Random(self.options.seed * 1_000_003 + self.done)
        drawn = harness.delivery(rng, len(body))
        split = drawn.split
        if isinstance(plan, RequestPlan) and plan.chunks and rng.random() < 0.5:
            split = plan.chunks  # the split the request plan itself proposes
        body_fields: dict[str, object] = {"split": split}
        if isinstance(drawn, ASGIDelivery):
            body_fields["trailing_empty"] = drawn.trailing_empty
            body_fields["omit_defaults"] = drawn.omit_defaults
        body_only = dataclasses.replace(harness.baseline, **body_fields)  # type: ignore[arg-type]
        if body_only != harness.baseline and (body or isinstance(drawn, ASGIDelivery)):
            variants.append(body_only)
        scope = dataclasses.replace(drawn, **{name: getattr(harness.baseline, name) for name in body_fields})
        if scope != harness.baseline:
            variants.append(scope)
        gone = None
        seen_hang = ("T006", "disconnect") in self.findings  # each try costs a whole time limit
        if isinstance(drawn, ASGIDelivery) and body and not seen_hang and rng.randrange(8) == 0:
            # The client goes away halfway through the body: the app may raise or stop, but must not hang.
            gone = ASGIDelivery(split=split, disconnect_mid=True)
        return variants, gone

    def _wanted(self, base: Answer, delivery: Delivery) -> bool:
        """Whether to deliver ``delivery`` after the baseline answered ``base`` (asked
        between the calls of one example, on the thread that runs the app)."""
        if base.hung:
            return False
        if getattr(delivery, "disconnect_mid", False):
            return True
        if time.monotonic() > self.deadline:
            return False  # a slow or hanging app: the time budget wins over this example's variants
        return not (base.error and self.harness.rule_for(delivery)[1] is False)

    def one(self, plan: AnyPlan) -> None:
        harness = self.harness
        variants, gone = self._deliveries(plan)
        deliveries = [harness.baseline, *([gone] if gone is not None else []), *variants]
        # All calls of the example in one go: one hand-over to the app's thread, not one per call.
        results = harness.calls(plan, deliveries, self._wanted)
        base, found = results[0] or (Answer(hung=True), [])
        self._lint(found, plan, harness.baseline, base)
        if getattr(harness, "stuck", False) and base.hung:
            self._add(Finding("T006", "event-loop-blocked", plan, harness.baseline, base))
            self.stopped = True  # nothing more can run on a blocked loop
            return
        if base.hung:
            self._add(Finding("T006", "", plan, harness.baseline, base))
            return
        if base.error:
            self._add(Finding("T005", _signature(base), plan, harness.baseline, base))
        for delivery, result in zip(deliveries[1:], results[1:], strict=True):
            if result is None:
                continue
            answer, found = result
            self._lint(found, plan, delivery, answer)
            if delivery is gone:
                if answer.hung:
                    self._add(Finding("T006", "disconnect", plan, delivery, answer))
                continue
            if answer.hung:
                self._add(Finding("T006", "", plan, delivery, answer))
                continue
            code, any_difference = harness.rule_for(delivery)
            differs = not answer.same_as(base) if any_difference else (answer.failed and not base.failed)
            if not differs:
                continue
            changed = frozenset(changed_fields(delivery, harness.baseline))
            known = self.minimal_keys.get(changed)
            if known is not None and known in self.findings:
                self.findings[known].count += 1  # seen with these choices before: count, skip the re-checks
                continue
            if _differs(harness, plan, delivery, base, confirm=True) is None:
                continue
            minimal = _minimal_fields(harness, plan, delivery, base)
            code = harness.rule_for(minimal)[0]
            signature = ",".join(sorted(changed_fields(minimal, harness.baseline)))
            self.minimal_keys[changed] = (code, signature)
            self._add(Finding(code, signature, plan, minimal, answer, base))

    def run(self) -> None:
        options = self.options
        http_routes = [r for r in options.routes if r.methods != ("WS",)]
        ws_paths: list[str | bytes] = [r.path for r in options.routes if r.methods == ("WS",)]
        strategy: st.SearchStrategy[AnyPlan] = app_requests(http_routes)
        if ws_paths and self.harness.interface == "asgi":
            sessions = websocket_sessions(paths=ws_paths, max_message=4096, max_actions=4)
            # one session in four is a websocket one, to the websocket routes only; all of
            # them when only websocket routes are given
            strategy = st.one_of(strategy, strategy, strategy, sessions) if http_routes else sessions

        @hypothesis_seed(options.seed)
        @settings(
            max_examples=options.examples,
            database=None,
            deadline=None,
            phases=[Phase.generate],
            suppress_health_check=list(HealthCheck),
            verbosity=Verbosity.quiet,
            report_multiple_bugs=False,
        )
        @given(plan=strategy)
        def explore(plan: AnyPlan) -> None:
            if self.stopped or time.monotonic() > self.deadline:
                self.stopped = True
                raise _Stop
            self.one(plan)
            self.done += 1
            self.progress(self.done, options.examples)

        try:
            explore()
        except _Stop:
            pass


def check_app(
    harness: Harness,
    options: AppRunOptions,
    *,
    progress: Callable[[int, int | None], None] = lambda done, planned: None,
) -> list[Violation]:
    """Explore, shrink and build the violations for one app (the harness is not closed)."""
    explorer = _Explorer(harness, options, progress)
    # Findings outside any request (the app's shape, its lifespan startup) come with the
    # plainest request; an app whose startup failed is not serving, so nothing is sent.
    outside = RequestPlan(method="GET", target=b"/")
    explorer._lint(harness.setup_findings, outside, harness.baseline, Answer(), setup=True)
    if not harness.startup_failure:
        explorer.run()
        explorer._lint(harness.finish(), outside, harness.baseline, Answer(), setup=True)
    out: list[Violation] = []
    findings = sorted(explorer.findings.values(), key=lambda f: (-get_rule(f.code).level.rank, f.code))
    budget = options.shrink_budget if options.shrink_budget is not None else max(2.0, options.max_time / 3)
    shrink_until = time.monotonic() + budget
    shrinkable = sum(1 for f in findings if f.code != "T006" and not f.setup)
    for index, finding in enumerate(findings):
        # Each finding left gets an equal share of the time left (what one does not use goes
        # to the next), so many findings all get shrunk a little rather than the first few a lot.
        share = (shrink_until - time.monotonic()) / max(1, shrinkable)
        left = min(options.shrink_time, max(share, 0.0))
        if finding.code != "T006" and not finding.setup:
            shrinkable -= 1
        if index < options.max_shrinks and finding.code != "T006" and not finding.setup and left > 0:
            code, signature = finding.code, finding.signature

            def reproduces(plan: AnyPlan, delivery: Delivery, code: str = code, signature: str = signature) -> bool:
                return examine(harness, plan, code, signature, delivery) is not None

            plan, delivery, _ = shrink(finding.plan, finding.delivery, harness.baseline, reproduces, max_time=left)
            if (plan, delivery) != (finding.plan, finding.delivery):
                answer = examine(harness, plan, code, signature, delivery)
                if answer is not None:
                    finding.plan, finding.delivery, finding.answer = plan, delivery, answer
                    if code.startswith("D"):
                        finding.baseline_answer = harness.call(plan, harness.baseline)[0]
                    if finding.lint is not None:
                        _, again = harness.call(plan, delivery)
                        finding.lint = next((v for v in again if v.key == (code, signature)), finding.lint)
        out.append(to_violation(finding, harness, options.target, options.seed, options.report_path))
    return out
