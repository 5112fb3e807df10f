"""``auroravault people backfill | recluster``, run as an operator runs them: photos uploaded
while people were off are tagged once the server that runs the queued jobs has them on."""

from __future__ import annotations

import time
from pathlib import Path

import httpx

from tests.e2e.backends import put_all, register, specs, wait_until_settled
from tests.e2e.conftest import Server
from tests.faces.test_people_api import portraits
from tests.test_cli import run

EMAIL = "family@example.com"


def _upload(url: str, headers: dict[str, str], paths: list[Path]) -> None:
    resp = httpx.post(f"{url}/api/v1/uploads", json={"files": specs(paths)}, headers=headers, timeout=30)
    assert resp.status_code == 201, resp.text
    put_all(resp.json()["items"], paths)
    done = httpx.post(f"{url}/api/v1/uploads/{resp.json()['batch_id']}/complete", json={}, headers=headers, timeout=30)
    assert done.status_code == 200, done.text


def test_backfill_and_recluster_queue_the_work_the_server_then_does(tmp_path: Path) -> None:
    grace, _ = portraits(tmp_path)
    off = Server(data_dir=tmp_path / "data", env={"AURORAVAULT_FACES__ENABLED": "false"})
    off.start()
    try:
        headers = register(off.url, EMAIL)
        _upload(off.url, headers, grace)
        wait_until_settled(off.url, headers, 3)
        assert httpx.get(f"{off.url}/api/v1/people", headers=headers, timeout=30).status_code == 409
    finally:
        off.stop()

    first = run("people", "backfill", "--email", EMAIL.upper(), tmp=tmp_path)
    assert first.returncode == 0, first.stderr
    assert f"face detection queued for 3 photo(s) of {EMAIL}" in first.stdout
    again = run("people", "backfill", "--email", EMAIL, tmp=tmp_path)
    assert f"queued for 0 photo(s) of {EMAIL}" in again.stdout  # each photo once
    asked = run("people", "recluster", "--email", EMAIL, tmp=tmp_path)
    assert asked.returncode == 0 and f"re-cluster queued for {EMAIL}" in asked.stdout
    unknown = run("people", "backfill", "--email", "nobody@example.com", tmp=tmp_path)
    assert unknown.returncode != 0 and "no account with the email nobody@example.com" in unknown.stderr

    on = Server(data_dir=tmp_path / "data")
    on.start()
    try:
        deadline, people = time.monotonic() + 120, []
        while time.monotonic() < deadline:
            people = httpx.get(f"{on.url}/api/v1/people", headers=headers, timeout=30).json()
            if people and people[0]["face_count"] == 3 and "re-clustered the faces of" in on.log():
                break
            time.sleep(0.5)
        assert [p["face_count"] for p in people] == [3], (people, on.log()[-3000:])
        assert "re-clustered the faces of" in on.log()
    finally:
        on.stop()
