"""What a finding is: the rule broken, observed vs expected, the exchange that
showed it and, for app-side rules, the app's own source line."""

from __future__ import annotations

import shlex
from dataclasses import dataclass, field, replace
from typing import Any

from speccheck._rules import Rule

__all__ = ["Exchange", "Location", "Violation"]

_PREVIEW = 64


@dataclass(frozen=True, slots=True)
class Location:
    """A place in the app's source (``file:line``), never a frame of speccheck's."""

    file: str
    line: int
    function: str = ""

    def __str__(self) -> str:
        return f"{self.file}:{self.line}"

    def to_dict(self) -> dict[str, object]:
        return {"file": self.file, "line": self.line, "function": self.function}


@dataclass(frozen=True, slots=True)
class Exchange:
    """The request (or connection) that showed a violation, enough to reproduce it."""

    interface: str = ""  # "wsgi" | "asgi"
    scope_type: str = "http"  # http | websocket | lifespan
    method: str = ""
    target: str = ""  # path and query as sent, e.g. "/a%20b?x=1"
    http_version: str = "1.1"
    headers: tuple[tuple[str, str], ...] = ()
    body_size: int | None = None
    body_preview: bytes = b""
    replay: str = ""  # a command line that reproduces this exchange
    base_url: str = ""  # where it was sent, when it went over the wire

    def summary(self) -> str:
        if self.scope_type == "lifespan":
            return "lifespan"
        head = f"{self.method} {self.target}".strip() if self.method else self.target
        if self.scope_type == "websocket":
            head = f"websocket {self.target}"
        if self.body_size:
            head += f" ({self.body_size} byte body)"
        return head or self.scope_type

    def curl(self) -> str:
        """A curl command line for HTTP exchanges sent to a known base URL."""
        if self.scope_type != "http" or not self.method:
            return ""
        base = self.base_url or "http://127.0.0.1:8000"
        parts = ["curl", "-i", "--path-as-is", "-X", self.method]
        for name, value in self.headers:
            if name.lower() in ("host", "content-length"):
                continue
            parts += ["-H", f"{name}: {value}"]
        if self.body_preview and self.body_size == len(self.body_preview):
            parts += ["--data-binary", self.body_preview.decode("latin-1")]
        parts.append(base + self.target)
        return " ".join(shlex.quote(p) for p in parts)

    def to_dict(self) -> dict[str, object]:
        return {
            "interface": self.interface,
            "scope_type": self.scope_type,
            "method": self.method,
            "target": self.target,
            "http_version": self.http_version,
            "headers": [list(h) for h in self.headers],
            "body_size": self.body_size,
            "body_preview": self.body_preview[:_PREVIEW].decode("latin-1"),
            "replay": self.replay,
            "curl": self.curl(),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Exchange:
        return cls(
            interface=str(data.get("interface", "")),
            scope_type=str(data.get("scope_type", "http")),
            method=str(data.get("method", "")),
            target=str(data.get("target", "")),
            http_version=str(data.get("http_version", "1.1")),
            headers=tuple((str(n), str(v)) for n, v in data.get("headers", ())),
            body_size=data.get("body_size"),
            body_preview=str(data.get("body_preview", "")).encode("latin-1"),
            replay=str(data.get("replay", "")),
        )


@dataclass(slots=True)
class Violation:
    """One broken rule. ``signature`` refines de-duplication beyond the code: two
    violations of one rule with the same signature are the same finding seen again,
    counted in ``count``."""

    rule: Rule
    message: str
    observed: str = ""
    expected: str = ""
    exchange: Exchange | None = None
    location: Location | None = None
    signature: str = ""
    count: int = 1
    extra: dict[str, object] = field(default_factory=dict)

    @property
    def code(self) -> str:
        return self.rule.code

    @property
    def name(self) -> str:
        return self.rule.name

    @property
    def level(self) -> str:
        return self.rule.level.value

    @property
    def side(self) -> str:
        return self.rule.side.value

    @property
    def spec_url(self) -> str:
        return self.rule.url

    @property
    def key(self) -> tuple[str, str]:
        return (self.rule.code, self.signature or self.message)

    def one_line(self) -> str:
        text = f"{self.rule.code} {self.rule.name} [{self.side} {self.level}]: {self.message}"
        if self.observed or self.expected:
            text += f" (observed {self.observed or '-'}; expected {self.expected or '-'})"
        if self.location is not None:
            text += f" at {self.location}"
        return text

    def __str__(self) -> str:
        return self.one_line()

    def copy(self) -> Violation:
        return replace(self, extra=dict(self.extra))

    def to_dict(self) -> dict[str, object]:
        return {
            "code": self.rule.code,
            "name": self.rule.name,
            "level": self.level,
            "side": self.side,
            "message": self.message,
            "observed": self.observed,
            "expected": self.expected,
            "spec": self.rule.spec.title,
            "spec_url": self.spec_url,
            "exchange": self.exchange.to_dict() if self.exchange is not None else None,
            "location": self.location.to_dict() if self.location is not None else None,
            "count": self.count,
            "signature": self.signature,
            "extra": self.extra,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Violation:
        """Rebuild a violation from `to_dict` output (e.g. sent over a side channel)."""
        from speccheck._catalogue import get_rule

        exchange = data.get("exchange")
        location = data.get("location")
        return cls(
            rule=get_rule(str(data["code"])),
            message=str(data.get("message", "")),
            observed=str(data.get("observed", "")),
            expected=str(data.get("expected", "")),
            exchange=Exchange.from_dict(exchange) if exchange else None,
            location=Location(str(location["file"]), int(location["line"]), str(location.get("function", "")))
            if location
            else None,
            signature=str(data.get("signature", "")),
            count=int(data.get("count", 1)),
            extra=dict(data.get("extra") or {}),
        )
