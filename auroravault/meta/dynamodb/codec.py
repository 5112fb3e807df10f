"""Records <-> DynamoDB attribute maps, and placeholders for expressions.

Records are stored as typed JSON (``{"S": ...}``, ``{"N": ...}``); datetimes as fixed-width
ISO text (so they sort as text), numbers as exact decimals, Job payloads as opaque JSON text.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal
from typing import Any, TypeVar

import msgspec

from auroravault.meta.base import Job
from auroravault.timeutil import to_iso

T = TypeVar("T", bound=msgspec.Struct)
AttrMap = dict[str, Any]  # an item or key in DynamoDB's typed JSON ({"S": ...}, {"N": ...})


# -- records <-> attribute maps ------------------------------------------------------------
def _number(value: float) -> str:
    # Decimal(repr()) is exact and short; DynamoDB keeps 38 digits, repr gives at most 17.
    if value != value or value in (float("inf"), float("-inf")):
        raise ValueError("DynamoDB cannot store NaN or infinity")
    return str(Decimal(repr(value)))


def _av(value: Any) -> dict[str, Any]:
    if isinstance(value, bool):
        return {"BOOL": value}
    if isinstance(value, int):
        return {"N": str(value)}
    if isinstance(value, float):
        return {"N": _number(value)}
    if isinstance(value, str):
        return {"S": value}
    if isinstance(value, datetime):
        return {"S": to_iso(value)}  # fixed width: sorts as text
    if isinstance(value, dict):
        return {"M": {str(k): _av(v) for k, v in value.items() if v is not None}}
    if isinstance(value, list | tuple):
        return {"L": [_av(v) for v in value]}
    if value is None:
        return {"NULL": True}
    raise TypeError(f"cannot store {type(value).__name__} in DynamoDB")


def _py(av: dict[str, Any]) -> Any:
    if "S" in av:
        return av["S"]
    if "N" in av:
        text = av["N"]
        return float(text) if any(c in text for c in ".eE") else int(text)
    if "BOOL" in av:
        return bool(av["BOOL"])
    if "M" in av:
        return {k: _py(v) for k, v in av["M"].items()}
    if "L" in av:
        return [_py(v) for v in av["L"]]
    if "NULL" in av:
        return None
    raise TypeError(f"unsupported attribute value {sorted(av)}")


def _item(record: msgspec.Struct, **extra: Any) -> AttrMap:
    """A record's attribute map plus ``extra`` (keys, indexes, version); None is omitted."""
    data = msgspec.to_builtins(record, builtin_types=(datetime,))
    if isinstance(record, Job):
        # Opaque payloads keep their exact JSON types (DynamoDB would normalise 2.0 to 2).
        data["payload"] = msgspec.json.encode(record.payload).decode()
    data.update(extra)
    return {k: _av(v) for k, v in data.items() if v is not None}


def _record(kind: type[T], item: AttrMap) -> T:
    """The record in an item; key, index and bookkeeping attributes are ignored."""
    data = {k: _py(v) for k, v in item.items()}
    if kind is Job:
        data["payload"] = msgspec.json.decode(data["payload"])
    return msgspec.convert(data, kind, strict=False)


def _version(item: AttrMap) -> int:
    return int(item["v"]["N"]) if "v" in item else 0


def _epoch(value: datetime) -> int:
    return int(value.timestamp())


class _Expr:
    """Placeholders for one expression: every attribute name goes through ``#name``
    (DynamoDB reserves ``status``, ``state``, ``size``, ``index``, ``count``...)."""

    def __init__(self) -> None:
        self.names: dict[str, str] = {}
        self.values: dict[str, Any] = {}

    def n(self, attr: str) -> str:
        self.names[f"#{attr}"] = attr
        return f"#{attr}"

    def v(self, value: Any) -> str:
        key = f":v{len(self.values)}"
        self.values[key] = _av(value)
        return key

    def update(self, fields: dict[str, Any], *, extra_set: Iterable[str] = ()) -> str:
        """``SET`` for values, ``REMOVE`` for None."""
        sets = [f"{self.n(k)} = {self.v(v)}" for k, v in fields.items() if v is not None]
        sets += list(extra_set)
        removes = [self.n(k) for k, v in fields.items() if v is None]
        parts = []
        if sets:
            parts.append("SET " + ", ".join(sets))
        if removes:
            parts.append("REMOVE " + ", ".join(removes))
        return " ".join(parts)

    def args(self, **kw: Any) -> dict[str, Any]:
        if self.names:
            kw["ExpressionAttributeNames"] = self.names
        if self.values:
            kw["ExpressionAttributeValues"] = self.values
        return kw
