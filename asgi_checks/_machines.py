"""The per-connection state machines, as transition tables.

Each table maps ``(state, event) -> (next_state, rule code or None)``. Events whose name
starts with ``r.`` come out of receive() (the server's doing), ``s.`` ones go into send()
(the app's doing). A pair missing from a table is a violation of the event's
``DEFAULT`` rule and leaves the state unchanged.

What the tables cannot express, and the lint does in code:
* http: whether ``trailers=True`` was promised picks ``s.body_end`` vs ``s.body_end_t``
  (and ``s.pathsend`` vs ``s.pathsend_t``); trailers without the promise are A315
  whatever the state; the response must be complete when the app returns (A314/A316)
  unless the client disconnected or the app raised.
* websocket: the first websocket.connect is legal in any state the app reached by replying
  early (accept / close / deny before receiving it); only a second one is A404. Sending
  after websocket.disconnect is legal (the app should expect send()
  to raise); the server-side A706 check needs the spec_version.
* lifespan: an app that raises is opting out (legal); returning normally with a
  received event unanswered is A513.
"""

from __future__ import annotations

__all__ = ["HTTP_RECEIVE", "HTTP_SEND", "LIFESPAN", "WEBSOCKET", "Table", "http_send_error", "step"]

Table = dict[tuple[str, str], tuple[str, str | None]]

# --- http, server side: receive() ------------------------------------------------------
# https://asgi.readthedocs.io/en/latest/specs/www.html#request-receive-event
HTTP_RECEIVE: Table = {
    ("request", "r.request"): ("request", None),
    ("request", "r.request_end"): ("body_done", None),
    ("request", "r.disconnect"): ("gone", None),
    ("body_done", "r.request"): ("body_done", "A224"),
    ("body_done", "r.request_end"): ("body_done", "A224"),
    ("body_done", "r.disconnect"): ("gone", None),
    ("gone", "r.disconnect"): ("gone", None),
    ("gone", "r.request"): ("gone", "A225"),
    ("gone", "r.request_end"): ("gone", "A225"),
}

# --- http, app side: send() -------------------------------------------------------------
# https://asgi.readthedocs.io/en/latest/specs/www.html#response-start-send-event
# https://asgi.readthedocs.io/en/latest/extensions.html
_CONTENT = ("s.body", "s.zerocopy")
HTTP_SEND: Table = {
    ("fresh", "s.debug"): ("debugged", None),
    ("fresh", "s.start"): ("started", None),
    ("debugged", "s.start"): ("started", None),
    **{(state, event): ("streaming", None) for state in ("started", "streaming") for event in _CONTENT},
    **{(state, "s.body_end"): ("done", None) for state in ("started", "streaming")},
    **{(state, "s.body_end_t"): ("trailers", None) for state in ("started", "streaming")},
    ("started", "s.pathsend"): ("done", None),
    ("started", "s.pathsend_t"): ("trailers", None),
    **{(state, event): (state, None) for state in ("started", "streaming") for event in ("s.push", "s.early_hint")},
    ("trailers", "s.trailers"): ("trailers", None),
    ("trailers", "s.trailers_end"): ("done", None),
}
HTTP_STATES = ("fresh", "debugged", "started", "streaming", "trailers", "done")
_BEFORE_START = frozenset({"fresh", "debugged"})


def http_send_error(state: str, event: str, promised: bool) -> str:
    """The rule broken by an app event that has no entry in `HTTP_SEND`."""
    if event in ("s.trailers", "s.trailers_end"):
        return "A315" if not promised else ("A313" if state == "done" else "A317")
    if state == "done":
        return "A602" if event == "s.debug" else "A313"
    if event == "s.start":
        return "A312"
    if event == "s.debug":
        return "A602"
    if state in _BEFORE_START:
        return "A311" if event in ("s.body", "s.body_end", "s.body_end_t") else "A602"
    if state == "streaming" and event.startswith("s.pathsend"):
        return "A606"
    return "A313"  # content after the final body, while trailers are awaited


# --- websocket, both sides ------------------------------------------------------------
# https://asgi.readthedocs.io/en/latest/specs/www.html#connect-receive-event
# https://asgi.readthedocs.io/en/latest/extensions.html#websocket-denial-response
_DENY = ("s.deny_start", "s.deny_body", "s.deny_end")
_APP_EVENTS = ("s.accept", "s.send", "s.close", *_DENY)
WEBSOCKET: Table = {
    ("wait", "r.connect"): ("handshake", None),
    ("wait", "r.receive"): ("wait", "A404"),
    ("wait", "r.disconnect"): ("gone", None),
    ("wait", "s.accept"): ("open", "A412"),
    ("wait", "s.close"): ("closed", "A412"),
    ("wait", "s.deny_start"): ("denying", "A412"),
    ("wait", "s.send"): ("wait", "A413"),
    ("handshake", "r.receive"): ("handshake", "A405"),
    ("handshake", "r.disconnect"): ("gone", None),
    ("handshake", "s.accept"): ("open", None),
    ("handshake", "s.close"): ("closed", None),
    ("handshake", "s.deny_start"): ("denying", None),
    ("handshake", "s.send"): ("handshake", "A413"),
    ("open", "r.receive"): ("open", None),
    ("open", "r.disconnect"): ("gone", None),
    ("open", "s.accept"): ("open", "A414"),
    ("open", "s.send"): ("open", None),
    ("open", "s.close"): ("closed", None),
    # After the app closed, frames already in flight may still be delivered.
    ("closed", "r.receive"): ("closed", None),
    ("closed", "r.disconnect"): ("gone", None),
    **{("closed", event): ("closed", "A415") for event in _APP_EVENTS},
    ("denying", "r.receive"): ("denying", "A405"),
    ("denying", "r.disconnect"): ("gone", None),
    ("denying", "s.deny_body"): ("denying", None),
    ("denying", "s.deny_end"): ("denied", None),
    ("denied", "r.receive"): ("denied", "A405"),
    ("denied", "r.disconnect"): ("gone", None),
    **{("denied", event): ("denied", "A415") for event in _APP_EVENTS},
    ("gone", "r.disconnect"): ("gone", None),
    ("gone", "r.connect"): ("gone", "A408"),
    ("gone", "r.receive"): ("gone", "A408"),
    # Sending after the peer left is not the app's fault: send() should raise (A706).
    **{("gone", event): ("gone", None) for event in _APP_EVENTS},
}
WEBSOCKET_DEFAULT = {
    "s.accept": "A412",
    "s.close": "A412",
    "s.send": "A413",
    "s.deny_start": "A425",
    "s.deny_body": "A425",
    "s.deny_end": "A425",
    "r.connect": "A404",
    "r.receive": "A405",
    "r.disconnect": "A408",
}

# --- lifespan, both sides -------------------------------------------------------------
# https://asgi.readthedocs.io/en/latest/specs/lifespan.html
LIFESPAN: Table = {
    ("wait", "r.startup"): ("starting", None),
    ("wait", "r.shutdown"): ("stopping", "A503"),
    ("starting", "r.startup"): ("starting", "A503"),
    ("starting", "r.shutdown"): ("stopping", "A503"),
    ("starting", "s.startup"): ("started", None),
    ("started", "r.startup"): ("started", "A503"),
    ("started", "r.shutdown"): ("stopping", None),
    ("stopping", "s.shutdown"): ("stopped", None),
}
LIFESPAN_DEFAULT = {"r.startup": "A503", "r.shutdown": "A503", "s.startup": "A512", "s.shutdown": "A512"}


def step(table: Table, defaults: dict[str, str], state: str, event: str) -> tuple[str, str | None]:
    """One transition: the next state and the rule broken (None if legal)."""
    found = table.get((state, event))
    if found is not None:
        return found
    return state, defaults[event]
