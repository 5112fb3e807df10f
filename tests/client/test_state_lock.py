"""The upload queue's lock: one holder at a time, across processes, on any OS (no ``fcntl``)."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from auroravault.client.state import StateLocked, StateStore

REPO = Path(__file__).resolve().parents[2]


def test_a_second_holder_in_another_process_is_refused_until_the_first_is_gone(tmp_path: Path) -> None:
    path = tmp_path / "state.sqlite"
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys; from pathlib import Path; from auroravault.client.state import StateStore;"
            f"s = StateStore.open(Path({str(path)!r})); print('held', flush=True); sys.stdin.read(); s.close()",
        ],
        cwd=REPO,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        with pytest.raises(StateLocked, match="in use by another auroravault upload"):
            StateStore.open(path)
    finally:
        holder.communicate("", timeout=30)
    StateStore.open(path).close()  # the first holder is gone: the lock went with it


def test_the_lock_works_where_there_is_no_fcntl(tmp_path: Path) -> None:
    """Windows has no ``fcntl``: the client imports and locks without it."""
    script = textwrap.dedent(
        f"""
        import sys
        sys.modules["fcntl"] = None  # as on Windows: importing it fails
        from pathlib import Path
        from auroravault.client.state import StateLocked, StateStore
        path = Path({str(tmp_path / "state.sqlite")!r})
        first = StateStore.open(path)
        try:
            StateStore.open(path)
        except StateLocked:
            print("second refused")
        first.close()
        StateStore.open(path).close()
        print("reopened")
        """
    )
    result = subprocess.run([sys.executable, "-c", script], cwd=REPO, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["second", "refused", "reopened"]
