"""The PeopleStore contract, on every MetaStore adapter (the ``meta`` fixture)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from auroravault.ids import new_id
from auroravault.meta.base import MetaStore, User
from auroravault.meta.protocols.people import Face, FaceRef, Person
from auroravault.timeutil import utcnow
from tests.meta.test_contract import a_batch, photo_and_upload, with_user


async def photos_of(meta: MetaStore, user: User, count: int) -> list[str]:
    batch = a_batch(user)
    pairs = [photo_and_upload(user, batch, f"{user.id}{i}".ljust(64, "0")[:64], index=i) for i in range(count)]
    await meta.create_uploads(batch, [p for p, _ in pairs], [u for _, u in pairs], 100 * count)
    return [p.id for p, _ in pairs]


def a_face(user: User, photo_id: str, seq: int, x: float = 0.1, **kw) -> Face:
    return Face(
        id=new_id("fc_"),
        owner_id=user.id,
        photo_id=photo_id,
        seq=seq,
        box=[x, 0.2, 0.25, 0.3],
        score=0.5 + seq / 10,
        embedding=[0.125 * i - 1.0 for i in range(16)],
        created_at=utcnow(),
        **kw,
    )


def a_person(user: User, ago: int = 0, **kw) -> Person:
    at = utcnow() - timedelta(seconds=ago)
    return Person(id=new_id("pe_"), owner_id=user.id, created_at=at, updated_at=at, **kw)


async def test_a_photos_faces_are_replaced_whole_and_kept_per_photo(meta: MetaStore) -> None:
    ada = await with_user(meta, quota=10**6)
    one, two = await photos_of(meta, ada, 2)
    first = [a_face(ada, one, 0), a_face(ada, one, 1, x=0.6), a_face(ada, one, 2, x=0.8)]
    await meta.replace_photo_faces(ada.id, one, first)
    await meta.replace_photo_faces(ada.id, two, [a_face(ada, two, 0)])
    assert await meta.photo_faces(ada.id, one) == first
    again = [a_face(ada, one, 0, x=0.3)]  # detection ran again and found one face
    await meta.replace_photo_faces(ada.id, one, again)
    assert await meta.photo_faces(ada.id, one) == again
    assert {f.photo_id for f in await meta.owner_faces(ada.id)} == {one, two}
    await meta.replace_photo_faces(ada.id, two, [])
    assert await meta.photo_faces(ada.id, two) == []
    assert [f.id for f in await meta.owner_faces(ada.id)] == [again[0].id]


async def test_faces_are_assigned_and_pinned_but_gone_faces_stay_gone(meta: MetaStore) -> None:
    ada = await with_user(meta, quota=10**6)
    (photo,) = await photos_of(meta, ada, 1)
    faces = [a_face(ada, photo, 0), a_face(ada, photo, 1)]
    await meta.replace_photo_faces(ada.id, photo, faces)
    person = a_person(ada)
    await meta.put_person(person)
    faces[0].person_id, faces[0].pinned = person.id, True
    ghost = a_face(ada, photo, 7)
    ghost.person_id = person.id
    await meta.update_faces([faces[0], ghost])
    stored = await meta.photo_faces(ada.id, photo)
    assert [(f.person_id, f.pinned) for f in stored] == [(person.id, True), (None, False)]
    assert stored[0].embedding == faces[0].embedding  # the rest of the record is untouched
    faces[0].person_id, faces[0].pinned = None, True  # unassigned by hand
    await meta.update_faces([faces[0]])
    first = (await meta.photo_faces(ada.id, photo))[0]
    assert (first.person_id, first.pinned) == (None, True)


async def test_face_refs_are_the_owners_faces_without_embeddings_in_the_same_order(meta: MetaStore) -> None:
    ada, bob = await with_user(meta, quota=10**6), await with_user(meta, email="bob@example.com", quota=10**6)
    one, two = await photos_of(meta, ada, 2)
    (theirs,) = await photos_of(meta, bob, 1)
    await meta.replace_photo_faces(ada.id, one, [a_face(ada, one, 0), a_face(ada, one, 1, x=0.6)])
    await meta.replace_photo_faces(ada.id, two, [a_face(ada, two, 0)])
    await meta.replace_photo_faces(bob.id, theirs, [a_face(bob, theirs, 0)])
    person = a_person(ada)
    await meta.put_person(person)
    named = (await meta.photo_faces(ada.id, two))[0]
    named.person_id = person.id
    await meta.update_faces([named])
    refs = await meta.owner_face_refs(ada.id)
    assert all(isinstance(r, FaceRef) for r in refs)
    assert refs == [
        FaceRef(id=f.id, photo_id=f.photo_id, score=f.score, person_id=f.person_id)
        for f in await meta.owner_faces(ada.id)
    ]
    assert len(refs) == 3 and [r.person_id for r in refs if r.photo_id == two] == [person.id]
    assert [r.photo_id for r in await meta.owner_face_refs(bob.id)] == [theirs]


async def test_people_are_per_owner_renamed_hidden_and_deleted(meta: MetaStore) -> None:
    ada = await with_user(meta)
    bob = await with_user(meta, email="bob@example.com")
    older, newer = a_person(ada, ago=60), a_person(ada, ago=5, name="Grace")
    for person in (newer, older, a_person(bob)):
        await meta.put_person(person)
    assert [p.id for p in await meta.list_people(ada.id)] == [older.id, newer.id]
    assert await meta.get_person(bob.id, older.id) is None  # not bob's
    later = utcnow()
    renamed = await meta.update_person(ada.id, older.id, {"name": "Ada L.", "hidden": True}, later)
    assert renamed is not None and renamed.name == "Ada L." and renamed.hidden and renamed.updated_at == later
    assert await meta.get_person(ada.id, older.id) == renamed
    cleared = await meta.update_person(ada.id, older.id, {"name": None}, later)
    assert cleared is not None and cleared.name is None and cleared.hidden
    # The mean embedding the service keeps comes back exactly; None clears it, [] is kept.
    mean = [0.125, -0.3333333333333333, 1e-07] + [0.0] * 125
    kept = await meta.update_person(ada.id, older.id, {"centroid": mean, "centroid_faces": 3}, later)
    assert kept is not None and kept.centroid == mean and kept.centroid_faces == 3 and kept.name is None
    assert (await meta.get_person(ada.id, older.id)).centroid == mean  # type: ignore[union-attr]
    assert [p.centroid for p in await meta.list_people(ada.id) if p.id == older.id] == [mean]
    emptied = await meta.update_person(ada.id, older.id, {"centroid": []}, later)
    assert emptied is not None and emptied.centroid == [] and emptied.centroid_faces == 3
    gone = await meta.update_person(ada.id, older.id, {"centroid": None}, later)
    assert gone is not None and gone.centroid is None and (await meta.get_person(ada.id, older.id)).centroid is None  # type: ignore[union-attr]
    with pytest.raises(ValueError):
        await meta.update_person(ada.id, older.id, {"owner_id": bob.id}, later)
    assert await meta.update_person(bob.id, older.id, {"name": "x"}, later) is None
    assert await meta.delete_person(bob.id, older.id) is False
    assert await meta.delete_person(ada.id, older.id) is True
    assert await meta.delete_person(ada.id, older.id) is False
    assert [p.id for p in await meta.list_people(ada.id)] == [newer.id]
