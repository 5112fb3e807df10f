"""``export DIR``: every original out, each with a JSON sidecar, verified, resumable.

Layout (see ``export_layout``)::

    DIR/2019/07/flower.jpg          the original, byte for byte, its mtime set to taken_at
    DIR/2019/07/flower.jpg.json     its metadata: the photo as ``GET /photos/{id}`` returns it
                                    (favorite, archived, description, trashed_at, exif_taken_at)
                                    and ``corrections`` (what the owner changed against EXIF)
    DIR/trash/2021/01/...           photos in the trash, with ``include_trash`` only
    DIR/albums/Portugal 2019/...    each album's photos, hard links to the originals, and its
                                    album.json (see ``client.albums``)

``album`` exports one album alone (its photos, in the same layout, and its album folder).

Archived photos are exported like the others. Names: the photo's filename, made safe (no path
separators, no leading dot). When that name is already taken in its folder by another photo
(known from its sidecar, or from its content when the sidecar is missing) or by an earlier
photo of this run, the name becomes ``<stem>_<photo_id><ext>``.

A photo already exported elsewhere in ``DIR`` (the flat layout of older versions, or the month
it had before its date was corrected, or the trash it was restored from) is *moved* into its
folder, original then sidecar, keeping its name when it is free there: nothing is downloaded
again. Folders a move leaves empty are removed.

Guarantees:

- Each original is streamed to ``.<name>.part`` while its sha256 is computed, compared with
  the server's sha256, fsynced and renamed into place; its sidecar is written the same way
  *after* it. So a file with a sidecar was verified, and a crash leaves no half file.
- Resume: a photo whose original exists with the right size and whose sidecar names the same
  photo id and sha256 is not downloaded again (``verify=True`` re-hashes it to be sure). A
  changed sidecar (processing filled in metadata, the owner edited it) is rewritten without
  downloading. A crash between the two renames of a move leaves an original without sidecar
  (hashed, then given its sidecar, on the next run) and a stray sidecar (removed then).
- Transient failures retry with backoff; expired download URLs are asked for again; a file
  that still fails is reported, and the exit code says so. Nothing is ever deleted from
  ``DIR`` but stray sidecars and empty folders: a photo deleted on the server stays exported.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from auroravault.client.albums import AlbumFolders
from auroravault.client.api import ApiError, AuroraClient, ClientError
from auroravault.client.export_layout import (
    ExistingExport,
    file_time,
    folder_of,
    read_sidecar,
    safe_name,
    scan_existing,
    sidecar_bytes,
    sidecar_of,
)
from auroravault.client.models import Photo
from auroravault.client.progress import Progress
from auroravault.client.retry import Fatal, RetryPolicy, retrying

ExportOutcome = Literal["downloaded", "present", "failed"]


@dataclass(frozen=True, slots=True)
class Placement:
    """Where a photo goes, and where an earlier export put it when that is elsewhere (a move)."""

    path: Path
    move_from: Path | None = None


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
    moved: int = 0  # exported earlier elsewhere in the folder, moved into place without downloading
    albums: int = 0  # album folders written

    def of(self, outcome: ExportOutcome) -> list[ExportResult]:
        return [r for r in self.results if r.outcome == outcome]

    @property
    def ok(self) -> bool:
        return not self.of("failed")


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
        include_trash: bool = False,
        retry: RetryPolicy | None = None,
        progress: Progress | None = None,
        album: str | None = None,
    ) -> None:
        self.client = client
        self.album = album  # export this album alone (by name)
        self.albums = AlbumFolders()
        self.target = target
        self.verify = verify
        self.include_trash = include_trash
        self.retry = retry or RetryPolicy()
        self.progress = progress or Progress(quiet=True)
        self.report = ExportReport()
        self._gate = asyncio.Semaphore(jobs)
        self._taken: set[Path] = set()  # paths (original and sidecar) given out in this run
        self._existing = ExistingExport()
        self._emptied: set[Path] = set()  # folders a move took a file from

    async def run(self) -> ExportReport:
        started = time.monotonic()
        self.target.mkdir(parents=True, exist_ok=True)
        photos: dict[str, Photo] = {}
        await retrying(self.retry, lambda: self.albums.load(self.client, only=self.album))
        if self.album is None:
            # Oldest first: the order a family's history was made, and stable across runs.
            async for photo in self.client.list_photos(order="oldest", archived="include"):
                photos.setdefault(photo.id, photo)
        # An album's photos, shared ones included: its folder links to every one of them.
        for photo in self.albums.photos():
            photos.setdefault(photo.id, photo)
        if self.include_trash:
            async for photo in self.client.list_trash():
                photos.setdefault(photo.id, photo)
        # A Live Photo's motion video is not listed (its still stands for it): it goes out too.
        for still in [p for p in photos.values() if p.motion_photo_id and p.motion_photo_id not in photos]:
            motion = await self._motion_of(still)
            if motion is not None:
                photos.setdefault(motion.id, motion)
        self.progress.add_total(len(photos), sum(p.size for p in photos.values()))
        self.progress.start()
        try:
            self._existing = await asyncio.to_thread(scan_existing, self.target)
            plan = [(photo, await asyncio.to_thread(self._place, photo)) for photo in photos.values()]
            await asyncio.gather(*(self._export(photo, place) for photo, place in plan))
            await asyncio.to_thread(self._prune)
            exported = {r.photo_id: Path(r.path) for r in self.report.results if r.outcome != "failed"}
            await asyncio.to_thread(self.albums.write, self.target, exported)
            self.report.albums = len(self.albums.albums)
        finally:
            await self.progress.stop()
            self.report.elapsed = time.monotonic() - started
            self.report.bytes_downloaded = self.progress.bytes_sent
        return self.report

    async def _motion_of(self, still: Photo) -> Photo | None:
        """A Live Photo's motion video, or None when the caller may not see it on its own (a
        shared still's motion stays with its owner)."""
        motion_id = still.motion_photo_id or ""
        try:
            return await retrying(self.retry, lambda: self.client.get_photo(motion_id))
        except ApiError as exc:
            if exc.status == 404:
                return None
            raise

    def _owner_of(self, path: Path, photo: Photo) -> bool | None:
        """Whether ``path`` holds this photo: True, False (another's), None (free)."""
        sidecar = read_sidecar(path)
        if sidecar is not None:
            return sidecar.get("id") == photo.id
        if not path.exists():
            return None if not sidecar_of(path).exists() else False
        # An original without its sidecar: a run that stopped between the two renames.
        try:
            return path.stat().st_size == photo.size and _sha256_file(path) == photo.sha256
        except OSError:
            return False

    def _place(self, photo: Photo) -> Placement:
        """The deterministic path of a photo's original (see the module docstring)."""
        folder = self.target / folder_of(photo)
        earlier = self._existing.originals.get(photo.id)
        plain = safe_name(photo.filename)
        stem, ext = os.path.splitext(plain)
        names = [plain, f"{stem}_{photo.id}{ext}"]
        if earlier is not None:
            names.insert(0, earlier.name)  # a name once exported is kept when it is free
        for name in names:
            path = folder / name
            if path in self._taken or sidecar_of(path) in self._taken:
                continue
            if path != earlier and self._owner_of(path, photo) is False:
                continue
            return self._reserve(path, earlier)
        # Both taken, which only a hand-made file can cause: the id alone is unique.
        return self._reserve(folder / f"{photo.id}{ext}", earlier)

    def _reserve(self, path: Path, earlier: Path | None) -> Placement:
        self._taken.update((path, sidecar_of(path)))
        return Placement(path, earlier if earlier is not None and earlier != path else None)

    def _move(self, old: Path, new: Path) -> None:
        """Move an earlier export into place: original, then sidecar (see the module docstring)."""
        new.parent.mkdir(parents=True, exist_ok=True)
        if new.exists():  # already there (a move cut short): the old copy is redundant
            old.unlink()
        else:
            os.rename(old, new)
        if sidecar_of(old).exists():
            os.replace(sidecar_of(old), sidecar_of(new))
        self._emptied.add(old.parent)

    def _prune(self) -> None:
        """Remove the folders moves left empty (and their empty parents), never ``DIR`` itself."""
        for folder in sorted(self._emptied, key=lambda f: len(f.parts), reverse=True):
            while folder != self.target and self.target in folder.parents:
                try:
                    folder.rmdir()
                except OSError:
                    break  # not empty: it holds something
                folder = folder.parent

    def _set_time(self, photo: Photo, path: Path) -> None:
        """The original's mtime (and atime) is the photo's taken_at."""
        when = file_time(photo)
        if when is not None and abs(path.stat().st_mtime - when) > 1e-3:
            os.utime(path, (when, when))

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
        sidecar = read_sidecar(path)
        if sidecar is not None and (sidecar.get("id"), sidecar.get("sha256")) != (photo.id, photo.sha256):
            return False
        if sidecar is not None and not self.verify:
            return True
        # No sidecar (a run stopped between the two renames), or --verify: hash it.
        return _sha256_file(path) == photo.sha256

    async def _export(self, photo: Photo, place: Placement) -> None:
        path = place.path
        async with self._gate:
            try:
                if place.move_from is not None:
                    await asyncio.to_thread(self._move, place.move_from, path)
                    self.report.moved += 1
                if await asyncio.to_thread(self._present, photo, path):
                    fresh = sidecar_bytes(photo)
                    side = sidecar_of(path)
                    current = await asyncio.to_thread(side.read_bytes) if side.exists() else b""
                    if current != fresh:  # new metadata (processing finished, an edit) or no sidecar yet
                        await asyncio.to_thread(_write_atomic, side, fresh)
                    await asyncio.to_thread(self._set_time, photo, path)
                    outcome: ExportOutcome = "present"
                else:
                    await self._download(photo, path)
                    await asyncio.to_thread(_write_atomic, sidecar_of(path), sidecar_bytes(photo))
                    outcome = "downloaded"
                for stray in self._existing.orphans.get(photo.id, []):
                    if stray != sidecar_of(path):
                        await asyncio.to_thread(stray.unlink, missing_ok=True)
                self._done(photo, path, outcome)
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
        await asyncio.to_thread(path.parent.mkdir, parents=True, exist_ok=True)
        trashed = photo.trashed_at is not None  # a trashed original is reached through the trash
        attempt = 0
        try:
            while True:
                link = await retrying(self.retry, lambda: self.client.download_url(photo.id, trashed=trashed))
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
            await asyncio.to_thread(self._set_time, photo, tmp)
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
    include_trash: bool = False,
    retry: RetryPolicy | None = None,
    progress: Progress | None = None,
    album: str | None = None,
) -> ExportReport:
    """Export every photo of the account (and its trash, with ``include_trash``) into ``target``,
    with a folder per album; or, with ``album``, that album alone."""
    exporter = Exporter(
        client,
        target,
        jobs=jobs,
        verify=verify,
        include_trash=include_trash,
        retry=retry,
        progress=progress,
        album=album,
    )
    return await exporter.run()
