"""The per-aggregate store protocols: they split ``MetaStore`` cleanly, and every adapter
(on its real engine, through the ``meta`` fixture) is each of them.

mypy proves the signatures (``auroravault/meta/conformance.py``); this checks at run time
what mypy cannot: that no method lives in the union alone or in two aggregates at once.
"""

from __future__ import annotations

import inspect

from auroravault.meta.base import MetaStore
from auroravault.meta.protocols import AGGREGATES


def declared(protocol: type) -> set[str]:
    """The members a protocol class declares itself: its methods and annotated attributes."""
    own = vars(protocol)
    return {name for name in own if not name.startswith("_")} | set(own.get("__annotations__", {}))


def test_every_method_belongs_to_exactly_one_aggregate() -> None:
    seen: dict[str, str] = {}
    for protocol in AGGREGATES:
        for name in declared(protocol):
            assert name not in seen, f"{name} is in both {seen[name]} and {protocol.__name__}"
            seen[name] = protocol.__name__
    assert declared(MetaStore) == set(), "MetaStore only unites the aggregates; declare methods in one of them"
    assert set(MetaStore.__mro__[1 : len(AGGREGATES) + 1]) == set(AGGREGATES)
    # What the services used to see as one protocol is all there, method for method.
    assert {name for name in dir(MetaStore) if not name.startswith("_")} | {"name"} == set(seen)
    assert len(seen) > 40


def test_the_aggregates_stay_small() -> None:
    for protocol in AGGREGATES:
        assert 3 <= len(declared(protocol)) <= 16, protocol.__name__


async def test_each_adapter_is_every_store(meta: MetaStore) -> None:
    for protocol in AGGREGATES:
        assert isinstance(meta, protocol), f"{type(meta).__name__} is not a {protocol.__name__}"
        for name in declared(protocol):
            wanted = getattr(protocol, name, None)
            if inspect.iscoroutinefunction(wanted):
                assert inspect.iscoroutinefunction(getattr(meta, name)), f"{type(meta).__name__}.{name} is not async"
    assert isinstance(meta, MetaStore)
    assert meta.name in {"sqlite", "dynamodb"}
