"""Real small disks for fault tests: a tmpfs mounted under ``tmp_path`` (the tests run as root).

No skip: when ``mount`` fails the test fails and says why.
"""

from __future__ import annotations

import contextlib
import errno
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest


class SmallDisk:
    """A tmpfs of a few MB: fill it up, free it again, make it read-only and writable again."""

    def __init__(self, path: Path, size: str) -> None:
        self.path = path
        self.size = size
        self._filler = path / "filler.bin"

    def mount(self) -> None:
        self.path.mkdir(parents=True, exist_ok=True)
        self._mount("-t", "tmpfs", "-o", f"size={self.size},mode=0755", "tmpfs", str(self.path))

    def unmount(self) -> None:
        done = subprocess.run(["umount", str(self.path)], capture_output=True, text=True)
        if done.returncode != 0:  # something still holds a file open: detach it anyway
            subprocess.run(["umount", "-l", str(self.path)], capture_output=True, text=True, check=True)

    def fill(self) -> None:
        """Write a filler file until the disk refuses another byte."""
        chunk = b"\0" * 65536
        with open(self._filler, "ab", buffering=0) as fh:
            try:
                while True:
                    fh.write(chunk)
            except OSError as exc:
                if exc.errno != errno.ENOSPC:
                    raise
            with contextlib.suppress(OSError):
                while True:
                    fh.write(b"\0" * 512)
        # The last bytes of a page can still be free: the disk is full for real only
        # when creating and writing a small file fails too.
        probe = self.path / "probe"
        try:
            probe.write_bytes(b"x" * 4096)
        except OSError as exc:
            assert exc.errno == errno.ENOSPC, exc
        else:
            probe.unlink()
            raise AssertionError(f"{self.path} is not full after filling it")

    def free(self) -> None:
        self._filler.unlink(missing_ok=True)

    def read_only(self) -> None:
        self._mount("-o", "remount,ro", str(self.path))

    def writable(self) -> None:
        self._mount("-o", "remount,rw", str(self.path))

    @staticmethod
    def _mount(*args: str) -> None:
        done = subprocess.run(["mount", *args], capture_output=True, text=True)
        if done.returncode != 0:
            pytest.fail(f"mount {' '.join(args)} failed (the fault tests need root): {done.stderr.strip()}")


@contextlib.contextmanager
def small_disk(path: Path, size: str = "8m") -> Iterator[SmallDisk]:
    disk = SmallDisk(path, size)
    disk.mount()
    try:
        yield disk
    finally:
        with contextlib.suppress(subprocess.CalledProcessError):
            disk.writable()
        disk.unmount()
