"""The periodic re-cluster: people split while tagging photo by photo are mended by the
re-cluster a detection schedules, on both meta adapters; a burst asks for one re-cluster per
window; names a user gave survive it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import msgspec
import pytest

from auroravault.app import create_app
from auroravault.faces.cluster import recluster
from auroravault.faces.jobs import RECLUSTER_PEOPLE, queue_recluster, recluster_key
from auroravault.jobs.queue import JobQueue
from auroravault.meta.protocols.people import Face
from auroravault.meta.sqlite import SqliteMetaStore
from auroravault.timeutil import utcnow
from tests.api.sharing_helpers import person, photos_of
from tests.api.test_job_outcomes import settings_for
from tests.asgi import AppClient, app_client
from tests.conftest import PHOTOS
from tests.faces.test_people_api import people_of, portraits

#: So near that tagging photo by photo starts a new person for every face: only the
#: re-cluster (DBSCAN, eps 0.45) can bring Grace's three photos together.
SPLIT = 0.01


def _client(request: pytest.FixtureRequest, tmp_path: Path, every: float) -> AsyncIterator[AppClient]:
    settings = settings_for(request.param, tmp_path, request)
    faces = msgspec.structs.replace(settings.faces, match_distance=SPLIT, recluster_every_seconds=every)
    return app_client(create_app(msgspec.structs.replace(settings, faces=faces)))


@pytest.fixture(params=["sqlite", "dynamodb"])
async def split_client(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[AppClient]:
    async with _client(request, tmp_path, every=0) as c:  # no automatic re-cluster
        yield c


@pytest.fixture(params=["sqlite", "dynamodb"])
async def mending_client(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[AppClient]:
    async with _client(request, tmp_path, every=1.0) as c:  # a re-cluster a second after faces
        yield c


async def test_without_a_recluster_tagging_alone_leaves_a_person_split(split_client: AppClient, tmp_path: Path) -> None:
    ada = await person(split_client, "Ada")
    grace, _ = portraits(tmp_path)
    await photos_of(split_client, ada, grace)
    assert [p["face_count"] for p in await people_of(split_client, ada)] == [1, 1, 1]


async def test_the_scheduled_recluster_mends_a_split_person(mending_client: AppClient, tmp_path: Path) -> None:
    ada = await person(mending_client, "Ada")
    grace, eileen = portraits(tmp_path)
    grace_ids = await photos_of(mending_client, ada, [*grace, PHOTOS / "flower.jpg"])  # drains: the re-cluster ran
    found = await people_of(mending_client, ada)
    assert [p["face_count"] for p in found] == [3]
    named = await mending_client.patch(f"/api/v1/people/{found[0]['id']}", json={"name": "Grace"}, headers=ada.headers)
    assert named.status_code == 200

    # Eileen's two photos come later, each a new person at first; the next window's
    # re-cluster joins them, and Grace keeps her name and her three photos.
    await photos_of(mending_client, ada, eileen)
    after = await people_of(mending_client, ada)
    assert [(p["name"], p["face_count"]) for p in after] == [("Grace", 3), (None, 2)]
    page = await mending_client.get(f"/api/v1/people/{after[0]['id']}/photos", headers=ada.headers)
    assert sorted(p["id"] for p in page.json()["items"]) == sorted(grace_ids[:3])


async def test_a_burst_of_faces_asks_for_one_recluster_per_window(tmp_path: Path) -> None:
    meta = SqliteMetaStore(tmp_path / "meta.db")
    await meta.migrate()
    try:
        queue = JobQueue(meta, settings_for("sqlite", tmp_path, None).jobs)  # type: ignore[arg-type]
        start = 600.0 * 2000  # the start of a 600 s window
        asked = [await queue_recluster(queue, "us_ada", 600, now=start + i) for i in range(50)]
        assert asked == [True] + [False] * 49
        job = await meta.get_job_by_dedupe_key(recluster_key("us_ada", int(start // 600)))
        assert job is not None and job.kind == RECLUSTER_PEOPLE and job.payload == {"owner_id": "us_ada"}
        # It runs at the window's end (600 s after the first ask, give or take the clock).
        assert 590 < (job.run_at - utcnow()).total_seconds() <= 600
        assert await queue_recluster(queue, "us_ada", 600, now=start + 600)  # the next window: one more
        assert await queue_recluster(queue, "us_bob", 600, now=start)  # another library: its own
        assert not await queue_recluster(queue, "us_ada", 0, now=start + 1200)  # 0: off
    finally:
        await meta.close()


def _face(fid: str, person_id: str | None, x: float) -> Face:
    now = utcnow()
    return Face(
        id=fid, owner_id="us_ada", photo_id=f"ph_{fid}", seq=0, box=[0, 0, 1, 1], score=1.0,
        embedding=[x] + [0.0] * 127, person_id=person_id, created_at=now,
    )  # fmt: skip


def test_a_cluster_goes_to_the_person_a_user_named_and_two_named_people_stay_two() -> None:
    # One tight group of five faces: two of the unnamed pe_a, one of "Grace" (pe_g), one of
    # "Lin" (pe_l), one of nobody.
    faces = [_face("1", "pe_a", 0.0), _face("2", "pe_a", 0.01), _face("3", "pe_g", 0.02)]
    faces += [_face("4", "pe_l", 0.03), _face("5", None, 0.04)]
    plan = recluster(faces, 0.45, 2, lambda: "pe_new", named={"pe_g", "pe_l"})
    # Grace (named) takes the cluster though pe_a held more of it; Lin's face stays Lin's.
    assert plan == {"1": "pe_g", "2": "pe_g", "3": "pe_g", "4": "pe_l", "5": "pe_g"}
    # With no name given, the person holding most of the cluster keeps it.
    assert set(recluster(faces, 0.45, 2, lambda: "pe_new").values()) == {"pe_a"}
