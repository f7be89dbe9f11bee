"""`speccheck server` (check real servers) and `speccheck targets` (list the presets)."""

from __future__ import annotations

import argparse
import os
import re
import sys
from typing import Any

from speccheck._errors import UsageError
from speccheck._events import RunFinished
from speccheck._run import RunInfo, RunResult
from speccheck.server._runner import DEFAULT_EXAMPLES, DEFAULT_MAX_TIME, ServerRun, run_server
from speccheck.targets import PRESETS, Target, command_target, get_target, installed_targets

__all__ = ["register"]


def _positive(name: str) -> Any:
    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{name} takes a number of seconds, got {text!r}") from None
        if not value > 0:
            raise argparse.ArgumentTypeError(f"{name} must be positive, got {text!r}")
        return value

    return parse


_PREFIX = re.compile(r"^(/[A-Za-z0-9._~!$&'()*+,;=:@%-]+)+$")


def _mount_prefix(text: str) -> str:
    """A mount prefix: one or more '/segment' parts of plain URL characters, no trailing '/'."""
    if not _PREFIX.match(text):
        raise argparse.ArgumentTypeError(f"must look like /api or /a/b (no trailing '/', no spaces), got {text!r}")
    return text


def register(subparsers: Any) -> None:
    from speccheck._cli_common import add_common_options

    parser = subparsers.add_parser(
        "server",
        help="check a real WSGI/ASGI server over the wire",
        description=(
            "Start a real server with speccheck's probe app on 127.0.0.1, drive generated traffic and malformed "
            f"requests over real sockets, and report where the server breaks PEP 3333, the ASGI spec or RFC 9110/9112. "
            f"Defaults: {DEFAULT_EXAMPLES} exchanges or {DEFAULT_MAX_TIME:g} s, whichever comes first."
        ),
    )
    parser.add_argument(
        "--target",
        action="append",
        metavar="NAME",
        help=f"a preset ({', '.join(PRESETS)}) or 'all' (every installed preset); repeatable",
    )
    parser.add_argument(
        "--command",
        metavar="TEMPLATE",
        help="start this command instead of a preset; placeholders {app} {host} {port} {python}",
    )
    parser.add_argument("--interface", choices=("wsgi", "asgi"), help="the interface the --command server speaks")
    parser.add_argument(
        "--startup-timeout",
        type=_positive("--startup-timeout"),
        default=20.0,
        metavar="SECONDS",
        help="how long the server may take to accept connections (default 20)",
    )
    parser.add_argument(
        "--exchange-timeout",
        type=_positive("--exchange-timeout"),
        default=5.0,
        metavar="SECONDS",
        help="how long one response may take (default 5)",
    )
    parser.add_argument("--connections", type=int, default=4, metavar="N", help="parallel connections (default 4)")
    parser.add_argument(
        "--root-path",
        type=_mount_prefix,
        default=None,  # (argparse would run a str default through the type check)
        metavar="PREFIX",
        help="mount the app at this path prefix (e.g. /api) with the server's own option and aim every generated "
        "request under it; checks SCRIPT_NAME/root_path (S120) and the paths; runs the generated exchanges only",
    )
    add_common_options(parser)
    parser.set_defaults(handler=_server_command)

    targets = subparsers.add_parser(
        "targets",
        help="list the server presets and whether they are installed",
        description="List the server presets `speccheck server --target` knows.",
    )
    targets.set_defaults(handler=_targets_command)


def _targets_command(args: argparse.Namespace) -> int:
    rows = [("name", "interface", "version", "description")]
    for target in PRESETS.values():
        version = (target.version() or "installed") if target.installed else "not installed"
        rows.append((target.name, target.interface, version, target.description))
    widths = [max(len(r[i]) for r in rows) for i in range(3)]
    for row in rows:
        sys.stdout.write("  ".join(row[i].ljust(widths[i]) for i in range(3)) + "  " + row[3] + "\n")
    return 0


def _chosen_targets(args: argparse.Namespace) -> list[Target]:
    names: list[str] = list(args.target or [])
    if args.command:
        if names:
            raise UsageError("use either --target or --command, not both")
        if not args.interface:
            raise UsageError("--command needs --interface wsgi or --interface asgi")
        return [command_target(args.command, args.interface)]
    if args.interface:
        raise UsageError("--interface only applies to --command")
    if not names:
        raise UsageError("name a server: --target NAME (see `speccheck targets`) or --command TEMPLATE")
    if args.connections < 1 or args.connections > 64:
        raise UsageError(f"--connections must be between 1 and 64, got {args.connections}")
    chosen: list[Target] = []
    for name in names:
        if name == "all":
            chosen += [t for t in installed_targets() if t not in chosen]
            continue
        target = get_target(name)
        target.ensure_installed()
        if target not in chosen:
            chosen.append(target)
    if not chosen:
        raise UsageError("--target all: no server preset is installed (pip install 'speccheck[servers]')")
    return chosen


def _suffixed(report: str, name: str) -> str:
    """``json:out/run.json`` -> ``json:out/run-uvicorn.json`` so several targets never overwrite each other."""
    fmt, sep, path = report.partition(":")
    if not sep or path in ("", "-") or fmt.strip().lower() == "terminal":
        return report
    root, ext = os.path.splitext(path)
    return f"{fmt}:{root}-{name}{ext}"


def _server_command(args: argparse.Namespace) -> int:
    from speccheck._cli_common import Session, execute

    targets = _chosen_targets(args)
    results: list[RunResult] = []
    codes: list[int] = []
    several = len(targets) > 1
    user_reports = list(args.report or [])
    for target in targets:
        cfg = ServerRun(
            target,
            startup_timeout=args.startup_timeout,
            exchange_timeout=args.exchange_timeout,
            connections=args.connections,
            root_path=args.root_path or "",
        )
        if several:
            base = user_reports or ["terminal", "json:reports/speccheck.json"]
            args.report = [_suffixed(r, target.name) for r in base]
        info = RunInfo(
            command="server",
            target=target.name if target.name != "command" else target.description,
            interface=target.interface,
        )

        def run(session: Session, cfg: ServerRun = cfg) -> None:
            session.bus.subscribe(_Capture(results))
            run_server(session, cfg)

        codes.append(execute(args, info, run))
        if codes[-1] == 2 and not results:
            break
    if several and results:
        _write_matrix(results)
    return max(codes) if codes else 2


class _Capture:
    def __init__(self, results: list[RunResult]) -> None:
        self.results = results

    def handle(self, event: object) -> None:
        if isinstance(event, RunFinished):
            self.results.append(event.result)


def _write_matrix(results: list[RunResult]) -> None:
    try:
        from speccheck.report import render_matrix
    except ImportError:
        return
    os.makedirs("reports", exist_ok=True)
    for fmt, ext in (("html", "html"), ("markdown", "md")):
        path = os.path.join("reports", f"matrix.{ext}")
        with open(path, "w", encoding="utf-8") as fh:
            fh.write(render_matrix(results, fmt))
    sys.stderr.write("speccheck: conformance matrix written to reports/matrix.html and reports/matrix.md\n")
