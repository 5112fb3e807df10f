"""The bookkeeping of one upload run (``RunLedger``): what each content and file came to,
recorded at once in the state file, the run's report and the progress display. The stages
of the run (``auroravault.client.triage``, ``auroravault.client.uploader``) build on it."""

from __future__ import annotations

import asyncio
import functools

from auroravault.client.api import ApiError, AuroraClient, ClientError
from auroravault.client.progress import Progress
from auroravault.client.report import FileResult, Outcome, UploadOptions, UploadReport
from auroravault.client.retry import RateLimiter, retrying
from auroravault.client.scan import Candidate
from auroravault.client.state import Item, StateStore


class RunLedger:
    """The state of one upload run: its options and clients, and the outcome of every content
    and file so far, recorded in the state file, the report and the progress display."""

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
        self._etags: dict[str, dict[int, str]] = {}  # sha -> part ETags of a multipart upload sent now

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

    async def _complete_quietly(
        self,
        batch_id: str,
        items: list[Item],
        *,
        retry: bool = True,
        parts: dict[str, dict[int, str]] | None = None,
    ) -> dict[str, str]:
        """``upload_id -> status`` from ``complete``; empty when the batch or upload is unknown.

        ``retry=False`` tries once: the caller (a PUT's own retry loop) does the backing off.
        ``parts``: the ETags of multipart uploads sent in this run (without them the server
        joins what it holds once every part is there).
        """
        ids = [i.upload_id for i in items if i.upload_id]
        if not batch_id or not ids:
            return {}
        call = functools.partial(self.client.complete, batch_id, ids, parts)
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


def _why(exc: ClientError) -> str:
    if isinstance(exc, ApiError):
        return f"{exc.code}: {exc.detail}" if exc.detail else exc.code
    return exc.detail or str(exc)


def _fresh(item: Item) -> Item:
    """A completed content to send again (``include_deleted``): back to ``hashed``, no old ids."""
    item.stage, item.outcome, item.upload_id, item.batch_id, item.error = "hashed", None, None, None, None
    return item
