"""The reaction rules (S210-S214, S304-S307): each rawserver defect fires its rule, the
correct twin and correct real servers stay silent, and the true findings on real servers
(daphne S304, granian-wsgi S305) are reported. Plus the oracles on hand-built observations."""

from __future__ import annotations

from pathlib import Path

import pytest

from speccheck.client import WireResponse
from speccheck.server import check_server
from speccheck.server._oracle_reaction import check_abort, check_app_te, check_late_receive, check_raise
from speccheck.server._plans import ResponsePlan
from speccheck.server._reaction_rules import RULES
from speccheck.server._responses import REACTION
from speccheck.targets import get_target

RAW = Path(__file__).resolve().parents[2] / "fixtures" / "servers" / "rawserver.py"
CODES = [r.code for r in RULES]


def codes_of(result: object) -> set[str]:
    return {v.code for v in result.violations if v.code in CODES}  # type: ignore[attr-defined]


def raw(defect: str, interface: str) -> tuple[set[str], set[str]]:
    command = f"{{python}} {RAW} --port {{port}} --interface {interface} --defect {defect} {{app}}"
    result = check_server(
        "command", command=command, interface=interface, examples=20, select=CODES, startup_timeout=20.0
    )
    return codes_of(result), {r.code for r in result.checked}


# --- fixtures over the wire -------------------------------------------------------------------
@pytest.mark.servers
@pytest.mark.parametrize(
    ("interface", "expected_checked"),
    [
        ("asgi", {"S210", "S211", "S212", "S213", "S214", "S304", "S305"}),
        ("wsgi", {"S305", "S306", "S307"}),
    ],
)
def test_correct_twin_is_silent(interface: str, expected_checked: set[str]) -> None:
    found, checked = raw("none", interface)
    assert found == set()
    assert expected_checked <= checked  # every reaction was judged, not skipped


@pytest.mark.servers
@pytest.mark.parametrize(
    ("defect", "interface", "expected"),
    [
        ("no-disconnect", "asgi", {"S210", "S211"}),  # www.rst: http.disconnect after response / close
        ("send-after-close-silent", "asgi", {"S212"}),  # www.rst 2.4: send() raises an OSError subclass
        ("send-after-close-hang", "asgi", {"S213"}),  # asgi.rst: send() after close is a no-op at worst
        ("pass-te", "asgi", {"S214"}),  # www.rst: the app's Transfer-Encoding must be ignored
        ("clean-after-raise", "asgi", {"S304", "S305"}),  # asgi.rst: terminate the connection
        ("clean-after-raise", "wsgi", {"S305"}),  # PEP 3333: abort the response
        ("no-close-on-error", "wsgi", {"S306"}),  # PEP 3333: close() after an error in iteration
        ("no-close-on-abort", "wsgi", {"S307"}),  # PEP 3333: close() after an early disconnect
    ],
)
def test_defect_fires_its_rule_only(defect: str, interface: str, expected: set[str]) -> None:
    assert raw(defect, interface)[0] == expected


@pytest.mark.servers
@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("uvicorn", set()),
        ("gunicorn", set()),
        # asgi.rst Error Handling: servers "must terminate the application instance and its
        # associated connection": daphne's application_checker calls handle_exception ->
        # basic_error -> handle_reply(http.response.start), which raises "HTTP response has
        # already been started" (http_protocol.py): the partial response stays open for good.
        ("daphne", {"S304"}),
        # granian's WSGI iterator ends the chunked body with its last-chunk when the
        # iterable raises, so the partial body looks complete (S305, a SHOULD).
        ("granian-wsgi", {"S305"}),
    ],
)
def test_real_servers(name: str, expected: set[str]) -> None:
    if not get_target(name).installed:
        pytest.skip(f"{name} is not installed")
    result = check_server(name, examples=20, select=CODES)
    assert codes_of(result) == expected


# --- the oracles on hand-built observations ---------------------------------------------------
def obs(spec: str | None = "2.4", **kw: object) -> dict[str, object]:
    asgi = {"version": "3.0"} | ({"spec_version": spec} if spec else {})
    return {"scope": {"asgi": asgi}, **kw}


DISC = {"type": "http.disconnect", "elapsed": 0.01}


def test_late_receive() -> None:
    assert check_late_receive(obs(late_receive=DISC)) == []
    (finding,) = check_late_receive(obs(late_receive={"type": "timeout", "elapsed": 2.0}))
    assert finding.code == "S210"


def test_abort_send_by_spec_version() -> None:
    quiet = {"raised": "", "oserror": False, "mro": []}
    raised = {"raised": "ClientDisconnected", "oserror": True, "mro": ["x.ClientDisconnected", "builtins.OSError"]}
    assert [f.code for f in check_abort(obs("2.4", held=DISC, late_send=quiet))] == ["S212"]
    assert check_abort(obs("2.3", held=DISC, late_send=quiet)) == []  # older servers may no-op
    assert check_abort(obs(None, held=DISC, late_send=quiet)) == []  # missing means "2.0"
    assert check_abort(obs("2.4", held=DISC, late_send=raised)) == []
    hang = {"raised": "timeout", "oserror": False, "mro": []}
    assert [f.code for f in check_abort(obs("2.0", held=DISC, late_send=hang))] == ["S213"]
    assert [f.code for f in check_abort(obs("2.4", held={"type": "timeout"}, late_send=quiet))] == ["S211"]


def test_raise_mid_body() -> None:
    chunked = [(b"transfer-encoding", b"chunked")]
    complete = WireResponse("ok", status=200, headers=chunked, body=b"part1", keep_alive=True)
    assert {f.code for f in check_raise(complete, 200, "asgi", kept_open=True)} == {"S304", "S305"}
    assert {f.code for f in check_raise(complete, 200, "wsgi", kept_open=True)} == {"S305"}
    cut = WireResponse("closed", status=200, headers=chunked, body=b"part1")
    assert check_raise(cut, 200, "asgi", kept_open=False) == []
    stuck = WireResponse("timeout", status=200, headers=chunked, body=b"part1")
    assert {f.code for f in check_raise(stuck, 200, "asgi", kept_open=False)} == {"S304"}
    close_delimited = WireResponse("ok", status=200, body=b"part1")  # HTTP/1.0: no way to say "broken"
    assert check_raise(close_delimited, 200, "wsgi", kept_open=False) == []
    error_page = WireResponse("ok", status=500, headers=[(b"content-length", b"0")], keep_alive=False)
    assert check_raise(error_page, 200, "wsgi", kept_open=False) == []
    relabelled = WireResponse("ok", status=200, headers=[(b"content-length", b"0")])  # a server's page, not the app's
    assert check_raise(relabelled, 200, "wsgi", kept_open=False) == []


def test_app_te() -> None:
    good = WireResponse("ok", status=200, body=b"hello world")
    assert check_app_te(good, WireResponse("ok", status=200)) == []
    broken = WireResponse("invalid", error="bad chunk size")
    assert [f.code for f in check_app_te(broken, WireResponse("closed"))] == ["S214"]


def test_old_plan_json_still_loads() -> None:
    old = {"name": "p", "status": 200, "headers": [["a", "b"]], "body": ["x"], "raise_after": None}
    plan = ResponsePlan.from_dict(old)
    assert (plan.after, plan.hold, plan.pause) == ("", 0.0, 0.0)
    for new in REACTION:
        assert ResponsePlan.from_dict(new.to_dict()) == new
