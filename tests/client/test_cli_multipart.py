"""A 300 MB file through `auroravault upload`: in parts, killed halfway, resumed with only the missing parts.

Real processes on every storage: the server (local storage, or SeaweedFS through the S3 and
the MinIO adapters) and the CLI, killed with SIGKILL once about half the parts are stored.
The second run asks the server which parts arrived and sends only the others; the server
joins them and its pipeline verifies the whole file's sha256 before the photo is ready.
"""

from __future__ import annotations

import io
import os
import re
import signal
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from PIL import Image

from tests.client.conftest import Cli, server_photos, wait_for
from tests.e2e.backends import migrate, s3_env
from tests.e2e.conftest import Server

pytestmark = pytest.mark.e2e

MIB = 1024 * 1024
SIZE = 300_000_000
PART = 16 * MIB  # the default multipart_part_bytes
PARTS = -(-SIZE // PART)  # 18
_SENT = re.compile(r"- ([\d.]+) (B|KB|MB|GB) sent in")


@dataclass
class Backend:
    name: str
    server: Server
    bucket: str | None
    s3: object | None  # a boto3 client on SeaweedFS

    def parts_stored(self) -> int:
        """Distinct parts stored for open multipart uploads, read from the store itself."""
        if self.s3 is None:
            root = self.server.data_dir / "photos" / ".multipart"
            return sum(
                1 for upload in root.glob("*") for p in upload.iterdir() if re.match(r"^\d{5}\.[0-9a-f]{32}$", p.name)
            )
        client = self.s3
        found = 0
        for upload in client.list_multipart_uploads(Bucket=self.bucket).get("Uploads", []):  # type: ignore[attr-defined]
            listed = client.list_parts(Bucket=self.bucket, Key=upload["Key"], UploadId=upload["UploadId"])  # type: ignore[attr-defined]
            found += len({p["PartNumber"] for p in listed.get("Parts", [])})
        return found


@pytest.fixture(params=["local", "s3", "minio"])
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Backend]:
    env: dict[str, str] = {}
    bucket = None
    s3 = None
    if request.param != "local":
        seaweedfs = request.getfixturevalue("seaweedfs")
        env = s3_env(seaweedfs, request.param)
        bucket = env["AURORAVAULT_S3__BUCKET"]
        s3 = seaweedfs.s3_client()
    server = Server(data_dir=tmp_path / "data", env=env)
    migrate(env, server.data_dir)
    server.start()
    try:
        yield Backend(request.param, server, bucket, s3)
    finally:
        server.stop()


def big_photo(path: Path) -> Path:
    """A real JPEG (so the CLI and the pipeline take it as a photo) padded to 300 MB."""
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 120, 40)).save(buffer, "JPEG")
    head = buffer.getvalue()
    with path.open("wb") as fh:
        fh.write(head)
        left = SIZE - len(head)
        while left:
            chunk = os.urandom(min(8 * MIB, left))
            fh.write(chunk)
            left -= len(chunk)
    return path


def sent_bytes(output: str) -> float:
    match = _SENT.search(output)
    assert match, output
    return float(match[1]) * {"B": 1, "KB": 1e3, "MB": 1e6, "GB": 1e9}[match[2]]


def test_a_300_mb_file_killed_halfway_resumes_with_only_the_missing_parts(backend: Backend, tmp_path: Path) -> None:
    cli = Cli(home=tmp_path / "home", server=backend.server)
    token = cli.register()
    folder = tmp_path / "photos"
    folder.mkdir()
    big_photo(folder / "big.jpg")

    # Slowed down so the kill lands mid-file: 2 parts in flight, 40 MB/s.
    run = cli.popen("upload", str(folder), "--parts", "2", "--limit-rate", "40M", "--quiet", log=tmp_path / "first.log")
    try:
        wait_for(lambda: backend.parts_stored() >= PARTS // 2, timeout=120, what="half the parts stored")
    finally:
        run.send_signal(signal.SIGKILL)
        run.wait()
    time.sleep(1.0)  # the parts cut off by the kill are dropped by storage, never half-kept
    before = backend.parts_stored()
    assert PARTS // 2 <= before < PARTS, before

    log_before = len(backend.server.log()) if backend.name == "local" else 0
    second = cli.run("upload", str(folder), "--quiet", timeout=300)
    assert second.returncode == 0, second.stdout + second.stderr
    assert "uploaded 1 " in second.stdout, second.stdout
    sent = sent_bytes(second.stdout)
    missing = (PARTS - before) * PART
    assert missing - PART <= sent <= missing + PART, (sent, before)  # the missing parts, not the file
    if backend.name == "local":
        # Exact, from the server's own access log: the second run PUT each missing part once.
        # (Only its own lines: a part whose last bytes reached the server after the kill is
        # stored, but its answer finds no client and uvicorn logs no line for it.)
        pattern = r'"PUT /blob-parts/\S+?[?&]part=(\d+)\S* HTTP/1\.1" 200'
        second_run = re.findall(pattern, backend.server.log()[log_before:])
        assert len(second_run) == len(set(second_run)) == PARTS - before, (second_run, before)

    def ready() -> bool:
        photos = server_photos(backend.server, token)
        return bool(photos) and photos[0]["status"] in ("ready", "failed")

    wait_for(ready, timeout=240, what="the photo processed")
    [photo] = server_photos(backend.server, token)
    assert photo["status"] == "ready", photo  # the server verified the whole file's sha256
    assert photo["size"] == SIZE
    with httpx.Client(base_url=backend.server.url, timeout=30) as http:
        resp = http.get("/api/v1/uploads", params={"state": "pending"}, headers={"Authorization": f"Bearer {token}"})
    assert resp.json()["items"] == []
    assert backend.parts_stored() == 0  # joined: no parts left behind
