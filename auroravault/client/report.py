"""What an upload run is asked to do (``UploadOptions``) and what it reports, file by file."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Literal

from auroravault.client.retry import RetryPolicy

Outcome = Literal["uploaded", "existing", "restored", "deleted", "skipped", "failed"]


def default_parallel(cpus: int | None = None) -> int:
    """PUTs (and parts of one large file) in flight by default: two per CPU, 4 to 16.

    A PUT mostly waits on the network, so a few per core keep a fast link busy; past 16 a
    Python client on a small machine spends more CPU switching between them than it gains.
    """
    return max(4, min(16, 2 * (cpus if cpus is not None else os.cpu_count() or 1)))


@dataclass
class UploadOptions:
    jobs: int = field(default_factory=default_parallel)  # concurrent PUTs
    batch_size: int = 50  # files per init (the server allows up to 50)
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    hash_workers: int = field(default_factory=lambda: max(1, min(4, os.cpu_count() or 1)))
    limit_rate: float | None = None  # bytes per second over all PUTs
    refresh_margin: float | None = 3.0  # ask again for a URL expiring within this; None: only on 403
    max_refreshes: int = 5  # fresh URLs per file before it is reported failed
    batches_in_flight: int = 2
    include_deleted: bool = False  # upload again what the user trashed or deleted on the server
    parts_in_flight: int = field(default_factory=default_parallel)  # part PUTs of one large file (client/parts.py)


@dataclass(frozen=True, slots=True)
class FileResult:
    path: str
    outcome: Outcome
    size: int
    reason: str | None = None
    photo_id: str | None = None


@dataclass
class UploadReport:
    results: list[FileResult] = field(default_factory=list)
    ignored: int = 0
    elapsed: float = 0.0
    bytes_sent: int = 0
    puts: int = 0

    def of(self, outcome: Outcome) -> list[FileResult]:
        return [r for r in self.results if r.outcome == outcome]

    @property
    def ok(self) -> bool:
        return not self.of("failed")
