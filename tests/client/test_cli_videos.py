"""The CLI takes videos: a folder with a clip and a Live Photo goes up, and ``export`` writes
the Live Photo's still and its motion MOV, though the timeline lists the still alone."""

from __future__ import annotations

import hashlib
from datetime import datetime
from pathlib import Path

import pytest

from tests.client.conftest import Cli, server_photos, wait_for
from tests.videos import iphone_mov, make_video, still_jpeg

pytestmark = pytest.mark.e2e


def test_videos_and_a_live_photo_go_up_and_come_back_out(cli: Cli, tmp_path: Path) -> None:
    cli.register()
    phone = tmp_path / "DCIM"
    phone.mkdir()
    sources = [
        make_video(phone / "clip.mp4", seconds=1),
        still_jpeg(phone / "IMG_0200.JPG", taken=datetime(2024, 5, 1, 12, 20, 30)),
        iphone_mov(phone / "IMG_0200.MOV", taken="2024-05-01T12:20:31+0200"),
        make_video(phone / "no_extension", seconds=1, mov=True),  # told by its bytes
    ]
    up = cli.run("upload", str(phone))
    assert up.returncode == 0, up.stdout + up.stderr
    assert "not a photo" not in up.stdout + up.stderr

    def paired() -> bool:
        listed = server_photos(cli.server, cli.token())
        return all(p["status"] == "ready" for p in listed) and any(p.get("motion_photo_id") for p in listed)

    wait_for(paired, 120, "the videos to be processed and the Live Photo paired")
    listed = server_photos(cli.server, cli.token())
    assert sorted(p["filename"] for p in listed) == ["IMG_0200.JPG", "clip.mp4", "no_extension"]
    assert {p["filename"]: p["media_type"] for p in listed}["no_extension"] == "video"

    out = tmp_path / "export"
    done = cli.run("export", str(out))
    assert done.returncode == 0, done.stdout + done.stderr
    files = {p.name: p for p in out.rglob("*") if p.is_file() and not p.name.endswith(".json") and "/." not in str(p)}
    assert sorted(files) == ["IMG_0200.JPG", "IMG_0200.MOV", "clip.mp4", "no_extension"]
    for source in sources:
        assert hashlib.sha256(files[source.name].read_bytes()).digest() == hashlib.sha256(source.read_bytes()).digest()
    assert files["IMG_0200.JPG"].parent == files["IMG_0200.MOV"].parent  # side by side, in 2024/05
