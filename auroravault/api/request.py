"""The app's request class: JSON bodies too deeply nested are bad input, not a crash.

msgspec decodes JSON recursively and raises ``RecursionError`` past Python's recursion
limit (about 1,000 levels, i.e. a 2 kB body of brackets). Litestar turns only
``msgspec.DecodeError`` into a 400, so that error used to reach the handler as a 500.
Every JSON body of every endpoint goes through ``Request.json``, so this one override
answers 400 ``invalid_json`` for all of them.
"""

from __future__ import annotations

from typing import Any

from litestar import Request

from auroravault.errors import Invalid


class VaultRequest(Request[Any, Any, Any]):
    async def json(self) -> Any:
        try:
            return await super().json()
        except RecursionError:
            raise Invalid("invalid_json", "the JSON body is nested too deeply", status=400) from None
