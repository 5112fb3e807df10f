"""``auroravault export`` end to end: byte-identical originals in YYYY/MM, sidecars, resume, nothing re-sent."""

from __future__ import annotations

import hashlib
import json
import os
from datetime import datetime
from pathlib import Path

import pytest

from tests.client.conftest import Cli, original_gets, photo_hashes, server_photos, wait_for

pytestmark = pytest.mark.e2e


def exported(out: Path) -> list[Path]:
    """Every exported original under ``out`` (not sidecars, not hidden temp files)."""
    return sorted(p for p in out.rglob("*") if p.is_file() and not p.name.endswith(".json") and "/." not in str(p))


def wait_processed(cli: Cli) -> dict[str, dict[str, object]]:
    """Photo id -> photo, once the server has processed every photo (so taken_at is final)."""
    listed: list[dict[str, object]] = []

    def done() -> bool:
        listed[:] = server_photos(cli.server, cli.token())
        return all(p["status"] in ("ready", "failed") for p in listed)

    wait_for(done, 120, "processing to finish")
    return {str(p["id"]): p for p in listed}


def month_of(photo: dict[str, object]) -> str:
    taken = datetime.fromisoformat(str(photo["taken_at"]))
    return f"{taken.year:04d}/{taken.month:02d}"


def mtime_of(photo: dict[str, object]) -> float:
    return datetime.fromisoformat(str(photo["taken_at"])).timestamp()  # naive: local time, as the CLI sets it


def test_export_round_trip_then_nothing_to_transfer(cli: Cli, photos_dir: Path, tmp_path: Path) -> None:
    cli.register()
    # Two different photos of the same day that share a name: the export must keep both, deterministically.
    clash = tmp_path / "clash"
    clash.mkdir()
    (clash / "flower.jpg").write_bytes((photos_dir / "flower.jpg").read_bytes() + b"another copy")
    up = cli.run("upload", str(photos_dir), str(clash))
    assert up.returncode == 0, up.stdout + up.stderr
    expected = photo_hashes(photos_dir) | photo_hashes(clash)
    by_id = wait_processed(cli)

    out = tmp_path / "export"
    first = cli.run("export", str(out))
    assert first.returncode == 0, first.stdout + first.stderr
    assert f"downloaded {len(expected)} " in first.stdout
    originals = exported(out)
    assert len(originals) == len(expected)
    for path in originals:
        data = path.read_bytes()
        sha = hashlib.sha256(data).hexdigest()
        assert data == expected[sha].read_bytes(), f"{path.name} differs from its source"
        sidecar = json.loads(path.with_name(path.name + ".json").read_text())
        assert sidecar["sha256"] == sha and sidecar["id"] in by_id
        assert "thumb_url" not in sidecar
        photo = by_id[sidecar["id"]]
        # Laid out by the date the photo was taken, and the file's time says so too.
        assert path.parent.relative_to(out).as_posix() == month_of(photo)
        assert path.stat().st_mtime == pytest.approx(mtime_of(photo), abs=1)
    flower = out / "2003" / "12" / "flower.jpg"
    assert flower.exists(), "flower.jpg was taken on 2003-12-14"
    names = {p.relative_to(out).as_posix() for p in originals}
    flower_ids = [i for i, p in by_id.items() if p["filename"] == "flower.jpg"]
    assert len(flower_ids) == 2
    assert sum(1 for n in names if n.startswith("2003/12/flower_p_") and n.endswith(".jpg")) == 1
    assert not [p for p in out.rglob(".*")], "no temp files left behind"

    user = cli.user_id()
    gets = original_gets(cli.server, user)
    assert gets == len(expected)
    second = cli.run("export", str(out))
    assert second.returncode == 0 and "downloaded 0 " in second.stdout, second.stdout
    assert original_gets(cli.server, user) == gets, "a second export must transfer nothing"
    assert {p.relative_to(out).as_posix() for p in exported(out)} == names, "names are stable"

    # Resume and repair: a deleted original, a corrupted one (same size), a lost sidecar.
    deleted, corrupted, bare = originals[0], originals[1], originals[2]
    deleted.unlink()
    corrupted.write_bytes(b"\0" * corrupted.stat().st_size)
    bare.with_name(bare.name + ".json").unlink()
    third = cli.run("export", str(out), "--verify")
    assert third.returncode == 0 and "downloaded 2 " in third.stdout, third.stdout
    assert original_gets(cli.server, user) == gets + 2
    for path in (deleted, corrupted, bare):
        assert hashlib.sha256(path.read_bytes()).hexdigest() in expected
        assert path.with_name(path.name + ".json").exists()


def test_export_into_an_old_flat_export_moves_files_without_downloading(
    cli: Cli, photos_dir: Path, tmp_path: Path
) -> None:
    """An export folder of an earlier version (every file at the top) is reorganised, not fetched again."""
    cli.register()
    source = tmp_path / "source"
    source.mkdir()
    for name in ("flower.jpg", "starfish.jpg", "dsc_09827.jpg"):
        (source / name).write_bytes((photos_dir / name).read_bytes())
    assert cli.run("upload", str(source)).returncode == 0
    by_id = wait_processed(cli)
    out = tmp_path / "export"
    assert cli.run("export", str(out)).returncode == 0
    # Make it the flat layout older versions wrote: originals and sidecars side by side at the top.
    for path in exported(out):
        side = path.with_name(path.name + ".json")
        os.replace(path, out / path.name)
        os.replace(side, out / side.name)
    for folder in sorted((p for p in out.rglob("*") if p.is_dir()), reverse=True):
        folder.rmdir()
    assert sorted(p.name for p in out.iterdir()) == sorted(
        n for name in ("flower.jpg", "starfish.jpg", "dsc_09827.jpg") for n in (name, name + ".json")
    )
    # A move cut short between its two renames: the original is in its month, its sidecar still at the top.
    (out / "2013" / "05").mkdir(parents=True)
    os.replace(out / "starfish.jpg", out / "2013" / "05" / "starfish.jpg")
    user = cli.user_id()
    gets = original_gets(cli.server, user)

    again = cli.run("export", str(out))
    assert again.returncode == 0, again.stdout + again.stderr
    assert "downloaded 0 " in again.stdout and "moved 2 " in again.stdout, again.stdout
    assert original_gets(cli.server, user) == gets, "moving an old export must download nothing"
    assert sorted(p.relative_to(out).as_posix() for p in exported(out)) == [
        "2003/12/flower.jpg",
        "2004/05/dsc_09827.jpg",
        "2013/05/starfish.jpg",
    ]
    for path in exported(out):
        sidecar = json.loads(path.with_name(path.name + ".json").read_text())
        assert by_id[sidecar["id"]]["filename"] == path.name
        assert path.stat().st_mtime == pytest.approx(mtime_of(by_id[sidecar["id"]]), abs=1)
    assert not list(out.glob("*.json")) and not [p for p in out.iterdir() if p.is_file()]
