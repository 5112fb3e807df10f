"""The first stages of an upload run: hash the files (with the state file's cache), then
triage each content: settled already, known to the server (``check``), sent by an earlier
run (``probe``), or to be sent."""

from __future__ import annotations

import asyncio
import functools

from auroravault.client.api import ClientError
from auroravault.client.ledger import RunLedger, _fresh, _why
from auroravault.client.report import FileResult, Outcome
from auroravault.client.retry import retrying
from auroravault.client.scan import Candidate, Changed, sniff_and_hash
from auroravault.client.state import Item


class Triage(RunLedger):
    """Hashing and triage: which contents of a chunk of files still need sending."""

    # -- hashing -------------------------------------------------------------------------------------
    async def _hash_chunk(self, chunk: list[Candidate]) -> list[tuple[Candidate, str, str]]:
        cache_rows: list[tuple[str, int, int, str | None, str | None]] = []

        async def one(cand: Candidate) -> tuple[Candidate, str, str] | None:
            cached = self.state.cached_hash(str(cand.path), cand.size, cand.mtime_ns)
            if cached is not None:
                sha, ctype = cached.sha256, cached.content_type
            else:
                async with self._hash_gate:
                    try:
                        sha, ctype, size, mtime_ns = await asyncio.to_thread(sniff_and_hash, cand.path)
                    except (OSError, Changed) as exc:
                        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
                        self._result(FileResult(path=str(cand.path), outcome="failed", size=cand.size, reason=reason))
                        return None
                cand = Candidate(path=cand.path, size=size, mtime_ns=mtime_ns)
                cache_rows.append((str(cand.path), size, mtime_ns, sha, ctype))
            self.progress.file_hashed()
            if sha is None or ctype is None:
                why = "empty file" if cand.size == 0 else "not a photo (by content)"
                self._result(FileResult(path=str(cand.path), outcome="skipped", size=cand.size, reason=why))
                return None
            return cand, sha, ctype

        found = await asyncio.gather(*(one(c) for c in chunk))
        if cache_rows:
            self.state.cache_hashes(cache_rows)
        return [f for f in found if f is not None]

    # -- triage: what needs sending ------------------------------------------------------------------
    async def _triage(self, hashed: list[tuple[Candidate, str, str]]) -> list[Item]:
        """Attach files to contents; settle what is settled; return the contents to initiate."""
        fresh: dict[str, Item] = {}
        for cand, sha, ctype in hashed:
            if sha in self._paths:  # seen earlier in this run
                self._paths[sha].append(cand)
                if sha in self._done:
                    self._result(self._file_result(cand, sha, first=False))
                continue
            self._paths[sha] = [cand]
            self._files[sha] = cand
            fresh[sha] = Item(
                sha256=sha,
                size=cand.size,
                content_type=ctype,
                filename=cand.path.name,
                path=str(cand.path),
                stage="hashed",
            )
        if not fresh:
            return []
        self.state.add(fresh.values())
        items: list[Item] = []
        for sha, new in fresh.items():
            row = self.state.get(sha)
            assert row is not None  # just added
            # The file may have moved or been renamed since an earlier run: send this one.
            row.path, row.filename, row.size, row.content_type = new.path, new.filename, new.size, new.content_type
            items.append(row)

        ready: list[Item] = []
        to_check: list[Item] = []
        to_probe: list[Item] = []
        for item in items:
            if item.stage == "completed" and (item.outcome == "deleted" or self.opts.include_deleted):
                to_check.append(item)  # the user may have deleted or restored it since
            elif item.stage == "completed":
                self._finish(item, "existing", "already uploaded by an earlier run")
            elif item.upload_id:
                to_probe.append(item)
            else:
                to_check.append(item)
        ready += await self._check(to_check)
        ready += await self._probe(to_probe)
        return ready

    async def _check(self, items: list[Item]) -> list[Item]:
        """Ask which contents the server already has, or had and the user deleted; the rest need sending."""
        if not items:
            return []
        try:
            hashes = [i.sha256 for i in items]
            answer = await retrying(self.opts.retry, functools.partial(self.client.check, hashes))
        except ClientError as exc:
            # Not sent blind: init would restore a photo the user put in the trash.
            for item in items:
                self._failed(item, f"could not ask the server which photos it has: {_why(exc)}; run again")
            return []
        deleted = set(answer.deleted)
        ready: list[Item] = []
        settled: list[tuple[Item, Outcome, str | None]] = []
        for item in items:
            photo_id = answer.existing.get(item.sha256)
            trashed_id = answer.trashed.get(item.sha256)
            earlier = "already uploaded by an earlier run" if item.stage == "completed" else None
            if photo_id is not None:
                settled.append((item, "existing", earlier if item.outcome != "deleted" else None))
                item.photo_id, item.outcome = photo_id, "existing"
            elif trashed_id is None and item.sha256 not in deleted:
                ready.append(_fresh(item) if item.stage == "completed" else item)
            elif self.opts.include_deleted:
                if trashed_id is not None:
                    self._reviving.add(item.sha256)
                ready.append(_fresh(item) if item.stage == "completed" else item)
            else:
                where = "in the trash on the server" if trashed_id is not None else "deleted on the server"
                item.photo_id = trashed_id or item.photo_id
                item.outcome, item.upload_id, item.batch_id = "deleted", None, None
                settled.append((item, "deleted", f"{where}; --include-deleted uploads it again"))
        for item, _, _ in settled:
            item.stage, item.error = "completed", None
        self.state.save([item for item, _, _ in settled] + ready)
        for item, outcome, reason in settled:
            self._finish(item, outcome, reason)
        return ready

    async def _probe(self, items: list[Item]) -> list[Item]:
        """Uploads recorded by an earlier run: done if their bytes arrived, else to send again.

        ``complete`` HEADs each object: ``processing`` means the bytes are there (confirmed
        now or before), ``pending`` means not yet. Either way nothing is sent twice.
        """
        by_batch: dict[str, list[Item]] = {}
        for item in items:
            by_batch.setdefault(item.batch_id or "", []).append(item)
        ready: list[Item] = []
        for batch_id, group in by_batch.items():
            answers = await self._complete_quietly(batch_id, group)
            for item in group:
                status = answers.get(item.upload_id or "")
                if status == "processing":
                    self._completed(item, "uploaded")
                else:
                    if status in ("rejected", "expired"):
                        item.upload_id = item.batch_id = None  # that upload is over: init makes a new one
                    ready.append(item)
        return ready
