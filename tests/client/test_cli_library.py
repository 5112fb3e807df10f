"""The CLI and the library, end to end: file times, what the user deleted, the trash and the flags in exports."""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from tests.client.conftest import Cli, server_photos, wait_for
from tests.client.test_cli_export import exported, wait_processed

pytestmark = pytest.mark.e2e


def api(cli: Cli) -> httpx.Client:
    return httpx.Client(
        base_url=f"{cli.server.url}/api/v1", headers={"Authorization": f"Bearer {cli.token()}"}, timeout=30
    )


def by_name(cli: Cli) -> dict[str, dict[str, object]]:
    return {str(p["filename"]): p for p in server_photos(cli.server, cli.token())}


def test_a_photo_without_exif_date_is_dated_by_its_file_time(cli: Cli, photos_dir: Path, tmp_path: Path) -> None:
    cli.register()
    folder = tmp_path / "scans"
    folder.mkdir()
    scan = folder / "grandma.png"  # a plain PNG: no EXIF date at all
    scan.write_bytes((photos_dir / "hopper.png").read_bytes())
    when = datetime(2011, 3, 4, 12, 30).timestamp()
    os.utime(scan, (when, when))
    done = cli.run("upload", str(folder))
    assert done.returncode == 0, done.stdout + done.stderr
    photo = next(iter(wait_processed(cli).values()))
    taken = datetime.fromisoformat(str(photo["taken_at"]))
    assert taken.timestamp() == pytest.approx(when, abs=1), f"dated {photo['taken_at']}, not by the file's time"


def test_upload_skips_what_was_deleted_on_the_server_unless_asked(cli: Cli, photos_dir: Path, tmp_path: Path) -> None:
    cli.register()
    folder = tmp_path / "laptop"
    folder.mkdir()
    for name in ("flower.jpg", "starfish.jpg", "dsc_09827.jpg"):
        (folder / name).write_bytes((photos_dir / name).read_bytes())
    assert cli.run("upload", str(folder)).returncode == 0
    first = by_name(cli)
    with api(cli) as http:
        trashed = http.post("/photos/trash", json={"ids": [first["flower.jpg"]["id"]]})
        assert trashed.status_code == 200, trashed.text
        gone = str(first["starfish.jpg"]["id"])
        assert http.post("/photos/trash", json={"ids": [gone]}).status_code == 200
        assert http.post("/trash/delete", json={"ids": [gone]}).status_code == 200
        sha = str(first["starfish.jpg"]["sha256"])
        wait_for(lambda: sha in http.post("/uploads/check", json={"sha256": [sha]}).json()["deleted"], 30, "deletion")

    # Another machine with the same photos (a fresh state): the deleted ones are not sent back.
    other = cli.run("upload", str(folder), "--state", str(tmp_path / "other.sqlite"))
    assert other.returncode == 0, other.stdout + other.stderr
    assert "not uploaded 2: deleted on the server" in other.stdout, other.stdout
    assert "flower.jpg: in the trash on the server" in other.stdout
    assert "starfish.jpg: deleted on the server" in other.stdout
    assert "uploaded 0 " in other.stdout and "already there 1," in other.stdout
    assert set(by_name(cli)) == {"dsc_09827.jpg"}, "nothing deleted comes back"

    # The first machine, whose state had completed them all, asks for them explicitly.
    again = cli.run("upload", str(folder), "--include-deleted")
    assert again.returncode == 0, again.stdout + again.stderr
    assert "restored 1 from the trash" in again.stdout and "uploaded 1 " in again.stdout, again.stdout
    now = by_name(cli)
    assert set(now) == {"flower.jpg", "starfish.jpg", "dsc_09827.jpg"}
    assert now["flower.jpg"]["id"] == first["flower.jpg"]["id"], "a trashed photo is restored, same id"
    assert now["starfish.jpg"]["id"] != gone, "a deleted photo comes back as a new one"


def test_export_carries_flags_corrections_and_optionally_the_trash(cli: Cli, photos_dir: Path, tmp_path: Path) -> None:
    cli.register()
    folder = tmp_path / "family"
    folder.mkdir()
    for name in ("flower.jpg", "starfish.jpg", "dsc_09827.jpg"):
        (folder / name).write_bytes((photos_dir / name).read_bytes())
    assert cli.run("upload", str(folder)).returncode == 0
    wait_processed(cli)
    ids = {name: str(p["id"]) for name, p in by_name(cli).items()}
    with api(cli) as http:
        edit = {"favorite": True, "description": "Grandma's garden", "taken_at": "2001-02-03T04:05:06+01:00"}
        assert http.patch(f"/photos/{ids['flower.jpg']}", json=edit).status_code == 200
        assert http.patch(f"/photos/{ids['dsc_09827.jpg']}", json={"archived": True}).status_code == 200
        assert http.post("/photos/trash", json={"ids": [ids["starfish.jpg"]]}).status_code == 200

    out = tmp_path / "export"
    done = cli.run("export", str(out))
    assert done.returncode == 0, done.stdout + done.stderr
    assert sorted(p.relative_to(out).as_posix() for p in exported(out)) == [
        "2001/02/flower.jpg",  # the corrected date, not the EXIF one (2003-12)
        "2004/05/dsc_09827.jpg",  # archived photos are exported too
    ]
    flower = json.loads((out / "2001" / "02" / "flower.jpg.json").read_text())
    assert flower["favorite"] is True and flower["description"] == "Grandma's garden"
    assert flower["corrections"]["taken_at"]["exif"].startswith("2003-12-14")
    assert flower["corrections"]["taken_at"]["corrected"].startswith("2001-02-03")
    assert (out / "2001" / "02" / "flower.jpg").stat().st_mtime == pytest.approx(
        datetime(2001, 2, 3, 3, 5, 6, tzinfo=UTC).timestamp(), abs=1
    )
    assert json.loads((out / "2004" / "05" / "dsc_09827.jpg.json").read_text())["archived"] is True

    with_trash = cli.run("export", str(out), "--include-trash")
    assert with_trash.returncode == 0, with_trash.stdout + with_trash.stderr
    assert "downloaded 1 " in with_trash.stdout
    star = out / "trash" / "2013" / "05" / "starfish.jpg"
    assert star.read_bytes() == (photos_dir / "starfish.jpg").read_bytes()
    assert json.loads(star.with_name("starfish.jpg.json").read_text())["trashed_at"]
