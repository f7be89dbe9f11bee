"""The `speccheck` command line."""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence
from typing import NoReturn

from speccheck._catalogue import all_rules
from speccheck._errors import UsageError
from speccheck._outcome import EXIT_USAGE
from speccheck._rules_docs import rule_detail, rules_json, rules_markdown
from speccheck._version import __version__

__all__ = ["main"]

# Modules contributing subcommands: each has ``register(subparsers)``.
SUBCOMMAND_MODULES = ("speccheck.server._cli", "speccheck.app._cli")


class _Parser(argparse.ArgumentParser):
    """argparse with one-line errors (exit 2) instead of a usage dump."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_USAGE, f"speccheck: error: {message} (see `{self.prog} --help`)\n")


def _rules_command(args: argparse.Namespace) -> int:
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    rules = list(all_rules())
    if args.code:
        query = args.code
        exact = [r for r in rules if r.code == query.upper() or r.name == query.lower()]
        if exact and args.format == "table":
            sys.stdout.write(rule_detail(exact[0]))
            return 0
        rules = exact or [r for r in rules if r.code.startswith(query.upper())]
        if not rules:
            raise UsageError(f"unknown rule code, prefix or name {query!r} (run `speccheck rules` for the list)")
    if args.format == "json":
        text = rules_json(rules)
    elif args.format == "markdown":
        text = rules_markdown(rules)
    else:
        table = Table(title=f"speccheck rules ({len(rules)})", show_lines=False)
        for column in ("code", "name", "level", "side"):
            table.add_column(column, no_wrap=True)
        table.add_column("summary", overflow="fold", min_width=30)
        colours = {"must": "red", "should": "yellow", "advice": "cyan"}
        for r in rules:
            level = f"[{colours[r.level.value]}]{r.level.value}[/]" + ("" if r.default else " (opt-in)")
            table.add_row(r.code, r.name, level, r.side.value, escape(r.summary))
        console = Console()
        if not console.is_terminal:
            console.width = 200
        console.print(table)
        return 0
    if args.output:
        try:
            with open(args.output, "w", encoding="utf-8") as fh:
                fh.write(text)
        except OSError as exc:
            raise UsageError(f"cannot write {args.output}: {exc.strerror}") from None
    else:
        sys.stdout.write(text)
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="speccheck",
        description="Check WSGI (PEP 3333) and ASGI servers and applications against their specs.",
        epilog="Exit status: 0 clean, 1 violations at or above --fail-on, 2 could not run.",
    )
    parser.add_argument("--version", action="version", version=f"speccheck {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    rules = sub.add_parser("rules", help="list the rules, or show one", description="List the rule catalogue.")
    rules.add_argument("code", nargs="?", help="a rule code or name (details) or a prefix (filter)")
    rules.add_argument("--format", choices=("table", "json", "markdown"), default="table")
    rules.add_argument("--output", metavar="PATH", help="write to PATH instead of standard output")
    rules.set_defaults(handler=_rules_command)
    for module_name in SUBCOMMAND_MODULES:
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name is not None and module_name.startswith(exc.name):
                continue  # that part of speccheck is not built yet
            raise
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    handler = getattr(args, "handler", None)
    if handler is None:
        parser.print_help()
        return EXIT_USAGE
    try:
        code: int = handler(args)
    except UsageError as exc:
        sys.stderr.write(f"speccheck: error: {exc}\n")
        return EXIT_USAGE
    except KeyboardInterrupt:
        sys.stderr.write("speccheck: interrupted\n")
        return EXIT_USAGE
    return code


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
