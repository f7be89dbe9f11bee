"""What the WSGI and ASGI deliveries share: a readable description of how a delivery
differs from the baseline, and a lossless, validated round trip through JSON-safe dicts
(for replay lines and the JSON report)."""

from __future__ import annotations

from dataclasses import fields
from typing import Any, ClassVar, TypeVar

from speccheck._errors import UsageError

__all__ = ["DeliveryFields"]

D = TypeVar("D", bound="DeliveryFields")


class DeliveryFields:
    """Mixin for frozen dataclasses whose fields are bools, strs and tuples of sizes."""

    __slots__ = ()
    KIND: ClassVar[str] = ""

    def validate(self) -> None:
        """Cross-field checks; `UsageError` naming the field."""

    def describe(self) -> str:
        base = type(self)()
        parts = [
            f"{f.name}={getattr(self, f.name)!r}"
            for f in fields(self)  # type: ignore[arg-type]
            if getattr(self, f.name) != getattr(base, f.name)
        ]
        return f"{self.KIND} delivery " + (", ".join(parts) if parts else "(baseline)")

    def to_dict(self) -> dict[str, object]:
        return {
            f.name: list(v) if isinstance(v := getattr(self, f.name), tuple) else v
            for f in fields(self)  # type: ignore[arg-type]
        }

    @classmethod
    def from_dict(cls: type[D], data: dict[str, Any]) -> D:
        """The inverse of `to_dict`; `UsageError` naming the field when a value has the wrong type."""
        base = cls()
        values: dict[str, Any] = {}
        for f in fields(cls):  # type: ignore[arg-type]
            if f.name not in data:
                continue
            value, default = data[f.name], getattr(base, f.name)
            if isinstance(default, tuple):
                if not isinstance(value, (list, tuple)) or not all(
                    isinstance(v, int) and not isinstance(v, bool) and v >= 0 for v in value
                ):
                    raise UsageError(f"delivery field {f.name!r} must be a list of sizes >= 0, got {value!r}")
                value = tuple(value)
            elif type(value) is not type(default):
                raise UsageError(f"delivery field {f.name!r} must be a {type(default).__name__}, got {value!r}")
            values[f.name] = value
        delivery = cls(**values)
        delivery.validate()
        return delivery
