"""Findings about the target as a whole (prefix ``T``): it crashed, hung, never became
ready or refused connections. Reported like any rule so no run ends silently."""

from __future__ import annotations

from speccheck._rules import Check, Level, Rule, Side, Spec

__all__ = ["RULES"]

S = Spec.SPECCHECK

RULES: tuple[Rule, ...] = (
    Rule(
        "T001", "target-not-ready", Level.MUST, Side.SERVER, S, "#T001",
        "The server did not accept connections within the start-up time limit.",
        check=Check.WIRE,
        fix="Check the captured server output in the report; raise --startup-timeout for slow servers.",
    ),
    Rule(
        "T002", "target-crashed", Level.MUST, Side.SERVER, S, "#T002",
        "The server process exited while requests were being checked.",
        check=Check.WIRE,
        fix="See the server's captured output in the report for the traceback.",
    ),
    Rule(
        "T003", "target-hung", Level.MUST, Side.SERVER, S, "#T003",
        "The server (or app) gave no complete response within the per-exchange time limit.",
        check=Check.WIRE,
        fix="A response must end; a missing or unfinished one must not leave the client waiting forever.",
    ),
    Rule(
        "T004", "target-refused", Level.MUST, Side.SERVER, S, "#T004",
        "The server refused or reset a connection it had accepted before.",
        check=Check.WIRE,
    ),
    Rule(
        "T005", "app-raised", Level.MUST, Side.APP, S, "#T005",
        "The application raised an exception instead of answering (app mode).",
        check=Check.PROBE,
        fix="The traceback in the report shows where; a spec-conforming app answers every request.",
    ),
    Rule(
        "T006", "app-hung", Level.MUST, Side.APP, S, "#T006",
        "The application did not finish its response within the per-exchange time limit (app mode).",
        check=Check.PROBE,
    ),
)
