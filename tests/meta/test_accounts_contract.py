"""The contract for the accounts work of issue 14 on every MetaStore adapter: profile and
notification switches, disabled accounts, the session list, the user list, and the rule that
a server that has an admin never loses its last one (``UserAdminStore``)."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import msgspec
import pytest

from auroravault.errors import Conflict
from auroravault.meta.base import MetaStore, Session
from auroravault.timeutil import utcnow
from tests.meta.test_contract import a_user, with_user


async def test_profile_fields_and_switches_persist(meta: MetaStore) -> None:
    user = await with_user(meta)
    fresh = await meta.get_user(user.id)
    assert fresh is not None
    assert (fresh.disabled, fresh.notify_album_shared, fresh.notify_album_photos) == (False, True, True)
    got = await meta.update_user(user.id, display_name="Ada L.", notify_album_photos=False)
    assert got is not None and got.display_name == "Ada L." and got.notify_album_photos is False
    assert got.notify_album_shared is True
    stored = await meta.get_user(user.id)
    assert stored == got
    again = await meta.update_user(user.id, notify_album_shared=False)
    assert again is not None and again.display_name == "Ada L." and not again.notify_album_shared
    assert await meta.update_user("u_nobody", display_name="X") is None
    assert await meta.get_user("u_nobody") is None


async def test_a_user_created_with_flags_reads_back_with_them(meta: MetaStore) -> None:
    user = msgspec.structs.replace(a_user(), disabled=True, notify_album_shared=False)
    await meta.create_user(user)
    got = await meta.get_user(user.id)
    assert got is not None and got.disabled and not got.notify_album_shared and got.notify_album_photos


async def test_sessions_are_listed_with_where_they_came_from_and_all_but_one_end(meta: MetaStore) -> None:
    user, other = await with_user(meta), await with_user(meta, email="bob@example.com")
    now = utcnow()
    for i, name in enumerate(("one", "two", "three")):
        await meta.create_session(
            Session(
                token_hash=name,
                user_id=user.id,
                created_at=now + timedelta(seconds=i),
                expires_at=now + timedelta(days=1),
                user_agent=f"Browser {i}" if i else None,
                ip="192.0.2.7" if i else None,
            )
        )
    await meta.create_session(
        Session(token_hash="bobs", user_id=other.id, created_at=now, expires_at=now + timedelta(days=1))
    )
    listed = await meta.list_user_sessions(user.id)
    assert [s.token_hash for s in listed] == ["one", "two", "three"]
    assert (listed[0].user_agent, listed[0].ip) == (None, None)
    assert (listed[2].user_agent, listed[2].ip) == ("Browser 2", "192.0.2.7")
    assert (await meta.get_session("two")).user_agent == "Browser 1"

    await meta.delete_user_sessions(user.id, keep="two")
    assert [s.token_hash for s in await meta.list_user_sessions(user.id)] == ["two"]
    assert await meta.get_session("one") is None and await meta.get_session("three") is None
    assert await meta.get_session("two") is not None and await meta.get_session("bobs") is not None
    await meta.delete_session("two")
    assert await meta.list_user_sessions(user.id) == []
    assert [s.token_hash for s in await meta.list_user_sessions(other.id)] == ["bobs"]


async def test_users_are_listed_whole_in_id_order_page_by_page(meta: MetaStore) -> None:
    assert await meta.list_users(None, 10) == []
    users = [await with_user(meta, email=f"m{i}@example.com") for i in range(5)]
    await meta.set_user_flags(users[1].id, quota_bytes=123)
    expected = sorted(users, key=lambda u: u.id)
    first = await meta.list_users(None, 3)
    rest = await meta.list_users(first[-1].id, 3)
    assert [u.id for u in first + rest] == [u.id for u in expected] and len(rest) == 2
    by_id = {u.id: u for u in first + rest}
    assert by_id[users[1].id].quota_bytes == 123 and by_id[users[0].id].email == "m0@example.com"


async def test_admin_sets_quota_disabled_and_admin_in_one_step(meta: MetaStore) -> None:
    user = await with_user(meta)
    got = await meta.set_user_flags(user.id, quota_bytes=5_000, disabled=True)
    assert got is not None and got.quota_bytes == 5_000 and got.disabled and not got.is_admin
    assert await meta.get_user(user.id) == got
    enabled = await meta.set_user_flags(user.id, disabled=False, is_admin=True)
    assert enabled is not None and not enabled.disabled and enabled.is_admin and enabled.quota_bytes == 5_000
    assert await meta.set_user_flags("u_nobody", disabled=True) is None


async def test_the_last_active_admin_cannot_be_demoted_or_disabled(meta: MetaStore) -> None:
    root = await with_user(meta, email="root@example.com")
    assert await meta.set_user_flags(root.id, is_admin=True) is not None
    for change in ({"is_admin": False}, {"disabled": True}, {"is_admin": False, "quota_bytes": 1}):
        with pytest.raises(Conflict) as exc:
            await meta.set_user_flags(root.id, **change)
        assert exc.value.code == "last_admin"
        got = await meta.get_user(root.id)
        assert got is not None and got.is_admin and not got.disabled and got.quota_bytes == 10_000
    # With a second admin, either may go, but not both.
    other = await with_user(meta, email="other@example.com")
    await meta.set_user_flags(other.id, is_admin=True)
    assert (await meta.set_user_flags(root.id, disabled=True)).disabled
    with pytest.raises(Conflict):
        await meta.set_user_flags(other.id, is_admin=False)
    # A disabled admin does not count: enabling them makes them count again.
    assert not (await meta.set_user_flags(root.id, disabled=False)).disabled
    assert not (await meta.set_user_flags(other.id, is_admin=False)).is_admin


async def test_an_admin_created_as_such_counts(meta: MetaStore) -> None:
    root = msgspec.structs.replace(a_user(email="root@example.com"), is_admin=True)
    await meta.create_user(root)
    with pytest.raises(Conflict):
        await meta.set_user_flags(root.id, is_admin=False)
    late = await with_user(meta, email="late@example.com")
    assert await meta.claim_first_admin(late.id) is False
    assert not (await meta.get_user(late.id)).is_admin


async def test_the_first_admin_is_claimed_once(meta: MetaStore) -> None:
    users = [await with_user(meta, email=f"first{i}@example.com") for i in range(4)]
    won = await asyncio.gather(*(meta.claim_first_admin(u.id) for u in users))
    assert sum(won) == 1
    admins = [u.id for u in users if (await meta.get_user(u.id)).is_admin]
    assert admins == [u.id for u, w in zip(users, won, strict=True) if w]
    assert await meta.claim_first_admin(users[0].id) is False
    with pytest.raises(Conflict):
        await meta.set_user_flags(admins[0], disabled=True)


async def test_no_claim_for_a_disabled_account_or_nobody(meta: MetaStore) -> None:
    user = await with_user(meta)
    await meta.set_user_flags(user.id, disabled=True)
    assert await meta.claim_first_admin(user.id) is False
    assert await meta.claim_first_admin("u_nobody") is False
    fresh = await with_user(meta, email="fresh@example.com")
    assert await meta.claim_first_admin(fresh.id) is True
