"""Findings about the target as a whole (prefix ``T``): it crashed, hung, never became
ready or refused connections. Reported like any rule so no run ends silently."""

from __future__ import annotations

from speccheck._rules import Check, Level, Rule, Side, Spec

__all__ = ["RULES"]

S = Spec.SPECCHECK

RULES: tuple[Rule, ...] = (
    Rule(
        code="T001",
        name="target-not-ready",
        level=Level.MUST,
        side=Side.SERVER,
        spec=S,
        anchor="#T001",
        summary="The server did not accept connections within the start-up time limit.",
        check=Check.WIRE,
        fix="Check the captured server output in the report; raise --startup-timeout for slow servers.",
    ),
    Rule(
        code="T002",
        name="target-crashed",
        level=Level.MUST,
        side=Side.SERVER,
        spec=S,
        anchor="#T002",
        summary="The server process exited while requests were being checked.",
        check=Check.WIRE,
        fix="See the server's captured output in the report for the traceback.",
    ),
    Rule(
        code="T003",
        name="target-hung",
        level=Level.MUST,
        side=Side.SERVER,
        spec=S,
        anchor="#T003",
        summary="The server (or app) gave no complete response within the per-exchange time limit.",
        check=Check.WIRE,
        fix="A response must end; a missing or unfinished one must not leave the client waiting forever.",
    ),
    Rule(
        code="T004",
        name="target-refused",
        level=Level.MUST,
        side=Side.SERVER,
        spec=S,
        anchor="#T004",
        summary="The server refused or reset a connection it had accepted before.",
        check=Check.WIRE,
    ),
    Rule(
        code="T005",
        name="app-raised",
        level=Level.MUST,
        side=Side.APP,
        spec=S,
        anchor="#T005",
        summary="The application raised an exception instead of answering (app mode).",
        check=Check.PROBE,
        fix="The traceback in the report shows where; a spec-conforming app answers every request.",
    ),
    Rule(
        code="T006",
        name="app-hung",
        level=Level.MUST,
        side=Side.APP,
        spec=S,
        anchor="#T006",
        summary="The application did not finish its response within the per-exchange time limit (app mode).",
        check=Check.PROBE,
    ),
    Rule(
        code="T007",
        name="target-stop-hung",
        level=Level.SHOULD,
        side=Side.SERVER,
        spec=S,
        anchor="#T007",
        summary="The server did not exit within the stop time limit after SIGTERM (it was killed), though the "
        "probe app finishes its lifespan shutdown at once and no request was in flight.",
        check=Check.WIRE,
        fix="Exit promptly on SIGTERM once in-flight requests and the lifespan shutdown are done.",
    ),
)
