"""End to end through the CLI: a real uvicorn server, `python -m auroravault ...` as a user runs it.

"Sent" is counted on the server: its access log has one line per presigned PUT, and the URL
carries the sha256, so ``puts(server)`` says how many times storage accepted each content.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import stat
import time
from pathlib import Path

import httpx
import pytest

from tests.client.conftest import Cli, ServerFactory, photo_hashes, puts, server_photos, stage_counts, wait_for

pytestmark = pytest.mark.e2e


def assert_each_photo_once(cli: Cli, photos_dir: Path) -> None:
    expected = photo_hashes(photos_dir)
    listed = server_photos(cli.server, cli.token())
    shas = [str(p["sha256"]) for p in listed]
    assert sorted(shas) == sorted(expected), "the server must hold each distinct photo exactly once"
    sent = puts(cli.server, cli.user_id())
    assert set(sent) == set(expected)
    twice = {sha: n for sha, n in sent.items() if n != 1}
    assert not twice, f"sent again after storage had accepted it: {twice}"


def test_upload_folder_then_rerun_sends_nothing(cli: Cli, photos_dir: Path, tmp_path: Path) -> None:
    cli.register()
    creds = cli.home / "config" / "auroravault" / "credentials.json"
    assert stat.S_IMODE(creds.stat().st_mode) == 0o600

    first = cli.run("upload", str(photos_dir), "--jobs", "4")
    assert first.returncode == 0, first.stdout + first.stderr
    distinct = len(photo_hashes(photos_dir))
    assert f"uploaded {distinct} " in first.stdout
    # flower.jpg and img_1771.jpg are the same bytes: one is "already there", not sent twice
    assert "already there 1," in first.stdout
    for name in ("not_an_image.jpg", "notjpeg.jpg", "README.md"):
        assert name in first.stdout.split("skipped (not photos):")[1]
    assert "failed 0" in first.stdout
    assert_each_photo_once(cli, photos_dir)

    state_files = list((cli.home / "state" / "auroravault").glob("*.sqlite"))
    assert len(state_files) == 1 and stat.S_IMODE(state_files[0].stat().st_mode) == 0o600
    assert stage_counts(state_files[0]) == {"completed": distinct}

    started = time.monotonic()
    again = cli.run("upload", str(photos_dir))
    assert again.returncode == 0, again.stderr
    assert "uploaded 0 " in again.stdout and f"already there {distinct + 1}," in again.stdout
    assert time.monotonic() - started < 10
    assert_each_photo_once(cli, photos_dir)

    status = cli.run("status")
    assert status.returncode == 0, status.stderr
    assert "0 uploads waiting" in status.stdout and f"{distinct} completed" in status.stdout

    token = cli.token()
    out = cli.run("logout")
    assert out.returncode == 0 and "logged out" in out.stdout
    me = httpx.get(f"{cli.server.url}/api/v1/users/me", headers={"Authorization": f"Bearer {token}"})
    assert me.status_code == 401, "logout must revoke the token on the server"
    after = cli.run("upload", str(photos_dir))
    assert after.returncode == 2 and "not logged in" in after.stderr


def test_upload_fails_loudly_when_not_a_folder_and_skips_hidden(cli: Cli, photos_dir: Path, tmp_path: Path) -> None:
    cli.register()
    folder = tmp_path / "backup"
    (folder / ".hidden").mkdir(parents=True)
    (folder / ".hidden" / "secret.jpg").write_bytes((photos_dir / "flower.jpg").read_bytes())
    (folder / ".dot.jpg").write_bytes((photos_dir / "hopper.png").read_bytes())
    (folder / "flower.jpg.xmp").write_text("<x:xmpmeta/>")
    (folder / "no_extension").write_bytes((photos_dir / "flower.webp").read_bytes())
    done = cli.run("upload", str(folder), str(tmp_path / "nowhere"))
    assert done.returncode == 1, done.stdout
    assert "uploaded 1 " in done.stdout and "failed 1" in done.stdout and "nowhere" in done.stdout
    listed = server_photos(cli.server, cli.token())
    assert [(p["filename"], p["content_type"]) for p in listed] == [("no_extension", "image/webp")]


def test_sigkill_mid_upload_then_resume(cli: Cli, photos_dir: Path, tmp_path: Path) -> None:
    cli.register()
    state = tmp_path / "queue.sqlite"
    args = ("upload", str(photos_dir), "--state", str(state), "--batch", "4", "--jobs", "2")
    proc = cli.popen(*args, "--limit-rate", "2M", log=tmp_path / "run1.log")
    try:
        wait_for(
            lambda: stage_counts(state).get("completed", 0) >= 6 and proc.poll() is None,
            timeout=30,
            what="some completed files",
        )
        counts = stage_counts(state)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
    total = len(photo_hashes(photos_dir))
    assert counts.get("completed", 0) < total, f"the run ended before the kill: {counts}"
    sent_before = puts(cli.server, cli.user_id())

    resumed = cli.run(*args)
    assert resumed.returncode == 0, resumed.stdout + resumed.stderr
    assert stage_counts(state) == {"completed": total}
    assert_each_photo_once(cli, photos_dir)
    # nothing accepted by storage in the first run was sent again by the second
    sent_after = puts(cli.server, cli.user_id())
    assert all(sent_after[sha] == 1 for sha in sent_before)


def test_server_restarted_mid_run(make_server: ServerFactory, photos_dir: Path, tmp_path: Path) -> None:
    server = make_server()
    cli = Cli(home=tmp_path / "home", server=server)
    cli.register()
    state = tmp_path / "queue.sqlite"
    proc = cli.popen(
        "upload", str(photos_dir), "--state", str(state), "--batch", "5", "--limit-rate", "3M", log=tmp_path / "run.log"
    )
    try:
        wait_for(lambda: stage_counts(state).get("completed", 0) >= 5, timeout=30, what="some completed files")
        server.stop(signal.SIGKILL)  # mid-PUT: no graceful goodbye
        at_kill = stage_counts(state)
        time.sleep(1.0)
        server.start()
        assert proc.wait(timeout=90) == 0, (tmp_path / "run.log").read_text()
    finally:
        if proc.poll() is None:
            proc.kill()
    total = len(photo_hashes(photos_dir))
    assert at_kill.get("completed", 0) < total, f"the upload must span the restart: {at_kill}"
    assert_each_photo_once(cli, photos_dir)
    assert stage_counts(state) == {"completed": total}


def test_state_file_is_exclusive(cli: Cli, photos_dir: Path, tmp_path: Path) -> None:
    cli.register()
    state = tmp_path / "queue.sqlite"
    proc = cli.popen("upload", str(photos_dir), "--state", str(state), "--limit-rate", "1M", log=tmp_path / "a.log")
    try:
        wait_for(lambda: stage_counts(state).get("initiated", 0) > 0, timeout=30, what="the first run to start")
        second = cli.run("upload", str(photos_dir), "--state", str(state))
        assert second.returncode == 2 and "in use" in second.stderr
    finally:
        proc.kill()
        proc.wait(timeout=10)
    with sqlite3.connect(state) as conn:
        assert conn.execute("SELECT COUNT(*) FROM items").fetchone()[0] > 0
