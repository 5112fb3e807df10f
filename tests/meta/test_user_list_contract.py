"""The contract for ``AccountStore.list_user_ids`` on every MetaStore adapter: every user,
once, in id order, page by page (the start-up places pass walks the vaults with it)."""

from __future__ import annotations

from auroravault.meta.base import MetaStore
from tests.meta.test_contract import with_user


async def test_every_user_is_listed_once_in_id_order_page_by_page(meta: MetaStore) -> None:
    assert await meta.list_user_ids(None, 10) == []
    users = [await with_user(meta, email=f"member{i}@example.com") for i in range(7)]
    expected = sorted(user.id for user in users)
    assert await meta.list_user_ids(None, 100) == expected
    pages: list[list[str]] = []
    after = None
    while True:
        page = await meta.list_user_ids(after, 3)
        pages.append(page)
        if len(page) < 3:
            break
        after = page[-1]
    assert [len(page) for page in pages] == [3, 3, 1]
    assert [user_id for page in pages for user_id in page] == expected
    assert await meta.list_user_ids(expected[-1], 3) == []
    assert await meta.list_user_ids(expected[2], 2) == expected[3:5]
