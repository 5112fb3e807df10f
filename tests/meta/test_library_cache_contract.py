"""``LibraryCache`` on each meta adapter's real change feed: an answer is kept while the
owner's feed has nothing new, computed again after any change (one written mid-computation
included), once for two requests at a time, and per owner."""

from __future__ import annotations

import asyncio

import msgspec

from auroravault.meta.base import MetaStore
from auroravault.services.library_cache import LibraryCache
from auroravault.timeutil import utcnow
from tests.meta.test_contract import SHA_A, SHA_B, arrived, with_user


async def test_an_answer_is_kept_until_the_owners_feed_moves(meta: MetaStore) -> None:
    ada, bob = await with_user(meta), await with_user(meta, email="bob@example.com")
    photo = await arrived(meta, ada, SHA_A)
    cache: LibraryCache[int] = LibraryCache(meta)
    runs = 0

    async def compute() -> int:
        nonlocal runs
        runs += 1
        await asyncio.sleep(0.05)  # two callers at once wait for one computation
        return runs

    assert await asyncio.gather(cache.get(ada.id, compute), cache.get(ada.id, compute)) == [1, 1]
    assert await cache.get(ada.id, compute) == 1 and runs == 1
    assert await cache.get(bob.id, compute) == 2  # another owner: their own answer
    await meta.save_processed_photo(msgspec.structs.replace(photo, status="ready"), "processing")
    assert await cache.get(ada.id, compute) == 3  # the feed moved: computed again
    assert await cache.get(ada.id, compute) == 3
    await meta.trash_photos(ada.id, [photo.id], utcnow())
    assert await cache.get(ada.id, compute) == 4
    assert await cache.get(bob.id, compute) == 2  # bob's library did not change

    # A change written while an answer is computed is seen by the next request.
    async def racing() -> int:
        await meta.restore_photos(ada.id, [photo.id], utcnow())
        return await compute()

    await meta.set_flags(ada.id, [photo.id], favorite=True, archived=None, now=utcnow())  # the feed moves
    assert await cache.get(ada.id, racing) == 5
    assert await cache.get(ada.id, compute) == 6


async def test_the_least_recently_used_owner_goes_first(meta: MetaStore) -> None:
    users = [await with_user(meta, email=f"u{n}@example.com") for n in range(3)]
    await arrived(meta, users[0], SHA_B)
    cache: LibraryCache[str] = LibraryCache(meta, max_owners=2)
    runs: list[str] = []

    def compute(owner: str):  # type: ignore[no-untyped-def]
        async def run() -> str:
            runs.append(owner)
            return owner

        return run

    for user in (users[0], users[1], users[0], users[2], users[0], users[1]):
        assert await cache.get(user.id, compute(user.id)) == user.id
    # users[1] was the least recently used when users[2] came, so it was computed again.
    assert runs == [users[0].id, users[1].id, users[2].id, users[1].id]
