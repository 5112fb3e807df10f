"""Password hashing with argon2id (argon2-cffi's current defaults), off the event loop.

Every argon2 call goes through ``_off_loop``, the one place that decides where the
blocking work runs: the app's bounded ``passwords`` pool (``[workers] passwords``), or
asyncio's default pool when none is given, so a login never stalls the event loop and a
slow storage backend can never starve it of threads.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from concurrent.futures import Executor
from typing import TypeVar

import msgspec
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from auroravault.executors import run_in

T = TypeVar("T")

_hasher = PasswordHasher()


class Verdict(msgspec.Struct, frozen=True):
    ok: bool
    #: The stored hash was made with other argon2 parameters than today's: store a new one.
    needs_rehash: bool = False


async def _off_loop(executor: Executor | None, fn: Callable[..., T], *args: object) -> T:
    return await run_in(executor, fn, *args)


@functools.cache
def _dummy_hash() -> str:
    # An argon2 hash of a random password: verified against when the email is unknown,
    # so a login for a missing account costs the same time as a wrong password.
    return _hasher.hash("auroravault-no-such-user")


def _verify(password_hash: str | None, password: str) -> Verdict:
    try:
        _hasher.verify(password_hash or _dummy_hash(), password)
    except (VerificationError, InvalidHashError):
        return Verdict(ok=False)
    if password_hash is None:
        return Verdict(ok=False)
    return Verdict(ok=True, needs_rehash=_hasher.check_needs_rehash(password_hash))


async def hash_password(password: str, executor: Executor | None = None) -> str:
    return await _off_loop(executor, _hasher.hash, password)


async def verify_password(password_hash: str | None, password: str, executor: Executor | None = None) -> Verdict:
    """Check ``password`` against a stored hash (None: no such account, still costs one verify)."""
    return await _off_loop(executor, _verify, password_hash, password)
