"""The rule model: every check speccheck performs is one `Rule`, defined once as data.

Lint middlewares, oracles, `speccheck rules`, `docs/rules.md` and every report read
the same objects; nothing else restates a rule's level, side or spec link.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass

__all__ = ["Check", "Level", "Rule", "Side", "Spec"]


class Level(enum.Enum):
    """How binding a rule is, following the wording of the sentence behind it."""

    MUST = "must"  # the spec says must / must not / is a fatal error / is a violation
    SHOULD = "should"  # the spec says should / should not
    ADVICE = "advice"  # derived from HTTP or CGI practice, no normative sentence of its own

    @property
    def rank(self) -> int:
        return _RANK[self]

    @classmethod
    def parse(cls, text: str) -> Level:
        try:
            return cls(text.lower())
        except ValueError:
            choices = ", ".join(m.value for m in cls)
            raise ValueError(f"unknown level {text!r}; choose one of {choices}") from None


_RANK = {Level.MUST: 3, Level.SHOULD: 2, Level.ADVICE: 1}


class Side(enum.Enum):
    """Who is to blame when the rule is broken."""

    SERVER = "server"
    APP = "app"


class Check(enum.Enum):
    """How a rule is checked."""

    INLINE = "inline"  # by the lint middleware, on whatever traffic flows
    PROBE = "probe"  # by the probe app or reference driver, which provoke the situation
    WIRE = "wire"  # on the bytes a real client sees from a real server
    CROSS = "cross"  # across several requests or connections


class Spec(enum.Enum):
    """The documents rules come from, with the base URL their anchors hang off."""

    PEP3333 = ("PEP 3333", "https://peps.python.org/pep-3333/")
    ASGI = ("ASGI 3.0", "https://asgi.readthedocs.io/en/latest/specs/main.html")
    ASGI_WWW = ("ASGI HTTP & WebSocket 2.5", "https://asgi.readthedocs.io/en/latest/specs/www.html")
    ASGI_LIFESPAN = ("ASGI Lifespan 2.0", "https://asgi.readthedocs.io/en/latest/specs/lifespan.html")
    ASGI_EXTENSIONS = ("ASGI Extensions", "https://asgi.readthedocs.io/en/latest/extensions.html")
    ASGI_TLS = ("ASGI TLS 0.2", "https://asgi.readthedocs.io/en/latest/specs/tls.html")
    RFC9110 = ("RFC 9110", "https://www.rfc-editor.org/rfc/rfc9110.html")
    RFC9112 = ("RFC 9112", "https://www.rfc-editor.org/rfc/rfc9112.html")
    RFC6455 = ("RFC 6455", "https://www.rfc-editor.org/rfc/rfc6455.html")
    SPECCHECK = ("speccheck", "https://github.com/speccheck/speccheck/blob/main/docs/rules.md")

    @property
    def title(self) -> str:
        return self.value[0]

    @property
    def base_url(self) -> str:
        return self.value[1]


_CODE = re.compile(r"^[A-Z][0-9]{3}$")
_NAME = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")


@dataclass(frozen=True, slots=True)
class Rule:
    """One checkable requirement.

    ``code`` is stable and greppable (a letter for the area, three digits);
    ``name`` is kebab-case; ``anchor`` is the fragment of the section in ``spec``;
    ``summary`` is one line in our own words; ``quote`` a short piece of the spec
    sentence; ``bad`` and ``fix`` a minimal example that breaks the rule and the repair.
    Rules with ``default=False`` are opt-in (``--select`` them by code or prefix).
    """

    code: str
    name: str
    level: Level
    side: Side
    spec: Spec
    anchor: str
    summary: str
    check: Check = Check.INLINE
    quote: str = ""
    bad: str = ""
    fix: str = ""
    default: bool = True

    def __post_init__(self) -> None:
        if not _CODE.match(self.code):
            raise ValueError(f"rule code must be a capital letter and three digits, got {self.code!r}")
        if not _NAME.match(self.name):
            raise ValueError(f"rule name must be kebab-case, got {self.name!r} ({self.code})")
        if not self.summary or "\n" in self.summary:
            raise ValueError(f"rule summary must be one non-empty line ({self.code})")

    @property
    def url(self) -> str:
        anchor = self.anchor
        if anchor and not anchor.startswith("#"):
            anchor = "#" + anchor
        return self.spec.base_url + anchor

    @property
    def prefix(self) -> str:
        return self.code[0]

    def to_dict(self) -> dict[str, object]:
        return {
            "code": self.code,
            "name": self.name,
            "level": self.level.value,
            "side": self.side.value,
            "spec": self.spec.title,
            "spec_url": self.url,
            "summary": self.summary,
            "check": self.check.value,
            "quote": self.quote,
            "bad": self.bad,
            "fix": self.fix,
            "default": self.default,
        }
