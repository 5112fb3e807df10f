"""``export DIR``: every original out, each with a JSON sidecar, verified, resumable.

Layout (flat, so a photo's place never depends on metadata that processing may still fill in)::

    DIR/flower.jpg          the original, byte for byte
    DIR/flower.jpg.json     its metadata (the photo as ``GET /photos/{id}`` returns it)

Names: the photo's filename, made safe (no path separators, no leading dot). When that name
is already taken by another photo (known from its sidecar, or from its content when the
sidecar is missing) or by an earlier photo of this run, the name becomes
``<stem>_<photo_id><ext>``: deterministic, and an exported file never changes name.

Guarantees:

- Each original is streamed to ``.<name>.part`` while its sha256 is computed, compared with
  the server's sha256, fsynced and renamed into place; its sidecar is written the same way
  *after* it. So a file with a sidecar was verified, and a crash leaves no half file.
- Resume: a photo whose original exists with the right size and whose sidecar names the same
  photo id and sha256 is not downloaded again (``verify=True`` re-hashes it to be sure). A
  changed sidecar (processing filled in metadata) is rewritten without downloading.
- Transient failures retry with backoff; expired download URLs are asked for again; a file
  that still fails is reported, and the exit code says so.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import os
import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import msgspec

from auroravault.client.api import ApiError, AuroraClient, ClientError
from auroravault.client.models import Photo
from auroravault.client.progress import Progress
from auroravault.client.uploader import Fatal, RetryPolicy, retrying

ExportOutcome = Literal["downloaded", "present", "failed"]
SIDECAR_SUFFIX = ".json"
_UNSAFE = re.compile(r'[\x00-\x1f/\\:*?"<>|]')


@dataclass(frozen=True, slots=True)
class ExportResult:
    photo_id: str
    path: str
    outcome: ExportOutcome
    size: int
    reason: str | None = None


@dataclass
class ExportReport:
    results: list[ExportResult] = field(default_factory=list)
    elapsed: float = 0.0
    bytes_downloaded: int = 0

    def of(self, outcome: ExportOutcome) -> list[ExportResult]:
        return [r for r in self.results if r.outcome == outcome]

    @property
    def ok(self) -> bool:
        return not self.of("failed")


def safe_name(filename: str) -> str:
    """A filename that stays inside the export folder and is not hidden."""
    name = _UNSAFE.sub("_", filename).strip().lstrip(".").strip()
    return name[:200] or "photo"


def sidecar_of(path: Path) -> Path:
    return path.with_name(path.name + SIDECAR_SUFFIX)


def sidecar_bytes(photo: Photo) -> bytes:
    """The sidecar: the photo's metadata, without the short-lived thumbnail URL."""
    data: dict[str, Any] = msgspec.to_builtins(photo)
    data.pop("thumb_url", None)
    return msgspec.json.format(msgspec.json.encode(data), indent=2) + b"\n"


def _read_sidecar(path: Path) -> dict[str, Any] | None:
    try:
        data = msgspec.json.decode(sidecar_of(path).read_bytes())
    except (OSError, msgspec.DecodeError):
        return None
    return data if isinstance(data, dict) else None


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(1024 * 1024):
            digest.update(chunk)
    return digest.hexdigest()


def _write_atomic(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.part")
    with tmp.open("wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


class Exporter:
    def __init__(
        self,
        client: AuroraClient,
        target: Path,
        *,
        jobs: int = 4,
        verify: bool = False,
        retry: RetryPolicy | None = None,
        progress: Progress | None = None,
    ) -> None:
        self.client = client
        self.target = target
        self.verify = verify
        self.retry = retry or RetryPolicy()
        self.progress = progress or Progress(quiet=True)
        self.report = ExportReport()
        self._gate = asyncio.Semaphore(jobs)
        self._taken: set[str] = set()  # names (original and sidecar) given out in this run

    async def run(self) -> ExportReport:
        started = time.monotonic()
        self.target.mkdir(parents=True, exist_ok=True)
        photos: list[Photo] = []
        # Oldest first: the order a family's history was made, and stable across runs.
        async for photo in self.client.list_photos(order="oldest"):
            photos.append(photo)
        self.progress.add_total(len(photos), sum(p.size for p in photos))
        self.progress.start()
        try:
            plan = [(photo, await asyncio.to_thread(self._place, photo)) for photo in photos]
            await asyncio.gather(*(self._export(photo, path) for photo, path in plan))
        finally:
            await self.progress.stop()
            self.report.elapsed = time.monotonic() - started
            self.report.bytes_downloaded = self.progress.bytes_sent
        return self.report

    def _owner_of(self, path: Path, photo: Photo) -> bool | None:
        """Whether ``path`` holds this photo: True, False (another's), None (free)."""
        sidecar = _read_sidecar(path)
        if sidecar is not None:
            return sidecar.get("id") == photo.id
        if not path.exists():
            return None if not sidecar_of(path).exists() else False
        # An original without its sidecar: a run that stopped between the two renames.
        try:
            return path.stat().st_size == photo.size and _sha256_file(path) == photo.sha256
        except OSError:
            return False

    def _place(self, photo: Photo) -> Path:
        """The deterministic path of a photo's original (see the module docstring)."""
        plain = safe_name(photo.filename)
        stem, ext = os.path.splitext(plain)
        for name in (plain, f"{stem}_{photo.id}{ext}"):
            path = self.target / name
            if name in self._taken or name + SIDECAR_SUFFIX in self._taken:
                continue
            if self._owner_of(path, photo) is False:
                continue
            self._taken.update((name, name + SIDECAR_SUFFIX))
            return path
        # Both taken, which only a hand-made file can cause: the id alone is unique.
        name = f"{photo.id}{ext}"
        self._taken.update((name, name + SIDECAR_SUFFIX))
        return self.target / name

    def _done(self, photo: Photo, path: Path, outcome: ExportOutcome, reason: str | None = None) -> None:
        self.report.results.append(ExportResult(photo.id, str(path), outcome, photo.size, reason))
        self.progress.file_done(outcome, photo.size)
        if outcome == "failed":
            self.progress.message(f"failed: {photo.filename} ({photo.id}): {reason}")

    def _present(self, photo: Photo, path: Path) -> bool:
        """Whether the original at ``path`` is this photo's, verified (see the module docstring)."""
        try:
            if path.stat().st_size != photo.size:
                return False
        except OSError:
            return False
        sidecar = _read_sidecar(path)
        if sidecar is not None and (sidecar.get("id"), sidecar.get("sha256")) != (photo.id, photo.sha256):
            return False
        if sidecar is not None and not self.verify:
            return True
        # No sidecar (a run stopped between the two renames), or --verify: hash it.
        return _sha256_file(path) == photo.sha256

    async def _export(self, photo: Photo, path: Path) -> None:
        async with self._gate:
            try:
                if await asyncio.to_thread(self._present, photo, path):
                    fresh = sidecar_bytes(photo)
                    side = sidecar_of(path)
                    current = await asyncio.to_thread(side.read_bytes) if side.exists() else b""
                    if current != fresh:  # new metadata (processing finished) or no sidecar yet
                        await asyncio.to_thread(_write_atomic, side, fresh)
                    self._done(photo, path, "present")
                    return
                await self._download(photo, path)
                await asyncio.to_thread(_write_atomic, sidecar_of(path), sidecar_bytes(photo))
                self._done(photo, path, "downloaded")
            except Fatal:
                raise
            except ClientError as exc:
                reason = f"{exc.code}: {exc.detail}" if isinstance(exc, ApiError) else exc.detail
                self._done(photo, path, "failed", reason)
            except (OSError, ValueError) as exc:
                self._done(photo, path, "failed", str(exc))

    async def _download(self, photo: Photo, path: Path) -> None:
        """Download, verify and rename into place; a bad checksum is retried, then reported."""
        tmp = path.with_name(f".{path.name}.part")
        attempt = 0
        try:
            while True:
                link = await retrying(self.retry, lambda: self.client.download_url(photo.id))
                try:
                    digest = await self.client.download_to(link.url, tmp, on_progress=self.progress.transferred)
                except ClientError as exc:
                    # An expired link (403) is asked for again at once; other transient errors back off.
                    attempt += 1
                    if not (exc.transient or (isinstance(exc, ApiError) and exc.status == 403)):
                        raise
                    if attempt >= self.retry.attempts:
                        raise
                    if exc.transient:
                        await asyncio.sleep(self.retry.delay(attempt - 1, exc.retry_after))
                    continue
                if digest == photo.sha256:
                    break
                attempt += 1
                if attempt >= self.retry.attempts:
                    raise ValueError(f"sha256 mismatch: got {digest}, the server says {photo.sha256}")
            await asyncio.to_thread(os.replace, tmp, path)
        finally:
            with contextlib.suppress(FileNotFoundError):
                await asyncio.to_thread(tmp.unlink)


async def export(
    client: AuroraClient,
    target: Path,
    *,
    jobs: int = 4,
    verify: bool = False,
    retry: RetryPolicy | None = None,
    progress: Progress | None = None,
) -> ExportReport:
    """Export every photo of the account into ``target``; see the module docstring."""
    return await Exporter(client, target, jobs=jobs, verify=verify, retry=retry, progress=progress).run()
