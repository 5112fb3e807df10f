"""Scratch folders: what a killed process leaves there, and removing it.

Two folders hold half-made files: the local store's ``.tmp`` (uploads being received) and
processing's work folder (a copy of each original while it is processed). A process killed
with ``kill -9`` leaves its files behind; nothing else would ever remove them. Both are
cleaned at start (everything from before the start) and by the daily housekeeping (only
what is older than a safe age, so work in progress on another instance stays).
"""

from __future__ import annotations

import logging
import os
import shutil
from datetime import datetime
from pathlib import Path

log = logging.getLogger("auroravault.scratch")


def remove_stale(folder: Path, before: datetime) -> int:
    """Remove the entries of ``folder`` (files or folders) last modified before ``before``.

    Blocking: run it in a worker thread. Returns how many entries went; a missing folder
    is empty, and an entry that vanishes meanwhile (its owner finished) is skipped.
    """
    cutoff = before.timestamp()
    removed = 0
    try:
        entries = list(os.scandir(folder))
    except OSError:  # missing (nothing left there) or unreadable (its users will say so)
        return 0
    for entry in entries:
        try:
            if entry.stat(follow_symlinks=False).st_mtime >= cutoff:
                continue
            if entry.is_dir(follow_symlinks=False):
                shutil.rmtree(entry.path)
            else:
                os.unlink(entry.path)
            removed += 1
        except FileNotFoundError:
            continue
        except OSError as exc:
            log.warning("cannot remove the leftover %s: %s", entry.path, exc.strerror or exc)
    return removed
