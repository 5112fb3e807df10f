"""People with real faces: found across photos, kept apart, named, merged, hidden, re-clustered."""

from __future__ import annotations

import pytest
from PIL import Image

from auroravault.config import FaceSettings
from auroravault.errors import Conflict, Invalid, NotFound
from auroravault.services.people import PeopleService
from tests.faces.conftest import VARIANTS, Library, astronaut, hopper


def only(people: list[str | None]) -> str:
    assert len(people) == 1 and people[0] is not None, people
    return people[0]


async def test_one_person_is_found_across_sizes_crops_rotations_and_lighting(library: Library) -> None:
    found = set()
    for transform in VARIANTS.values():
        photo = await library.add(transform(hopper()))
        found.add(only(await library.tag(photo)))
    assert len(found) == 1
    (person,) = await library.service.people(library.owner.id)
    assert person.face_count == len(VARIANTS) and person.name is None
    assert len(await library.service.person_photo_ids(library.owner.id, person.id)) == len(VARIANTS)


async def test_two_people_are_kept_apart_and_a_photo_without_a_face_has_none(library: Library) -> None:
    grace = {only(await library.tag(await library.add(VARIANTS[v](hopper())))) for v in ("as_is", "dark", "mirrored")}
    eileen = set()
    for v in ("as_is", "smaller", "bright"):
        people = await library.tag(await library.add(VARIANTS[v](astronaut())))
        eileen.add(only(people))
    assert len(grace) == 1 and len(eileen) == 1 and grace != eileen
    with Image.open("tests/data/photos/flower.jpg") as flower:
        nobody = await library.add(flower.convert("RGB"))
    assert await library.tag(nobody) == []
    assert await library.meta.photo_faces(library.owner.id, nobody) == []
    assert sorted(p.face_count for p in await library.service.people(library.owner.id)) == [3, 3]


async def test_side_by_side_faces_in_one_photo_are_two_people(library: Library) -> None:
    both = Image.new("RGB", (1100, 560), "white")
    both.paste(astronaut(), (0, 24))
    both.paste(hopper().resize((384, 384)), (640, 88))
    first, second = await library.tag(await library.add(both))
    assert first is not None and second is not None and first != second
    # Alone, each is filed under the same person as in the pair.
    assert await library.tag(await library.add(VARIANTS["bright"](hopper()))) == [second]
    assert await library.tag(await library.add(VARIANTS["smaller"](astronaut()))) == [first]


async def test_tagging_again_is_idempotent(library: Library) -> None:
    photo = await library.add(VARIANTS["bigger"](hopper()))
    await library.tag(photo)
    first = await library.meta.photo_faces(library.owner.id, photo)
    assert len(first) == 1
    assert await library.tag(photo) == [f.person_id for f in first]
    assert [f.id for f in await library.meta.photo_faces(library.owner.id, photo)] == [f.id for f in first]
    assert len(await library.service.people(library.owner.id)) == 1


async def test_names_hides_and_merges_survive_reclustering(library: Library) -> None:
    owner = library.owner.id
    grace = [only(await library.tag(await library.add(VARIANTS[v](hopper())))) for v in ("as_is", "bigger", "dark")]
    eileen = only(await library.tag(await library.add(astronaut())))
    await library.service.update(owner, grace[0], {"name": "  Grace Hopper "})
    await library.service.update(owner, eileen, {"hidden": True})
    assert await library.service.recluster(owner) == 0  # nothing to move: ids, names and hides kept
    views = {v.id: v for v in await library.service.people(owner)}
    assert views[grace[0]].name == "Grace Hopper" and views[grace[0]].face_count == 3
    assert views[eileen].hidden and [v.id for v in await library.service.people(owner, include_hidden=False)] == [
        grace[0]
    ]
    assert [v.id for v in await library.service.find(owner, "hopper")] == [grace[0]]
    assert await library.service.find(owner, "lovelace") == []

    # A user merges the two (wrongly, but it is theirs to decide): re-clustering keeps it.
    merged = await library.service.merge(owner, grace[0], [eileen])
    assert merged.name == "Grace Hopper"
    await library.service.recluster(owner)
    (only_one,) = await library.service.people(owner)
    assert only_one.id == grace[0] and only_one.face_count == 4
    with pytest.raises(NotFound):
        await library.service.update(owner, eileen, {"name": "Eileen"})


async def test_an_unassigned_face_stays_out_after_reclustering(library: Library) -> None:
    owner = library.owner.id
    photos = [await library.add(VARIANTS[v](hopper())) for v in ("as_is", "bright", "tilted")]
    for photo in photos:
        await library.tag(photo)
    (face,) = await library.meta.photo_faces(owner, photos[0])
    await library.service.unassign(owner, photos[0], face.id)
    await library.service.recluster(owner)
    assert [f.person_id for f in await library.meta.photo_faces(owner, photos[0])] == [None]
    (person,) = await library.service.people(owner)
    assert person.face_count == 2


async def test_bad_edits_are_refused_and_change_nothing(library: Library) -> None:
    owner = library.owner.id
    person = only(await library.tag(await library.add(hopper().resize((256, 256)))))
    with pytest.raises(Invalid) as err:
        await library.service.update(owner, person, {"name": "x" * 201})
    assert err.value.code == "person_name_invalid"
    with pytest.raises(Invalid):
        await library.service.update(owner, person, {"owner_id": "u_other"})
    with pytest.raises(NotFound):
        await library.service.update("u_other", person, {"name": "Mine now"})
    (view,) = await library.service.people(owner)
    assert view.name is None and not view.hidden


async def test_without_a_model_the_feature_is_off_with_a_plain_message(library: Library) -> None:
    off = PeopleService(library.meta, None, library.service.pool, FaceSettings())
    disabled = PeopleService(library.meta, library.service.model, library.service.pool, FaceSettings(enabled=False))
    photo = await library.add(hopper())
    for service in (off, disabled):
        assert not service.available
        with pytest.raises(Conflict) as err:
            await service.tag_photo(library.owner.id, photo, next(library.folder.glob(f"{photo}.*")))
        assert err.value.code == "faces_unavailable" and "auroravault[faces]" in err.value.detail
    assert await library.meta.photo_faces(library.owner.id, photo) == []
