"""Search by person over HTTP (issue 18), on both meta adapters: ``person=``, people's names
in ``q``, ``field=person`` suggestions, and the 422 where face recognition is off.

Ada's photos are real JPEGs uploaded and processed (``test_search._library``); their faces
are filed through the meta store (``replace_photo_faces``, ``put_person``), as the face job
would after the model ran, and the people are named and hidden through the API, as users do.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import msgspec
import pytest

from auroravault.app import create_app
from auroravault.ids import new_id
from auroravault.meta.protocols.people import Face, Person
from auroravault.timeutil import utcnow
from tests.api.helpers import auth, register
from tests.api.sharing_helpers import Person as Account
from tests.api.sharing_helpers import partner
from tests.api.test_job_outcomes import settings_for
from tests.api.test_search import _library, _search
from tests.asgi import AppClient, app_client


@pytest.fixture(params=["sqlite", "dynamodb"])
async def client(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[AppClient]:
    async with app_client(create_app(settings_for(request.param, tmp_path, request))) as c:
        yield c


async def user_id(client: AppClient, token: str) -> str:
    resp = await client.get("/api/v1/users/me", headers=auth(token))
    assert resp.status_code == 200, resp.text
    found: str = resp.json()["id"]
    return found


async def a_person(client: AppClient, token: str, photo_ids: list[str], name: str | None = None, **changes) -> str:
    """A person of the token's user in each of ``photo_ids`` (one face a photo, added to the
    photo's faces), named and hidden through ``PATCH /people/{id}``."""
    meta = client.app.state.services.meta
    owner = await user_id(client, token)
    now = utcnow()
    person = Person(id=new_id("pe_"), owner_id=owner, created_at=now, updated_at=now)
    await meta.put_person(person)
    for photo_id in photo_ids:
        faces = await meta.photo_faces(owner, photo_id)
        face = Face(
            id=new_id("fc_"),
            owner_id=owner,
            photo_id=photo_id,
            seq=len(faces),
            box=[0.1 + 0.2 * len(faces), 0.2, 0.15, 0.2],
            score=0.9,
            embedding=[0.01 * i for i in range(128)],
            person_id=person.id,
            created_at=now,
        )
        await meta.replace_photo_faces(owner, photo_id, [*faces, face])
    body = ({"name": name} if name is not None else {}) | changes
    if body:
        resp = await client.patch(f"/api/v1/people/{person.id}", json=body, headers=auth(token))
        assert resp.status_code == 200, resp.text
    return person.id


async def suggested(client: AppClient, token: str, query: str) -> list[tuple[str, int]]:
    resp = await client.get(f"/api/v1/search/suggestions?field=person&{query}", headers=auth(token))
    assert resp.status_code == 200, resp.text
    return [(v["value"], v["count"]) for v in resp.json()["values"]]


async def test_person_by_id_or_name_finds_exactly_their_photos(client, tmp_path) -> None:
    token, ids = await _library(client, tmp_path)
    tallinn, lisbon, porto, garden = (ids[n] for n in ids)
    grace = await a_person(client, token, [tallinn, porto], "Grace Hopper")
    await a_person(client, token, [lisbon, porto], "Eileen Collins")
    await a_person(client, token, [garden], "Edsger", hidden=True)
    nameless = await a_person(client, token, [lisbon])
    assert await _search(client, token, f"person={grace}") == [porto, tallinn]
    assert await _search(client, token, "person=grace") == [porto, tallinn]
    assert await _search(client, token, "person=HOPPER") == [porto, tallinn]  # any part, any case
    assert await _search(client, token, "person=collins") == [porto, lisbon]
    assert await _search(client, token, "person=edsger") == [garden]  # hidden: still found by their owner
    assert await _search(client, token, f"person={nameless}") == [lisbon]  # an unnamed person by id
    assert await _search(client, token, "person=e") == [garden, porto, lisbon, tallinn]  # every name with an e
    assert await _search(client, token, "person=nobody") == []  # unknown: nothing, not an error
    assert await _search(client, token, f"person={grace}&city=porto") == [porto]  # with the other filters
    assert await _search(client, token, "person=grace&q=old") == [tallinn]
    assert await _search(client, token, f"person={grace}&to=2020-01-01") == [tallinn]
    await client.post("/api/v1/photos/trash", json={"ids": [porto]}, headers=auth(token))
    assert await _search(client, token, "person=grace") == [tallinn]  # trashed: never


async def test_words_of_q_match_peoples_names_and_every_word_must_hold(client, tmp_path) -> None:
    token, ids = await _library(client, tmp_path)
    tallinn, lisbon, porto, garden = (ids[n] for n in ids)
    await a_person(client, token, [tallinn, porto], "Grace Hopper")
    await a_person(client, token, [lisbon], "Eileen Collins")
    await a_person(client, token, [garden], "Edsger", hidden=True)
    assert await _search(client, token, "q=grace") == [porto, tallinn]
    assert await _search(client, token, "q=Hop") == [porto, tallinn]  # the start of any word of the name
    assert await _search(client, token, "q=race") == []  # not the start of a word
    assert await _search(client, token, "q=grace%20old") == [tallinn]  # a filename word and a name
    assert await _search(client, token, "q=eileen%20portugal") == [lisbon]  # a name and a place
    assert await _search(client, token, "q=grace%20lisbon") == []  # both must hold
    assert await _search(client, token, "q=edsger") == [garden]  # hidden: the owner still finds them
    assert await _search(client, token, "q=portugal") == [porto, lisbon]  # text alone as before
    resp = await client.post("/api/v1/albums", json={"name": "Harbour days", "photo_ids": [porto]}, headers=auth(token))
    assert resp.status_code == 201, resp.text
    assert await _search(client, token, "q=harbour%20grace") == [porto]  # an album word and a name


async def test_nobody_finds_anything_through_anothers_people(client, tmp_path) -> None:
    token, ids = await _library(client, tmp_path)
    grace = await a_person(client, token, [ids["tallinn_old_town.jpg"]], "Grace")
    bob, bob_ids = await _library(client, tmp_path, email="bob@example.com")
    his = await a_person(client, bob, [bob_ids["garden.jpg"]], "Grace")
    assert await _search(client, bob, f"person={grace}") == []  # Ada's person id reveals nothing to Bob
    assert await _search(client, token, f"person={his}") == []
    assert await _search(client, bob, "person=grace") == [bob_ids["garden.jpg"]]  # his own Grace only
    assert await _search(client, bob, "q=grace") == [bob_ids["garden.jpg"]]
    assert await _search(client, token, "q=grace") == [ids["tallinn_old_town.jpg"]]
    assert await suggested(client, bob, "prefix=gr") == [("Grace", 1)]


async def test_a_partners_people_are_searched_in_their_library_but_not_their_hidden_ones(client, tmp_path) -> None:
    ada_token, ada_ids = await _library(client, tmp_path)
    bob_token, bob_ids = await _library(client, tmp_path, email="bob@example.com")
    ada = Account(ada_token, await user_id(client, ada_token), "Ada")
    bob = Account(bob_token, await user_id(client, bob_token), "Bob")
    await partner(client, ada, bob, in_timeline=True)  # Bob's searches cover Ada's library too
    grace = await a_person(client, ada_token, [ada_ids["porto_bridge.jpg"]], "Grace")
    await a_person(client, ada_token, [ada_ids["garden.jpg"]], "Edsger", hidden=True)
    await a_person(client, bob_token, [bob_ids["lisbon_tram.jpg"]], "Grace")
    assert await _search(client, bob_token, "q=grace") == [ada_ids["porto_bridge.jpg"], bob_ids["lisbon_tram.jpg"]]
    assert await _search(client, bob_token, f"person={grace}") == [ada_ids["porto_bridge.jpg"]]
    assert await _search(client, bob_token, "person=edsger") == []  # hidden by Ada: not for others
    assert await _search(client, bob_token, "q=edsger") == []
    assert await _search(client, ada_token, "q=edsger") == [ada_ids["garden.jpg"]]
    assert await suggested(client, bob_token, "") == [("Grace", 1)]  # suggestions: his own people


async def test_person_suggestions_count_photos_most_first_and_leave_out_hidden_and_unnamed(client, tmp_path) -> None:
    token, ids = await _library(client, tmp_path)
    tallinn, lisbon, porto, garden = (ids[n] for n in ids)
    await a_person(client, token, [tallinn, porto, garden], "Grace Hopper")
    await a_person(client, token, [lisbon, porto], "Eileen Collins")
    await a_person(client, token, [garden], "Ada Lovelace", hidden=True)
    await a_person(client, token, [lisbon, porto, tallinn, garden])  # nobody named them
    assert await suggested(client, token, "") == [("Grace Hopper", 3), ("Eileen Collins", 2)]
    assert await suggested(client, token, "prefix=hop") == [("Grace Hopper", 3)]  # any word of the name
    assert await suggested(client, token, "prefix=Eileen%20C") == [("Eileen Collins", 2)]
    assert await suggested(client, token, "prefix=ada") == []  # hidden
    assert await suggested(client, token, "prefix=race") == []
    assert await suggested(client, token, "limit=1") == [("Grace Hopper", 3)]
    await client.post("/api/v1/photos/trash", json={"ids": [tallinn, garden]}, headers=auth(token))
    assert await suggested(client, token, "") == [("Eileen Collins", 2), ("Grace Hopper", 1)]  # listed photos


async def test_with_face_recognition_off_person_search_is_a_problem_and_q_still_works(
    request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    settings = settings_for("sqlite", tmp_path, request)
    settings = msgspec.structs.replace(settings, faces=msgspec.structs.replace(settings.faces, enabled=False))
    async with app_client(create_app(settings)) as off:
        token, ids = await _library(off, tmp_path)
        meta = off.app.state.services.meta
        owner = await user_id(off, token)
        now = utcnow()  # people filed while faces were on, before the server turned them off
        await meta.put_person(Person(id="pe_grace", owner_id=owner, name="Grace", created_at=now, updated_at=now))
        face = Face(
            id="fc_1",
            owner_id=owner,
            photo_id=ids["garden.jpg"],
            seq=0,
            box=[0.1, 0.1, 0.2, 0.2],
            score=0.9,
            embedding=[0.0] * 128,
            person_id="pe_grace",
            created_at=now,
        )
        await meta.replace_photo_faces(owner, ids["garden.jpg"], [face])
        for path in ("/search?person=pe_grace", "/search?person=grace&q=garden", "/search/suggestions?field=person"):
            resp = await off.get(f"/api/v1{path}", headers=auth(token))
            assert resp.status_code == 422, resp.text
            assert resp.headers["content-type"].startswith("application/problem+json")
            assert resp.json()["code"] == "person_search_unavailable"
            assert "face recognition" in resp.json()["detail"] and "off" in resp.json()["detail"]
        assert await _search(off, token, "q=garden") == [ids["garden.jpg"]]
        assert await _search(off, token, "q=grace") == []  # names are not matched with people off


async def test_a_person_with_control_characters_is_refused(client) -> None:
    token = (await register(client))["token"]
    resp = await client.get("/api/v1/search?person=gr%07ace", headers=auth(token))
    assert resp.status_code == 422 and resp.json()["code"] == "invalid_person"
