"""Findings of an app-mode run and the `Violation` each one becomes: the rule, the
shrunk request and delivery, the answers, and a ``speccheck replay`` line."""

from __future__ import annotations

from dataclasses import dataclass, field

from speccheck._catalogue import get_rule
from speccheck._violations import Exchange, Violation
from speccheck.app._answer import Answer
from speccheck.app._harness import AnyPlan, Delivery, Harness
from speccheck.app._replay_data import plan_to_dict, replay_command, replay_payload
from speccheck.traffic._websocket import WebSocketPlan

__all__ = ["Finding", "exchange_for", "to_violation"]


@dataclass
class Finding:
    code: str
    signature: str
    plan: AnyPlan
    delivery: Delivery
    answer: Answer = field(default_factory=Answer)
    baseline_answer: Answer | None = None
    lint: Violation | None = None
    count: int = 1
    setup: bool = False  # found outside any request (the app's shape, lifespan): nothing to replay


def exchange_for(plan: AnyPlan, interface: str, replay: str = "") -> Exchange:
    if isinstance(plan, WebSocketPlan):
        from speccheck.app._websocket import ws_exchange

        return ws_exchange(plan, replay)
    headers = tuple((n.decode("latin-1"), v.decode("latin-1")) for n, v in plan.framing_headers() + list(plan.headers))
    return Exchange(
        interface=interface,
        scope_type="http",
        method=plan.method,
        target=plan.target.decode("latin-1"),
        http_version=plan.http_version,
        headers=headers,
        body_size=len(plan.body),
        body_preview=plan.body[:64],
        replay=replay,
    )


def to_violation(finding: Finding, harness: Harness, target: str, seed: int, report_path: str) -> Violation:
    """The reportable `Violation` of a finding, with everything needed to replay it."""
    if finding.setup and finding.lint is not None:
        violation = finding.lint.copy()
        violation.count = finding.count
        violation.extra.update({"interface": harness.interface, "target": target, "seed": seed, "when": "setup"})
        return violation
    delivery_data = finding.delivery.to_dict()
    payload = replay_payload(harness.interface, finding.code, finding.signature, finding.plan, delivery_data)
    replay = replay_command(target, payload, report_path)
    exchange = exchange_for(finding.plan, harness.interface, replay)
    answer = finding.answer
    extra: dict[str, object] = {
        "plan": plan_to_dict(finding.plan),
        "delivery": delivery_data,
        "delivery_text": finding.delivery.describe(),
        "interface": harness.interface,
        "target": target,
        "seed": seed,
        "replay": payload,
    }
    if finding.lint is not None:
        violation = finding.lint.copy()
        violation.count = finding.count
        violation.exchange = exchange  # the shrunk request (the lint's record keeps its first sighting)
        violation.extra.update(extra)
        return violation
    rule = get_rule(finding.code)
    if answer.traceback:
        extra["traceback"] = answer.traceback
    if finding.code == "T005":
        message = f"the app raised {answer.error}"
        observed, expected = answer.error, "a response"
    elif finding.code == "T006":
        message = "the app did not finish its response within the time limit"
        if finding.signature == "event-loop-blocked":
            message = "the app blocked the event loop (it never gave control back); the run stopped here"
        if finding.signature == "disconnect":
            message += " after the client disconnected halfway through the request body (http.disconnect)"
        observed, expected = "no complete answer", "a response"
    else:
        base = finding.baseline_answer or Answer()
        delivered = finding.delivery.describe()
        if harness.rule_for(finding.delivery)[1]:
            message = f"the answer changed with the delivery ({delivered}): {answer.difference(base)}"
        else:
            message = f"the app failed only under a legal delivery ({delivered}): {answer.difference(base)}"
        observed, expected = answer.describe(), base.describe()
        extra["baseline_delivery"] = harness.baseline.to_dict()
    return Violation(
        rule, message, observed, expected, exchange, answer.location, finding.signature, finding.count, extra
    )
