"""The upload engine: folders in, every photo on the server exactly once, nothing lost.

Pipeline (all in one event loop; hashing and file reads in worker threads)::

    scan -> hash (cache) -> triage (check / probe) -> batches of <= 50 -> init -> PUTs -> complete

Guarantees, and how:

- *Nothing completed is sent again.* A content (sha256) whose row is ``completed`` is never
  contacted again. Contents the server already has are found by ``POST /uploads/check``
  before any URL is asked for, and ``init`` answers ``duplicate`` for any left.
- *Nothing is sent twice after it arrived.* Before a PUT that might repeat an earlier one
  (a retry in this run, or any upload recorded by an earlier run: rows with an upload id),
  the engine *probes*: ``complete`` of that upload HEADs the object on the server, and an
  upload that answers ``processing`` is done without sending a byte.
- *Nothing ends twice on the server.* ``complete`` is idempotent, and a resumed sha256 gets
  its same photo and upload ids back from ``init`` (with a fresh URL).
- *Resumable anywhere.* Each stage is committed to the state file before the next step
  (ids before the PUT, ``sent`` right after it), so Ctrl-C, SIGKILL, a lost network or a
  restarted server only cost the work in flight.
- *Transient failures retry* (connection errors, 5xx, 429, 408) with exponential backoff and
  full jitter, honouring ``Retry-After``; a presigned URL refused with 403 (expired) or about
  to expire is replaced by asking ``init`` again. After the last try a file is reported as
  failed with its reason, never dropped.
- *What the user deleted stays deleted.* ``check`` names the contents in the server's trash
  and those deleted for good; they are reported ``deleted`` and not sent, unless
  ``include_deleted``: then a trashed photo is restored (``init`` answers ``duplicate``) and a
  deleted one is uploaded as a new photo, even if an earlier run had completed it.
- Each file carries ``file_modified_at`` (its mtime), the server's ``taken_at`` for a photo
  without an EXIF date.
"""

from __future__ import annotations

import asyncio
import functools
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from auroravault.client.api import ApiError, AuroraClient, ClientError
from auroravault.client.models import FileSpec, PresignedRequest
from auroravault.client.progress import Progress
from auroravault.client.report import FileResult, Outcome, UploadOptions, UploadReport
from auroravault.client.retry import Fatal, RateLimiter, retrying
from auroravault.client.scan import Candidate, Changed, scan_paths, sniff_and_hash
from auroravault.client.state import Item, StateStore

CHECK_MAX = 1000


@dataclass
class _Url:
    request: PresignedRequest
    expires: float | None  # time.monotonic() when storage will refuse it; None: clocks disagree
    life: float = 0.0  # its lifetime when issued, in seconds

    def stale(self, margin: float | None) -> bool:
        """Expired, or (with a margin) about to: ask for a fresh one before sending.

        The margin only applies to URLs that live much longer than it, so a short TTL never
        makes a fresh URL look stale at once.
        """
        if self.expires is None:
            return False
        early = margin if margin and self.life > 2 * margin else 0.0
        return time.monotonic() >= self.expires - early


class Uploader:
    """One upload run against one server, with one state file. ``run()`` once per instance."""

    def __init__(
        self,
        client: AuroraClient,
        state: StateStore,
        options: UploadOptions | None = None,
        progress: Progress | None = None,
    ) -> None:
        self.client = client
        self.state = state
        self.opts = options or UploadOptions()
        self.progress = progress or Progress(quiet=True)
        self.report = UploadReport()
        self._put_gate = asyncio.Semaphore(self.opts.jobs)
        self._hash_gate = asyncio.Semaphore(self.opts.hash_workers)
        self._pace = RateLimiter(self.opts.limit_rate) if self.opts.limit_rate else None
        self._files: dict[str, Candidate] = {}  # sha256 -> the file sent for it
        self._paths: dict[str, list[Candidate]] = {}  # sha256 -> every file with that content
        self._done: dict[str, tuple[Outcome, str | None, str | None]] = {}  # sha -> outcome, reason, photo
        self._reviving: set[str] = set()  # trashed on the server, sent again with include_deleted

    # -- the run -------------------------------------------------------------------------------
    async def run(self, paths: Sequence[Path]) -> UploadReport:
        started = time.monotonic()
        scan = await asyncio.to_thread(scan_paths, list(paths))
        self.report.ignored = scan.ignored
        for path, reason in scan.missing:
            self._result(FileResult(path=path, outcome="failed", size=0, reason=reason))
        self.progress.add_total(len(scan.files) + len(scan.missing), scan.total_bytes)
        self.progress.start()
        try:
            batches: asyncio.Queue[list[Item] | None] = asyncio.Queue(maxsize=self.opts.batches_in_flight)
            async with asyncio.TaskGroup() as group:
                workers = [group.create_task(self._batch_worker(batches)) for _ in range(self.opts.batches_in_flight)]
                await self._produce(scan.files, batches)
                for _ in workers:
                    await batches.put(None)
        except BaseExceptionGroup as group_exc:
            # Surface the first real cause (Fatal, KeyboardInterrupt...) rather than the group.
            raise group_exc.exceptions[0] from None
        finally:
            await self.progress.stop()
            self.report.elapsed = time.monotonic() - started
            self.report.bytes_sent = self.progress.bytes_sent
        return self.report

    async def _produce(self, files: list[Candidate], out: asyncio.Queue[list[Item] | None]) -> None:
        # A small first chunk so the first PUT starts within a second on a cold cache;
        # then chunks sized for one check call.
        size = self.opts.batch_size
        start = 0
        while start < len(files):
            chunk = files[start : start + size]
            start += len(chunk)
            size = min(CHECK_MAX, self.opts.batch_size * 8)
            ready = await self._triage(await self._hash_chunk(chunk))
            for i in range(0, len(ready), self.opts.batch_size):
                await out.put(ready[i : i + self.opts.batch_size])

    async def _batch_worker(self, queue: asyncio.Queue[list[Item] | None]) -> None:
        while (items := await queue.get()) is not None:
            await self._run_batch(items)

    # -- results -----------------------------------------------------------------------------------
    def _result(self, result: FileResult, key: str | None = None) -> None:
        self.report.results.append(result)
        self.progress.file_done(result.outcome, result.size, key)
        if result.outcome == "failed":
            self.progress.message(f"failed: {result.path}: {result.reason}")

    def _finish(self, item: Item, outcome: Outcome, reason: str | None = None) -> None:
        """Record the outcome of a content for every file that has it."""
        self._done[item.sha256] = (outcome, reason, item.photo_id)
        for i, cand in enumerate(self._paths.get(item.sha256, [])):
            self._result(self._file_result(cand, item.sha256, first=i == 0), item.sha256 if i == 0 else None)

    def _file_result(self, cand: Candidate, sha: str, *, first: bool) -> FileResult:
        outcome, reason, photo_id = self._done[sha]
        if not first and outcome in ("uploaded", "existing", "restored"):
            outcome, reason = "existing", f"same content as {self._paths[sha][0].path}"
        return FileResult(path=str(cand.path), outcome=outcome, size=cand.size, reason=reason, photo_id=photo_id)

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

    async def _complete_quietly(self, batch_id: str, items: list[Item], *, retry: bool = True) -> dict[str, str]:
        """``upload_id -> status`` from ``complete``; empty when the batch or upload is unknown.

        ``retry=False`` tries once: the caller (a PUT's own retry loop) does the backing off.
        """
        ids = [i.upload_id for i in items if i.upload_id]
        if not batch_id or not ids:
            return {}
        call = functools.partial(self.client.complete, batch_id, ids)
        try:
            answer = await (retrying(self.opts.retry, call) if retry else call())
        except ApiError as exc:
            if exc.status == 404:  # moved to a later batch we did not record: init will tell
                return {}
            raise
        return {u.upload_id: u.status for u in answer}

    def _completed(self, item: Item, outcome: Outcome) -> None:
        item.stage, item.outcome, item.error = "completed", outcome, None
        self.state.save([item])
        self._finish(item, outcome)

    def _failed(self, item: Item, reason: str) -> None:
        item.stage, item.error = "failed", reason
        self.state.save([item])
        self._finish(item, "failed", reason)

    # -- one batch: init, PUTs, complete -------------------------------------------------------------
    async def _run_batch(self, items: list[Item]) -> None:
        try:
            urls = await self._init(items)
        except ClientError as exc:
            for item in items:
                if item.sha256 not in self._done:
                    self._failed(item, f"could not start the upload: {_why(exc)}")
            return
        await asyncio.gather(*(self._send(item, urls) for item in items if item.sha256 in urls))
        sent = [i for i in items if i.stage == "sent" and i.sha256 not in self._done]
        await self._confirm(sent)

    async def _init(self, items: list[Item]) -> dict[str, _Url]:
        """Ask for URLs; record ids before any byte moves. Duplicates complete here.

        A 422 listing bad files fails those files and asks again for the others.
        """
        pending = list(items)
        urls: dict[str, _Url] = {}
        while pending:
            specs = [
                FileSpec(
                    filename=i.filename,
                    size=i.size,
                    content_type=i.content_type,
                    sha256=i.sha256,
                    file_modified_at=_file_time(self._files[i.sha256]),
                )
                for i in pending
            ]
            try:
                asked = time.time()
                result = await retrying(self.opts.retry, functools.partial(self.client.init_batch, specs))
            except ApiError as exc:
                bad = {int(e["index"]) for e in exc.errors if isinstance(e.get("index"), int)}
                if exc.status != 422 or not bad:
                    raise
                for index in sorted(bad):
                    err = next(e for e in exc.errors if e.get("index") == index)
                    self._failed(pending[index], f"refused by the server: {err.get('code')}: {err.get('detail')}")
                pending = [item for n, item in enumerate(pending) if n not in bad]
                continue
            expires = _expiry(result.expires_at, asked)
            life = result.expires_at.timestamp() - asked
            dups: list[tuple[Item, Outcome]] = []
            for answer in result.items:
                item = pending[answer.index]
                item.photo_id = answer.photo_id
                if answer.status == "duplicate" or answer.upload is None:
                    # A trashed photo's bytes sent again restore it (same id): say so.
                    outcome: Outcome = "restored" if item.sha256 in self._reviving else "existing"
                    item.stage, item.outcome, item.error = "completed", outcome, None
                    dups.append((item, outcome))
                    continue
                item.stage, item.upload_id, item.batch_id = "initiated", answer.upload_id, result.batch_id
                urls[item.sha256] = _Url(answer.upload, expires, life)
            self.state.save(pending)
            for item, outcome in dups:
                self._finish(item, outcome, "restored from the trash on the server" if outcome == "restored" else None)
            return urls
        return urls

    async def _refresh(self, item: Item, urls: dict[str, _Url]) -> bool:
        """A fresh URL for one file; False when the server now has it (nothing left to send)."""
        found = await self._init([item])
        if item.sha256 not in found:
            return False
        urls[item.sha256] = found[item.sha256]
        return True

    async def _send(self, item: Item, urls: dict[str, _Url]) -> None:
        """PUT one file, retrying; never PUT again bytes the server already has."""
        cand = self._files[item.sha256]
        attempt = 0
        refreshes = 0
        must_refresh = False
        maybe_arrived = False  # an earlier PUT of this upload may have landed
        async with self._put_gate:
            while True:
                try:
                    if maybe_arrived:
                        probe = await self._complete_quietly(item.batch_id or "", [item], retry=False)
                        status = probe.get(item.upload_id or "")
                        if status == "processing":
                            self._completed(item, "uploaded")
                            return
                        maybe_arrived = False
                    url = urls[item.sha256]
                    # Proactively (within the margin) when enabled; after a failure without an
                    # answer, at least once the URL is past its expiry (a 403 may have been lost).
                    margin = self.opts.refresh_margin
                    if must_refresh or (url.stale(margin) if margin is not None else attempt and url.stale(0)):
                        refreshes += 1
                        if refreshes > self.opts.max_refreshes:
                            self._failed(item, "storage kept refusing fresh upload URLs (403); check the clocks")
                            return
                        if not await self._refresh(item, urls):
                            return  # a duplicate now: _init finished it
                        must_refresh = False
                        continue
                    if not await asyncio.to_thread(_unchanged, cand):
                        self._failed(item, "the file changed since it was hashed; run again")
                        return
                    item.puts += 1
                    self.report.puts += 1
                    await self.client.put_presigned(
                        url.request,
                        cand.path,
                        item.size,
                        on_progress=self.progress.sending(item.sha256),
                        pace=self._pace,
                    )
                except ApiError as exc:
                    if exc.status == 401:
                        raise Fatal(f"the server refused the token ({exc.code}): run `auroravault login`") from exc
                    if exc.url_expired:
                        must_refresh = True
                        continue
                    if not exc.transient:
                        self._failed(item, _why(exc))
                        return
                    attempt += 1
                    maybe_arrived = True
                    if attempt >= self.opts.retry.attempts:
                        self._failed(item, f"gave up after {attempt} tries: {_why(exc)}")
                        return
                    await asyncio.sleep(self.opts.retry.delay(attempt - 1, exc.retry_after))
                    continue
                except ClientError as exc:  # no answer at all: did the bytes land? probe first
                    attempt += 1
                    maybe_arrived = True
                    if attempt >= self.opts.retry.attempts:
                        self._failed(item, f"gave up after {attempt} tries: {_why(exc)}")
                        return
                    await asyncio.sleep(self.opts.retry.delay(attempt - 1, exc.retry_after))
                    continue
                except OSError as exc:
                    self._failed(item, f"cannot read the file: {exc.strerror or exc}")
                    return
                item.stage = "sent"
                self.state.save([item])
                self.progress.file_sent(item.sha256)
                return

    async def _confirm(self, items: list[Item]) -> None:
        """``complete`` the sent uploads, grouped by the batch each one is in now."""
        by_batch: dict[str, list[Item]] = {}
        for item in items:
            by_batch.setdefault(item.batch_id or "", []).append(item)
        for batch_id, group in by_batch.items():
            try:
                answers = await self._complete_quietly(batch_id, group)
            except ClientError as exc:
                for item in group:
                    # Stays "sent": the next run confirms it without sending the bytes again.
                    item.error = f"sent, but not confirmed: {_why(exc)}"
                    self.state.save([item])
                    self._finish(item, "failed", item.error)
                continue
            for item in group:
                status = answers.get(item.upload_id or "")
                if status == "processing":
                    self._completed(item, "uploaded")
                elif status == "rejected":
                    item.upload_id = item.batch_id = None
                    self._failed(item, "the server rejected the bytes (size mismatch); run again")
                else:
                    self._failed(item, f"the server did not find the bytes (status {status}); run again")


def _why(exc: ClientError) -> str:
    if isinstance(exc, ApiError):
        return f"{exc.code}: {exc.detail}" if exc.detail else exc.code
    return exc.detail or str(exc)


def _fresh(item: Item) -> Item:
    """A completed content to send again (``include_deleted``): back to ``hashed``, no old ids."""
    item.stage, item.outcome, item.upload_id, item.batch_id, item.error = "hashed", None, None, None, None
    return item


def _file_time(cand: Candidate) -> str:
    """The file's mtime as ISO 8601 with this machine's offset (what the camera's clock meant)."""
    return datetime.fromtimestamp(cand.mtime_ns / 1e9, tz=UTC).astimezone().isoformat(timespec="seconds")


def _unchanged(cand: Candidate) -> bool:
    try:
        st = cand.path.stat()
    except OSError:
        return False
    return (st.st_size, st.st_mtime_ns) == (cand.size, cand.mtime_ns)


def _expiry(expires_at: datetime, asked: float) -> float | None:
    """When a URL stops working, on the monotonic clock.

    Its lifetime is measured against our wall clock at the time we asked. If the clocks
    disagree so much that it looks dead on arrival, the estimate is dropped (None) and the
    403 from storage is the only signal.
    """
    life = expires_at.timestamp() - asked
    if life <= 1.0:
        return None
    return time.monotonic() - (time.time() - asked) + life


async def upload(
    client: AuroraClient,
    state: StateStore,
    paths: Sequence[Path],
    options: UploadOptions | None = None,
    progress: Progress | None = None,
) -> UploadReport:
    """Upload every photo under ``paths``; see the module docstring for the guarantees."""
    return await Uploader(client, state, options, progress).run(paths)
