"""``auroravault export`` end to end: byte-identical originals, sidecars, resume, nothing re-sent."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from tests.client.conftest import Cli, original_gets, photo_hashes, server_photos

pytestmark = pytest.mark.e2e


def test_export_round_trip_then_nothing_to_transfer(cli: Cli, photos_dir: Path, tmp_path: Path) -> None:
    cli.register()
    # Two different photos that share a name: the export must keep both, deterministically.
    clash = tmp_path / "clash"
    clash.mkdir()
    (clash / "flower.jpg").write_bytes((photos_dir / "hopper.png").read_bytes() + b"another photo")
    up = cli.run("upload", str(photos_dir), str(clash))
    assert up.returncode == 0, up.stdout + up.stderr
    expected = photo_hashes(photos_dir) | photo_hashes(clash)
    by_id = {str(p["id"]): p for p in server_photos(cli.server, cli.token())}

    out = tmp_path / "export"
    first = cli.run("export", str(out))
    assert first.returncode == 0, first.stdout + first.stderr
    assert f"downloaded {len(expected)} " in first.stdout
    originals = sorted(p for p in out.iterdir() if not p.name.endswith(".json"))
    assert len(originals) == len(expected)
    for path in originals:
        data = path.read_bytes()
        sha = hashlib.sha256(data).hexdigest()
        assert data == expected[sha].read_bytes(), f"{path.name} differs from its source"
        sidecar = json.loads(path.with_name(path.name + ".json").read_text())
        assert sidecar["sha256"] == sha and sidecar["id"] in by_id
        assert "thumb_url" not in sidecar
    names = {p.name for p in originals}
    flower_ids = [i for i, p in by_id.items() if p["filename"] == "flower.jpg"]
    assert len(flower_ids) == 2 and "flower.jpg" in names
    assert sum(1 for n in names if n.startswith("flower_p_") and n.endswith(".jpg")) == 1
    assert not list(out.glob(".*")), "no temp files left behind"

    user = cli.user_id()
    gets = original_gets(cli.server, user)
    assert gets == len(expected)
    second = cli.run("export", str(out))
    assert second.returncode == 0 and "downloaded 0 " in second.stdout, second.stdout
    assert original_gets(cli.server, user) == gets, "a second export must transfer nothing"
    assert {p.name for p in out.iterdir() if not p.name.endswith(".json")} == names, "names are stable"

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
