"""Each person's mean embedding is kept on the person: filing a face reads the people, not
every face. It follows each face filed, is filled in anew after a merge or an unassign, and
for people from before it was kept; and it files faces as the faces themselves would."""

from __future__ import annotations

import numpy as np

from auroravault.timeutil import utcnow
from tests.faces.conftest import VARIANTS, Library, astronaut, hopper


async def _means_match_the_faces(library: Library) -> dict[str, int]:
    """Every person's stored mean is the mean of their faces; their face counts."""
    owner = library.owner.id
    faces = await library.meta.owner_faces(owner)
    counts: dict[str, int] = {}
    for person in await library.meta.list_people(owner):
        mine = [f.embedding for f in faces if f.person_id == person.id]
        if not mine:
            continue
        assert person.centroid is not None and person.centroid_faces == len(mine), person
        assert np.allclose(person.centroid, np.mean(mine, axis=0), atol=1e-9)
        counts[person.id] = len(mine)
    return counts


async def test_the_kept_means_follow_every_face_filed_merge_and_unassign(library: Library) -> None:
    owner = library.owner.id
    grace = [await library.add(VARIANTS[v](hopper())) for v in ("as_is", "dark", "mirrored", "bigger")]
    for photo in grace:
        await library.tag(photo)
    eileen = await library.add(astronaut())
    (eileen_id,) = await library.tag(eileen)
    assert sorted((await _means_match_the_faces(library)).values()) == [1, 4]

    (grace_id,) = {f.person_id for g in grace for f in await library.meta.photo_faces(owner, g)}
    assert grace_id is not None and eileen_id is not None
    await library.service.merge(owner, grace_id, [eileen_id])
    assert (await library.meta.get_person(owner, grace_id)).centroid is None  # type: ignore[union-attr]
    (face,) = await library.meta.photo_faces(owner, grace[0])
    await library.service.unassign(owner, grace[0], face.id)

    # The next photo fills the means in anew from the faces, then joins Grace.
    assert await library.tag(await library.add(VARIANTS["bright"](hopper()))) == [grace_id]
    assert await _means_match_the_faces(library) == {grace_id: 5}  # 4 + Eileen's - unassigned + this


async def test_people_from_before_the_means_were_kept_get_them_at_the_next_photo(library: Library) -> None:
    owner = library.owner.id
    first = [await library.add(VARIANTS[v](hopper())) for v in ("as_is", "tilted")]
    for photo in first:
        await library.tag(photo)
    (person,) = await library.meta.list_people(owner)
    await library.meta.update_person(owner, person.id, {"centroid": None, "centroid_faces": 0}, utcnow())
    assert await library.tag(await library.add(VARIANTS["smaller"](hopper()))) == [person.id]
    assert await _means_match_the_faces(library) == {person.id: 3}
