"""The FamilyStore contract, on every MetaStore adapter (the ``meta`` fixture)."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from auroravault.errors import Conflict
from auroravault.ids import new_id
from auroravault.meta.base import MetaStore, User
from auroravault.meta.family_records import Family, FamilyMember, Invite
from auroravault.timeutil import utcnow
from tests.meta.test_contract import with_user


async def a_family(meta: MetaStore, owner: User, name: str = "Lovelace") -> Family:
    now = utcnow()
    family = Family(id=new_id("fa_"), name=name, owner_id=owner.id, created_at=now, updated_at=now)
    await meta.create_family(family, FamilyMember(family_id=family.id, user_id=owner.id, role="owner", joined_at=now))
    return family


def an_invite(family: Family, email: str, *, days: float = 7, by: str = "u") -> Invite:
    now = utcnow()
    return Invite(
        id=new_id("fi_"),
        family_id=family.id,
        email=email,
        role="member",
        invited_by=by,
        created_at=now,
        expires_at=now + timedelta(days=days),
    )


async def invited(meta: MetaStore, family: Family, email: str, token: str, **kw) -> Invite:
    invite = an_invite(family, email, **kw)
    await meta.create_invite(invite, utcnow())
    assert await meta.set_invite_token(invite.id, token)
    return invite


async def test_a_family_is_created_with_its_owner_and_read_back(meta: MetaStore) -> None:
    ada = await with_user(meta)
    family = await a_family(meta, ada)
    assert await meta.get_family(family.id) == family
    assert await meta.family_of(ada.id) == family
    [owner] = await meta.family_members(family.id)
    assert (owner.user_id, owner.role, owner.quota_bytes) == (ada.id, "owner", None)
    assert await meta.family_member(ada.id) == owner
    stranger = await with_user(meta, email="bob@example.com")
    assert await meta.family_of(stranger.id) is None and await meta.family_member(stranger.id) is None
    assert await meta.get_family("fa_nothing") is None


async def test_a_user_in_a_family_cannot_found_another(meta: MetaStore) -> None:
    ada = await with_user(meta)
    first = await a_family(meta, ada)
    with pytest.raises(Conflict) as exc:
        await a_family(meta, ada, name="Second")
    assert exc.value.code == "already_in_family"
    assert await meta.family_of(ada.id) == first


async def test_family_name_and_pooled_quota_are_set_and_cleared(meta: MetaStore) -> None:
    ada = await with_user(meta)
    family = await a_family(meta, ada)
    later = utcnow() + timedelta(seconds=1)
    changed = await meta.update_family(family.id, {"name": "Byron", "quota_bytes": 5000}, later)
    assert changed is not None and (changed.name, changed.quota_bytes, changed.updated_at) == ("Byron", 5000, later)
    cleared = await meta.update_family(family.id, {"quota_bytes": None}, later)
    assert cleared is not None and cleared.quota_bytes is None and cleared.name == "Byron"
    assert await meta.get_family(family.id) == cleared
    assert await meta.update_family("fa_nothing", {"name": "x"}, later) is None


async def test_an_invite_token_joins_once_with_its_role(meta: MetaStore) -> None:
    ada = await with_user(meta, email="ada@x.org")
    bob = await with_user(meta, email="bob@x.org")
    cy = await with_user(meta, email="cy@x.org")
    family = await a_family(meta, ada)
    invite = await invited(meta, family, "Bob@X.org", "hash-1")
    stored = await meta.get_invite(invite.id)
    assert stored is not None and stored.email == "bob@x.org" and stored.token_hash == "hash-1"
    assert [i.id for i in await meta.family_invites(family.id)] == [invite.id]
    assert await meta.find_invite("hash-1") == stored and await meta.find_invite("hash-2") is None
    joined = await meta.join_family("hash-1", bob.id, utcnow())
    assert isinstance(joined, FamilyMember) and (joined.family_id, joined.role) == (family.id, "member")
    assert [m.user_id for m in await meta.family_members(family.id)] == [ada.id, bob.id]
    assert await meta.family_of(bob.id) == family
    # single use: the invitation is gone
    assert await meta.join_family("hash-1", cy.id, utcnow()) == "invite_not_found"
    assert await meta.get_invite(invite.id) is None and await meta.family_invites(family.id) == []
    assert await meta.family_of(cy.id) is None
    assert await meta.join_family("never-made", cy.id, utcnow()) == "invite_not_found"


async def test_an_expired_invite_changes_nothing_and_can_be_replaced(meta: MetaStore) -> None:
    ada = await with_user(meta, email="ada@x.org")
    bob = await with_user(meta, email="bob@x.org")
    family = await a_family(meta, ada)
    old = await invited(meta, family, "bob@x.org", "hash-old", days=-1)
    assert await meta.join_family("hash-old", bob.id, utcnow()) == "invite_expired"
    assert await meta.family_of(bob.id) is None
    fresh = await invited(meta, family, "bob@x.org", "hash-new")  # the expired one is replaced
    assert [i.id for i in await meta.family_invites(family.id)] == [fresh.id]
    assert await meta.get_invite(old.id) is None
    assert await meta.join_family("hash-old", bob.id, utcnow()) == "invite_not_found"
    assert isinstance(await meta.join_family("hash-new", bob.id, utcnow()), FamilyMember)


async def test_one_pending_invite_per_email_and_family(meta: MetaStore) -> None:
    ada = await with_user(meta, email="ada@x.org")
    family = await a_family(meta, ada)
    await invited(meta, family, "bob@x.org", "h1")
    with pytest.raises(Conflict) as exc:
        await meta.create_invite(an_invite(family, "BOB@x.org"), utcnow())
    assert exc.value.code == "already_invited"
    assert len(await meta.family_invites(family.id)) == 1


async def test_a_new_token_replaces_the_old_and_revoking_ends_it(meta: MetaStore) -> None:
    ada = await with_user(meta, email="ada@x.org")
    bob = await with_user(meta, email="bob@x.org")
    family = await a_family(meta, ada)
    invite = await invited(meta, family, "bob@x.org", "first")
    assert await meta.set_invite_token(invite.id, "second")
    assert await meta.join_family("first", bob.id, utcnow()) == "invite_not_found"
    assert not await meta.delete_invite("fa_other", invite.id)  # not that family's
    assert await meta.delete_invite(family.id, invite.id)
    assert not await meta.delete_invite(family.id, invite.id)
    assert not await meta.set_invite_token(invite.id, "third")
    assert await meta.join_family("second", bob.id, utcnow()) == "invite_not_found"
    assert await meta.family_of(bob.id) is None


async def test_a_member_of_another_family_cannot_join(meta: MetaStore) -> None:
    ada = await with_user(meta, email="ada@x.org")
    bob = await with_user(meta, email="bob@x.org")
    family = await a_family(meta, ada)
    other = await a_family(meta, bob, name="Babbage")
    await invited(meta, family, "bob@x.org", "tok")
    with pytest.raises(Conflict) as exc:
        await meta.join_family("tok", bob.id, utcnow())
    assert exc.value.code == "already_in_family"
    assert await meta.family_of(bob.id) == other
    assert len(await meta.family_invites(family.id)) == 1  # nothing changed: still usable by someone else


async def test_two_racing_joins_with_one_token_let_one_in(meta: MetaStore) -> None:
    ada = await with_user(meta, email="ada@x.org")
    users = [await with_user(meta, email=f"u{n}@x.org") for n in range(4)]
    family = await a_family(meta, ada)
    await invited(meta, family, "u0@x.org", "shared")
    results = await asyncio.gather(*(meta.join_family("shared", u.id, utcnow()) for u in users))
    assert sum(isinstance(r, FamilyMember) for r in results) == 1
    assert len(await meta.family_members(family.id)) == 2


async def test_members_are_updated_and_removed(meta: MetaStore) -> None:
    ada = await with_user(meta, email="ada@x.org")
    bob = await with_user(meta, email="bob@x.org")
    family = await a_family(meta, ada)
    await invited(meta, family, "bob@x.org", "tok")
    await meta.join_family("tok", bob.id, utcnow())
    changed = await meta.update_member(family.id, bob.id, {"quota_bytes": 1234})
    assert changed is not None and changed.quota_bytes == 1234 and changed.role == "member"
    assert (await meta.family_member(bob.id)).quota_bytes == 1234
    assert (await meta.update_member(family.id, bob.id, {"quota_bytes": None})).quota_bytes is None
    assert await meta.update_member("fa_other", bob.id, {"quota_bytes": 1}) is None
    assert not await meta.remove_member("fa_other", bob.id)
    assert await meta.remove_member(family.id, bob.id)
    assert not await meta.remove_member(family.id, bob.id)
    assert await meta.family_of(bob.id) is None
    assert [m.user_id for m in await meta.family_members(family.id)] == [ada.id]
    await a_family(meta, bob, name="Own")  # free to found or join another now


async def test_deleting_a_family_frees_its_members_and_ends_its_invites(meta: MetaStore) -> None:
    ada = await with_user(meta, email="ada@x.org")
    bob = await with_user(meta, email="bob@x.org")
    family = await a_family(meta, ada)
    invite = await invited(meta, family, "bob@x.org", "tok")
    assert await meta.delete_family(family.id)
    assert not await meta.delete_family(family.id)
    assert await meta.get_family(family.id) is None and await meta.family_of(ada.id) is None
    assert await meta.family_members(family.id) == [] and await meta.get_invite(invite.id) is None
    assert await meta.join_family("tok", bob.id, utcnow()) == "invite_not_found"
    assert await meta.get_user(ada.id) is not None
    await a_family(meta, ada, name="Again")
