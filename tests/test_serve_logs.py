"""What ``auroravault serve`` writes to its log: a real server, a real upload through /blobs."""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx

from tests.e2e.conftest import free_port


def serve(tmp_path: Path, *args: str) -> tuple[subprocess.Popen[bytes], str, Path]:
    port = free_port()
    log_path = tmp_path / f"serve-{port}.log"
    env = {**os.environ, "AURORAVAULT_SERVER__DATA_DIR": str(tmp_path / f"data-{port}")}
    env.pop("AURORAVAULT_SERVER__LOG_LEVEL", None)
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "auroravault", "serve", "--host", "127.0.0.1", "--port", str(port), *args],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                return proc, url, log_path
        except httpx.TransportError:
            time.sleep(0.1)
    proc.kill()
    raise RuntimeError(f"server did not start:\n{log_path.read_text(errors='replace')}")


def stop(proc: subprocess.Popen[bytes]) -> None:
    os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=5)


def upload_one(url: str, photo: Path) -> str:
    """Register, upload ``photo`` through its presigned URL, complete, wait until it is processed."""
    data = photo.read_bytes()
    with httpx.Client(base_url=url, timeout=30) as http:
        reg = http.post(
            "/api/v1/auth/register",
            json={"email": "logs@example.com", "password": "a long password", "display_name": "Logs"},
        )
        http.headers["Authorization"] = f"Bearer {reg.json()['token']}"
        files = [
            {
                "filename": photo.name,
                "size": len(data),
                "content_type": "image/jpeg",
                "sha256": hashlib.sha256(data).hexdigest(),
            }
        ]
        batch = http.post("/api/v1/uploads", json={"files": files}).json()
        item = batch["items"][0]
        signed = item["upload"]["url"]
        assert "signature=" in signed
        put = httpx.put(signed, content=data, headers=item["upload"]["headers"], timeout=30)
        assert put.status_code < 300, put.text
        http.post(f"/api/v1/uploads/{batch['batch_id']}/complete", json={})
        for _ in range(600):  # until the jobs ran: the scheduler's pump did its work
            if http.get(f"/api/v1/photos/{item['photo_id']}").json()["status"] != "processing":
                break
            time.sleep(0.1)
        return signed


def test_default_log_has_no_signatures_and_no_scheduler_chatter(tmp_path: Path, photos_dir: Path) -> None:
    proc, url, log_path = serve(tmp_path)
    try:
        signed = upload_one(url, photos_dir / "flower.jpg")
    finally:
        stop(proc)
    log = log_path.read_text(errors="replace")
    signature = signed.split("signature=", 1)[1].split("&")[0]
    assert '"PUT /blobs/' in log, log  # the PUT is in the access log...
    assert "signature=REDACTED" in log
    assert signature not in log  # ...but not its signature
    assert "apscheduler" not in log and "Running job" not in log, log


def test_debug_log_level_shows_the_scheduler(tmp_path: Path, photos_dir: Path) -> None:
    proc, url, log_path = serve(tmp_path, "--log-level", "debug")
    try:
        signed = upload_one(url, photos_dir / "flower.jpg")
    finally:
        stop(proc)
    log = log_path.read_text(errors="replace")
    assert "apscheduler" in log and 'Running job "' in log
    assert signed.split("signature=", 1)[1].split("&")[0] not in log
