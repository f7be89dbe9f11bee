"""`speccheck app MODULE:ATTR` and `speccheck replay`: the command-line layer of app mode."""

from __future__ import annotations

import argparse
import json
import sys
import time
from typing import Any

from speccheck._cli_common import Session, _float_option, add_common_options, execute, option
from speccheck._errors import UsageError
from speccheck._outcome import EXIT_CLEAN, EXIT_VIOLATIONS
from speccheck._run import RunInfo
from speccheck.app._harness import make_harness
from speccheck.app._load import AppImportError, detect_interface, discover_routes, load_app, parse_paths
from speccheck.app._replay_data import plan_from_dict
from speccheck.app._runner import DIFF_RULES, AppRunOptions, check_app, examine
from speccheck.app._strategies import Route
from speccheck.traffic import RequestPlan

__all__ = ["register"]

DEFAULT_EXAMPLES = 300
DEFAULT_MAX_TIME = 20.0  # explore; shrinking adds at most a third of this


def register(subparsers: Any) -> None:
    app = subparsers.add_parser(
        "app",
        help="check a WSGI or ASGI application in-process",
        description="Drive generated requests through a reference server emulation that varies every "
        "legal choice; report where the app breaks the spec or answers differently to equally legal deliveries.",
    )
    app.add_argument("app", metavar="MODULE:ATTR", help="the application, like myproject.asgi:application")
    app.add_argument("--interface", choices=("auto", "wsgi", "asgi"), default="auto", help="default: auto-detect")
    app.add_argument(
        "--path",
        action="append",
        metavar="[METHOD:]PATH",
        help="a path to exercise besides discovered routes (repeatable)",
    )
    app.add_argument(
        "--timeout",
        type=_float_option("--timeout"),
        default=5.0,
        metavar="S",
        help="per-exchange time limit (default 5)",
    )
    app.add_argument("--no-lifespan", action="store_true", help="do not run the ASGI lifespan protocol")
    add_common_options(app)
    app.set_defaults(handler=_app_command)

    replay = subparsers.add_parser(
        "replay",
        help="reproduce one finding of `speccheck app`",
        description="Re-run one exchange: `speccheck replay MODULE:ATTR --plan JSON`, or "
        "`speccheck replay REPORT.json --finding N|CODE[:SIGNATURE]`. Exit 1 if it reproduces, 0 if not.",
    )
    replay.add_argument("target", metavar="MODULE:ATTR|REPORT.json")
    replay.add_argument("--plan", metavar="JSON", help="the replay payload printed with the finding")
    replay.add_argument("--finding", metavar="N|CODE[:SIGNATURE]", help="which finding of the report (default 0)")
    replay.add_argument("--timeout", type=_float_option("--timeout"), default=5.0, metavar="S", help="default 5")
    replay.set_defaults(handler=_replay_command)


def _load(spec: str, interface: str) -> tuple[Any, str]:
    try:
        return detect_interface(load_app(spec), interface)
    except AppImportError as exc:
        sys.stderr.write(exc.details)
        raise


def _app_command(args: argparse.Namespace) -> int:
    app, interface = _load(args.app, args.interface)
    given = parse_paths(args.path)
    routes = discover_routes(app) + given
    if not routes:
        routes = [Route(b"/")]
    elif not any(r.path == b"/" for r in routes):
        routes.append(Route(b"/"))
    info = RunInfo(command="app", target=args.app, interface=interface)

    def run(session: Session) -> None:
        max_time = session.max_time or DEFAULT_MAX_TIME
        explore_time = max_time if session.max_time is None else max_time * 0.7
        options = AppRunOptions(
            target=args.app,
            routes=routes,
            examples=session.examples or DEFAULT_EXAMPLES,
            max_time=explore_time,
            seed=session.seed,
            shrink_budget=max(2.0, (max_time - explore_time) if session.max_time else max_time / 3),
            report_path=_json_report_path(args),
        )
        harness = make_harness(app, interface, timeout=args.timeout, lifespan=not args.no_lifespan)
        try:
            violations = check_app(harness, options, progress=lambda done, planned: session.progress(done, planned))
        finally:
            harness.close()
        checked = _checked_codes(interface)
        refused = harness.startup_failure.startswith("lifespan.startup.failed")
        if harness.startup_failure:  # the app did not start: only its startup was checked
            # (and, when it refused to start, how it refuses under lifespan 1.0: A705)
            checked = {code for code in checked if code.startswith("A5") or (refused and code == "A705")}
        session.mark_checked(checked)
        for violation in violations:
            session.report(violation)
        if refused:
            # The app refused to start (its own choice, e.g. a database it cannot reach): that
            # is the news, with what its startup broke (under lifespan 1.0, say) in the report.
            raise UsageError(f"the app did not start: {harness.startup_failure}")

    return execute(args, info, run)


def _json_report_path(args: argparse.Namespace) -> str:
    """Where this run writes its JSON report, for replay lines too long to print inline."""
    from speccheck.report import default_reports, parse_report_spec

    texts = option(args, "report") or []
    specs = [parse_report_spec(t) for t in ([texts] if isinstance(texts, str) else texts)] or default_reports()
    paths = [str(s.path) for s in specs if s.format == "json" and s.path is not None]
    return paths[0] if paths else "reports/speccheck.json"


def _checked_codes(interface: str) -> set[str]:
    from speccheck._catalogue import all_rules
    from speccheck._rules import Side

    pack = "W" if interface == "wsgi" else "A"
    diff = {"D002", "D004", "D006"} if interface == "wsgi" else {"D001", "D003", "D005", "D007"}
    codes = {r.code for r in all_rules() if r.code[0] in (pack, "H") and r.side is Side.APP}
    return codes | diff | {"T005", "T006"}


def _payload_from_report(path: str, finding: str | None) -> tuple[str, dict[str, Any]]:
    try:
        with open(path, encoding="utf-8") as fh:
            report = json.load(fh)
    except OSError as exc:
        raise UsageError(f"cannot read report {path}: {exc.strerror}") from None
    except json.JSONDecodeError as exc:
        raise UsageError(f"{path} is not a JSON report: {exc}") from None
    violations = [
        v for v in report.get("violations", ()) if isinstance(v.get("extra"), dict) and "replay" in v["extra"]
    ]
    if not violations:
        raise UsageError(f"{path} holds no replayable finding (only `speccheck app` findings are)")
    chosen: dict[str, Any] | None = None
    if finding is None or finding.isdigit():
        index = int(finding or 0)
        if index >= len(violations):
            raise UsageError(f"--finding {index}: the report has {len(violations)} replayable finding(s)")
        chosen = violations[index]
    else:
        code, _, signature = finding.partition(":")
        for v in violations:
            if v.get("code") == code.upper() and (not signature or v["extra"]["replay"].get("signature") == signature):
                chosen = v
                break
        if chosen is None:
            raise UsageError(f"--finding {finding!r}: no such finding in {path}")
    extra = chosen["extra"]
    return str(extra.get("target") or report.get("summary", {}).get("target", "")), dict(extra["replay"])


def _replay_command(args: argparse.Namespace) -> int:
    if args.plan:
        try:
            payload = json.loads(args.plan)
        except json.JSONDecodeError as exc:
            raise UsageError(f"--plan is not JSON: {exc}") from None
        target = args.target
    elif args.target.endswith(".json"):
        target, payload = _payload_from_report(args.target, args.finding)
    else:
        raise UsageError("replay needs --plan JSON with MODULE:ATTR, or a REPORT.json with --finding")
    if not isinstance(payload, dict) or "rule" not in payload or "plan" not in payload:
        raise UsageError("the replay payload must be an object with 'rule', 'plan' and 'delivery'")
    app, interface = _load(target, str(payload.get("interface", "auto")))
    harness = make_harness(app, interface, timeout=args.timeout)
    try:
        plan = plan_from_dict(payload["plan"])
        delivery = harness.delivery_from_dict(dict(payload.get("delivery") or {}))
        code, signature = str(payload["rule"]), str(payload.get("signature", ""))
        started = time.monotonic()
        answer = examine(harness, plan, code, signature, delivery)
    finally:
        harness.close()
    what = f"{code} ({signature})" if signature else code
    if isinstance(plan, RequestPlan):
        sys.stdout.write(f"request: {plan.method} {plan.target.decode('latin-1')} ({len(plan.body)} byte body)\n")
    else:
        sys.stdout.write(f"websocket session: {plan.target.decode('latin-1')}, {len(plan.actions)} client action(s)\n")
    sys.stdout.write(f"delivery: {delivery.describe()}\n")
    if answer is None:
        sys.stdout.write(f"{what} did not reproduce ({time.monotonic() - started:.2f} s)\n")
        return EXIT_CLEAN
    detail = "differs from the baseline delivery" if code in DIFF_RULES else "found again"
    sys.stdout.write(f"{what} reproduced: {detail}; the app answered {answer.describe()}\n")
    return EXIT_VIOLATIONS
