"""The README's curl walk-through, run verbatim against a real server."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

from tests.e2e.conftest import Server

README = Path(__file__).resolve().parents[1] / "README.md"


def walkthrough() -> str:
    text = README.read_text()
    section = text.split("## Walk-through with curl", 1)[1]
    match = re.search(r"```sh\n(.*?)```", section, re.S)
    assert match, "the README lost its walk-through"
    return match.group(1)


def test_readme_commands_are_the_two_make_targets() -> None:
    text = README.read_text()
    assert "make run" in text and "make test" in text


def test_readme_says_how_to_call_auroravault_after_make_run() -> None:
    two_commands = README.read_text().split("## Two commands", 1)[1].split("\n## ", 1)[0]
    assert "`.venv/bin/auroravault ...`" in two_commands and "`source .venv/bin/activate`" in two_commands


def test_the_walkthrough_works_verbatim(tmp_path: Path, photos_dir: Path) -> None:
    server = Server(data_dir=tmp_path / "data")
    server.start()
    try:
        env = {**os.environ, "AV": server.url, "PHOTO": str(photos_dir / "flower.jpg")}
        result = subprocess.run(
            ["bash", "-euo", "pipefail", "-c", walkthrough()],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
    finally:
        server.stop()
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.rstrip().endswith("byte-identical")
    assert '"status":"processing"' in result.stdout
