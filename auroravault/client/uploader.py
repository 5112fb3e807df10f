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
from auroravault.client.ledger import _why
from auroravault.client.models import FileSpec, PresignedRequest
from auroravault.client.parts import send_parts
from auroravault.client.progress import Progress
from auroravault.client.report import FileResult, Outcome, UploadOptions, UploadReport
from auroravault.client.retry import Fatal, retrying
from auroravault.client.scan import Candidate, scan_paths
from auroravault.client.state import Item, StateStore
from auroravault.client.triage import Triage

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


class Uploader(Triage):
    """One upload run against one server, with one state file. ``run()`` once per instance."""

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
                    if url.request.method == "MULTIPART":
                        await self._send_parts(item, url.request, cand.path)
                    else:
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

    async def _send_parts(self, item: Item, request: PresignedRequest, path: Path) -> None:
        """A large file, part by part: only the parts the server lacks (``client/parts.py``)."""

        def counted(number: int) -> None:
            item.puts += 1
            self.report.puts += 1

        self._etags[item.sha256] = await send_parts(
            self.client,
            request,
            path,
            item.size,
            batch_id=item.batch_id or "",
            upload_id=item.upload_id or "",
            parts_in_flight=self.opts.parts_in_flight,
            retry=self.opts.retry,
            on_progress=self.progress.sending(item.sha256),
            pace=self._pace,
            on_part=counted,
        )

    async def _confirm(self, items: list[Item]) -> None:
        """``complete`` the sent uploads, grouped by the batch each one is in now."""
        by_batch: dict[str, list[Item]] = {}
        for item in items:
            by_batch.setdefault(item.batch_id or "", []).append(item)
        for batch_id, group in by_batch.items():
            try:
                parts = {i.upload_id: self._etags[i.sha256] for i in group if i.upload_id and i.sha256 in self._etags}
                answers = await self._complete_quietly(batch_id, group, parts=parts)
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
