"""The upload progress line, as a user watches it: the real CLI on a terminal, a real server.

The line must move per file and per chunk of bytes, not jump once per batch of 50 when the
batch's ``complete`` comes back. ``--limit-rate`` and ``--jobs 1`` make the run last a few
seconds (one file after the other), long enough for the line to be redrawn many times.
"""

from __future__ import annotations

import os
import pty
import random
import re
import subprocess
import sys
from pathlib import Path

from PIL import Image

from tests.client.conftest import REPO, Cli

FILES = 3
LINE = re.compile(r"(\d+)/(\d+) files · (?:hashed \d+ · )?([\d.]+ [KMG]?B)/([\d.]+ [KMG]?B)")
UNITS = {"B": 1, "KB": 1000, "MB": 1000**2, "GB": 1000**3}


def noisy_jpegs(folder: Path, count: int) -> int:
    """``count`` distinct JPEGs of about 1 MB each (noise compresses badly); their total size."""
    folder.mkdir()
    rng = random.Random(11)
    for n in range(count):
        img = Image.frombytes("RGB", (640, 560), rng.randbytes(640 * 560 * 3))
        img.save(folder / f"IMG_{n:04d}.jpg", quality=95)
    return sum(p.stat().st_size for p in folder.iterdir())


def size(text: str) -> float:
    number, unit = text.split()
    return float(number) * UNITS[unit]


def run_on_a_terminal(cli: Cli, *args: str) -> tuple[int, str]:
    """Run the CLI with stderr on a pseudo-terminal (the live line); everything it drew."""
    master, slave = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "auroravault", *args],
        env=cli.env,
        cwd=REPO,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=slave,
    )
    os.close(slave)
    chunks = []
    while True:
        try:
            data = os.read(master, 65536)
        except OSError:  # EIO: the child closed the terminal
            break
        if not data:
            break
        chunks.append(data)
    os.close(master)
    return proc.wait(timeout=120), b"".join(chunks).decode(errors="replace")


def test_the_live_line_moves_per_file_and_within_a_file(cli: Cli, tmp_path: Path) -> None:
    total = noisy_jpegs(tmp_path / "photos", FILES)
    cli.register()
    code, drawn = run_on_a_terminal(
        cli, "upload", str(tmp_path / "photos"), "--jobs", "1", "--limit-rate", "1M", "--state", str(tmp_path / "s")
    )
    assert code == 0, drawn
    lines = [m.groups() for m in LINE.finditer(drawn)]
    assert lines, drawn
    files_seen = {int(done) for done, of, _, _ in lines if int(of) == FILES}
    assert files_seen & set(range(1, FILES)), f"the file count jumped from 0 to {FILES}: {sorted(files_seen)}"
    per_file = total / FILES
    within_first = [size(b) for d, _, b, _ in lines if d == "0" and 0 < size(b) < per_file]
    assert within_first, "the bytes did not move while the first file was on its way"
    assert int(lines[-1][0]) == FILES and abs(size(lines[-1][2]) - total) <= 0.06 * total
