"""Albums in the CLI, end to end: ``upload --album`` / ``--album-per-folder`` and the album
folders of ``export`` (and ``export --album``), against ``auroravault serve`` in a subprocess."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.client.conftest import Cli, wait_for
from tests.e2e.conftest import Server

pytestmark = pytest.mark.e2e

TRIP = ["flower.jpg", "starfish.jpg"]
HOME = ["r_canon.jpg", "r_sony.jpg"]


def api(cli: Cli, method: str, path: str, **kwargs: Any) -> Any:
    with httpx.Client(base_url=cli.server.url, timeout=30) as http:
        response = http.request(method, f"/api/v1{path}", headers={"Authorization": f"Bearer {cli.token()}"}, **kwargs)
        assert response.status_code < 300, response.text
        return response.json() if response.content else None


def albums(cli: Cli) -> dict[str, dict[str, Any]]:
    return {a["name"]: a for a in api(cli, "GET", "/albums?filter=all")["items"]}


def album_files(cli: Cli, album_id: str) -> set[str]:
    return {p["filename"] for p in api(cli, "GET", f"/albums/{album_id}/photos?limit=200")["items"]}


def folder(tmp_path: Path, photos_dir: Path, name: str, files: list[str]) -> Path:
    where = tmp_path / "pictures" / name
    where.mkdir(parents=True)
    for file in files:
        shutil.copy2(photos_dir / file, where / file)
    return where


def test_upload_into_an_album_then_one_per_folder(cli: Cli, photos_dir: Path, tmp_path: Path) -> None:
    cli.register()
    trip = folder(tmp_path, photos_dir, "Portugal 2019", TRIP)
    home = folder(tmp_path, photos_dir, "Home", HOME)

    up = cli.run("upload", str(trip), "--album", "Summer")
    assert up.returncode == 0, up.stdout + up.stderr
    assert "album 'Summer' (new album): 2 added" in up.stdout
    summer = albums(cli)["Summer"]
    assert album_files(cli, summer["id"]) == set(TRIP)

    # The same files again, into the same album (any case): nothing added twice, no new album.
    again = cli.run("upload", str(trip), "--album", "  summer ")
    assert again.returncode == 0, again.stdout + again.stderr
    assert "album 'Summer': 0 added, 2 already there" in again.stdout
    assert list(albums(cli)) == ["Summer"]

    # One album per folder: "Home" is new; "Portugal 2019" is made of photos already there.
    per = cli.run("upload", str(tmp_path / "pictures"), "--album-per-folder")
    assert per.returncode == 0, per.stdout + per.stderr
    made = albums(cli)
    assert set(made) == {"Summer", "Portugal 2019", "Home"}
    assert album_files(cli, made["Home"]["id"]) == set(HOME)
    assert album_files(cli, made["Portugal 2019"]["id"]) == set(TRIP)
    assert "album 'Home' (new album): 2 added" in per.stdout
    assert home.is_dir()

    # Both at once is a usage error, and an empty name is refused before anything is sent.
    both = cli.run("upload", str(trip), "--album", "X", "--album-per-folder")
    assert both.returncode == 2 and "not allowed with" in both.stderr
    empty = cli.run("upload", str(trip), "--album", " ")
    assert empty.returncode == 2 and "--album needs a name" in empty.stderr
    assert set(albums(cli)) == {"Summer", "Portugal 2019", "Home"}


def wait_ready(cli: Cli, count: int) -> None:
    def ready() -> bool:
        items = api(cli, "GET", "/photos?limit=200")["items"]
        return len(items) == count and all(p["status"] in ("ready", "failed") for p in items)

    wait_for(ready, 120, "processing to finish")


def manifest(path: Path) -> dict[str, Any]:
    return dict(json.loads((path / "album.json").read_text()))


def test_export_writes_album_folders_and_one_album_alone(
    cli: Cli, server: Server, photos_dir: Path, tmp_path: Path
) -> None:
    cli.register()
    trip = folder(tmp_path, photos_dir, "Trip", TRIP)
    home = folder(tmp_path, photos_dir, "Home", HOME)
    assert cli.run("upload", str(trip), str(home), "--album-per-folder").returncode == 0
    wait_ready(cli, 4)
    made = albums(cli)

    out = tmp_path / "export"
    full = cli.run("export", str(out))
    assert full.returncode == 0, full.stdout + full.stderr
    assert "downloaded 4 " in full.stdout and "albums: 2 folders" in full.stdout
    for name, files in (("Trip", TRIP), ("Home", HOME)):
        where = out / "albums" / name
        entries = {p.name for p in where.iterdir() if p.name != "album.json"}
        assert entries == set(files)
        data = manifest(where)
        assert data["album_id"] == made[name]["id"] and data["name"] == name
        for entry in data["photos"]:
            original = out / entry["original"]
            linked = where / entry["file"]
            # The same bytes as the YYYY/MM original, and no second copy of them on disk.
            assert linked.read_bytes() == original.read_bytes()
            assert os.stat(linked).st_ino == os.stat(original).st_ino
            assert entry["original"].split("/")[0].isdigit()  # under YYYY/MM
    flower = out / "2003" / "12" / "flower.jpg"
    assert flower.is_file()

    # A photo leaves its album: the next export takes it out of that folder only.
    flower_id = next(p["id"] for p in api(cli, "GET", "/photos?limit=200")["items"] if p["filename"] == "flower.jpg")
    api(cli, "POST", f"/albums/{made['Trip']['id']}/photos/remove", json={"ids": [flower_id]})
    again = cli.run("export", str(out))
    assert again.returncode == 0, again.stdout + again.stderr
    assert "downloaded 0 " in again.stdout
    assert {p.name for p in (out / "albums" / "Trip").iterdir()} == {"starfish.jpg", "album.json"}
    assert flower.is_file(), "the original stays exported"

    # One album alone: its photos in the same layout and its folder, nothing else.
    alone = tmp_path / "home-only"
    one = cli.run("export", str(alone), "--album", "home")
    assert one.returncode == 0, one.stdout + one.stderr
    assert "downloaded 2 " in one.stdout
    originals = {p.name for p in alone.rglob("*") if p.is_file() and not p.name.endswith(".json")}
    assert originals == set(HOME)  # the originals and their album entries, by name
    assert {p.name for p in (alone / "albums" / "Home").iterdir()} == {*HOME, "album.json"}
    assert not (alone / "albums" / "Trip").exists()

    unknown = cli.run("export", str(tmp_path / "nothing"), "--album", "Nowhere")
    assert unknown.returncode == 2
    assert "no album called 'Nowhere'" in unknown.stderr and "Home" in unknown.stderr
