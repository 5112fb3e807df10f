"""Albums in the CLI: ``upload --album NAME`` / ``--album-per-folder`` and the album folders of ``export``.

Upload: once the files are on the server, every photo of the run (uploaded, already there or
restored) is added to its album: the one named by ``--album``, or with ``--album-per-folder``
the one named after the folder the file is in (``~/Pictures/Portugal 2019/a.jpg`` goes to
"Portugal 2019"). An album is found by its name among the albums the user may add to (case
and surrounding spaces aside), else created. Adding is idempotent (the server answers
``already`` for a photo already there), so running the same upload again changes nothing.

Export: beside the ``YYYY/MM`` originals, ``DIR/albums/<album name>/`` holds each album's photos
as hard links to the exported originals (a copy where the file system has no hard links), so
they take no space twice, and ``album.json`` naming the album and, for each photo, its id, its
file in the album folder and the original's path. An album's folder is brought up to date on
every run: a photo that left the album leaves its folder (only files ``album.json`` listed
are ever removed). ``export --album NAME`` exports that album alone, in the same layout.
"""

from __future__ import annotations

import functools
import os
import shutil
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import msgspec

from auroravault.client.api import ApiError, AuroraClient
from auroravault.client.export_layout import safe_name
from auroravault.client.models import Photo, PhotoPage
from auroravault.client.report import FileResult
from auroravault.client.retry import RetryPolicy, retrying

ALBUMS_FOLDER = "albums"
MANIFEST = "album.json"
ADD_MAX = 1000  # ids per add call (the contract's bulk limit)
IN_ALBUM = ("uploaded", "existing", "restored")


class AlbumNotFound(Exception):
    """``--album NAME`` names no album the user can see."""


class Album(msgspec.Struct, kw_only=True):
    id: str
    name: str
    description: str | None = None
    role: str = "owner"
    photo_count: int = 0


class AlbumPage(msgspec.Struct, kw_only=True):
    items: list[Album]
    next_cursor: str | None = None


class AddResult(msgspec.Struct, kw_only=True):
    added: list[str] = []
    already: list[str] = []
    errors: list[dict[str, Any]] = []


def same_name(a: str, b: str) -> bool:
    return a.strip().casefold() == b.strip().casefold()


# -- the HTTP calls -------------------------------------------------------------------------------
async def list_albums(client: AuroraClient) -> list[Album]:
    albums: list[Album] = []
    cursor: str | None = None
    while True:
        params: dict[str, Any] = {"filter": "all", "limit": 200, **({"cursor": cursor} if cursor else {})}
        page = await client._call("GET", "/albums", AlbumPage, params=params)
        albums.extend(page.items)
        cursor = page.next_cursor
        if not cursor:
            return albums


async def album_photos(client: AuroraClient, album_id: str, *, page_size: int = 200) -> AsyncIterator[Photo]:
    cursor: str | None = None
    while True:
        params: dict[str, Any] = {"limit": page_size, **({"cursor": cursor} if cursor else {})}
        page = await client._call("GET", f"/albums/{album_id}/photos", PhotoPage, params=params)
        for photo in page.items:
            yield photo
        cursor = page.next_cursor
        if not cursor:
            return


async def create_album(client: AuroraClient, name: str) -> Album:
    return await client._call("POST", "/albums", Album, body={"name": name})


async def add_photos(client: AuroraClient, album_id: str, ids: list[str]) -> AddResult:
    return await client._call("POST", f"/albums/{album_id}/photos", AddResult, body={"ids": ids})


def find(albums: Iterable[Album], name: str, *, writable: bool = False) -> Album | None:
    """The album called ``name`` (an own album first, then one shared with the user)."""
    matches = [a for a in albums if same_name(a.name, name) and (not writable or a.role != "viewer")]
    matches.sort(key=lambda a: a.role != "owner")
    return matches[0] if matches else None


# -- upload --------------------------------------------------------------------------------------
@dataclass
class AlbumReport:
    """What the upload did to albums: name -> photos added (already there not counted)."""

    added: dict[str, int] = field(default_factory=dict)
    already: dict[str, int] = field(default_factory=dict)
    created: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)  # (photo id, code)


def album_names(results: Iterable[FileResult], album: str | None, per_folder: bool) -> dict[str, list[str]]:
    """Album name -> the photo ids of the run that go into it, in the order of the files."""
    wanted: dict[str, list[str]] = {}
    for row in results:
        if row.outcome not in IN_ALBUM or not row.photo_id:
            continue
        name = album if album else Path(row.path).resolve().parent.name if per_folder else None
        if not name:
            continue
        ids = wanted.setdefault(name.strip(), [])
        if row.photo_id not in ids:
            ids.append(row.photo_id)
    return wanted


async def file_into_albums(
    client: AuroraClient, wanted: dict[str, list[str]], retry: RetryPolicy | None = None
) -> AlbumReport:
    """Add each album's photos to it, creating the albums that do not exist yet."""
    policy = retry or RetryPolicy()
    report = AlbumReport()
    if not wanted:
        return report
    albums = await retrying(policy, functools.partial(list_albums, client))
    for name, ids in wanted.items():
        found = find(albums, name, writable=True)
        if found is None:
            found = await retrying(policy, functools.partial(create_album, client, name))
            albums.append(found)
            report.created.append(found.name)
        album = found
        for start in range(0, len(ids), ADD_MAX):
            chunk = ids[start : start + ADD_MAX]
            answer = await retrying(policy, functools.partial(add_photos, client, album.id, chunk))
            report.added[album.name] = report.added.get(album.name, 0) + len(answer.added)
            report.already[album.name] = report.already.get(album.name, 0) + len(answer.already)
            report.failed.extend((str(e.get("id")), str(e.get("code"))) for e in answer.errors)
    return report


# -- export --------------------------------------------------------------------------------------
@dataclass
class AlbumFolders:
    """The albums an export writes folders for, with their photos (filled while listing)."""

    albums: list[Album] = field(default_factory=list)
    members: dict[str, list[Photo]] = field(default_factory=dict)  # album id -> its photos
    linked: int = 0  # album entries written this run

    async def load(self, client: AuroraClient, only: str | None = None) -> None:
        """Every album the user can see, or the one called ``only`` (AlbumNotFound when none is).

        A server from before albums (``GET /albums`` unknown) has none: a full export goes on.
        """
        try:
            albums = await list_albums(client)
        except ApiError as exc:
            if exc.status != 404 or only is not None:
                raise
            albums = []
        if only is not None:
            album = find(albums, only)
            if album is None:
                known = ", ".join(sorted(a.name for a in albums)) or "none"
                raise AlbumNotFound(f"no album called {only!r} (albums: {known})")
            albums = [album]
        self.albums = albums
        for album in albums:
            self.members[album.id] = [p async for p in album_photos(client, album.id)]

    def photos(self) -> list[Photo]:
        return [photo for album in self.albums for photo in self.members[album.id]]

    def write(self, target: Path, exported: dict[str, Path]) -> None:
        """Bring every album folder up to date with the originals now in ``target``. Blocking."""
        root = target / ALBUMS_FOLDER
        folders: dict[str, str] = {}
        for album in self.albums:
            # Two albums of one name (one's own and a shared one) get distinct folders.
            folder = safe_name(album.name)
            if folder in folders.values():
                folder = f"{folder}_{album.id}"
            folders[album.id] = folder
            self._write_one(root / folder, album, self.members[album.id], exported, target)

    def _write_one(
        self, folder: Path, album: Album, photos: list[Photo], exported: dict[str, Path], target: Path
    ) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        before = _read_manifest(folder)
        entries: list[dict[str, str]] = []
        used: set[str] = set()
        for photo in photos:
            original = exported.get(photo.id)
            if original is None or not original.is_file():
                continue  # not exported (failed): the next run links it
            name = original.name if original.name not in used else f"{photo.id}_{original.name}"
            used.add(name)
            entry = folder / name
            if not _same_file(entry, original):
                _link(original, entry)
                self.linked += 1
            entries.append({"id": photo.id, "file": name, "original": original.relative_to(target).as_posix()})
        for name in set(before) - used:
            (folder / name).unlink(missing_ok=True)  # left the album since the last export
        manifest = {"album_id": album.id, "name": album.name, "description": album.description, "photos": entries}
        tmp = folder / f".{MANIFEST}.part"
        tmp.write_bytes(msgspec.json.format(msgspec.json.encode(manifest), indent=2) + b"\n")
        os.replace(tmp, folder / MANIFEST)


def _read_manifest(folder: Path) -> list[str]:
    try:
        data = msgspec.json.decode((folder / MANIFEST).read_bytes())
    except (OSError, msgspec.DecodeError):
        return []
    photos = data.get("photos") if isinstance(data, dict) else None
    names = [p.get("file") for p in photos or [] if isinstance(p, dict)]
    return [n for n in names if isinstance(n, str) and n and "/" not in n and not n.startswith(".")]


def _same_file(entry: Path, original: Path) -> bool:
    try:
        a, b = entry.stat(), original.stat()
    except OSError:
        return False
    return (a.st_ino, a.st_dev) == (b.st_ino, b.st_dev) or (a.st_size == b.st_size and a.st_mtime == b.st_mtime)


def _link(original: Path, entry: Path) -> None:
    tmp = entry.with_name(f".{entry.name}.part")
    tmp.unlink(missing_ok=True)
    try:
        os.link(original, tmp)
    except OSError:
        shutil.copy2(original, tmp)  # no hard links here (another file system, FAT): a copy
    os.replace(tmp, entry)
