"""The benchmark scripts still run: ``bench/run_all.py --quick`` on tiny inputs.

Not a performance test: nothing here judges a number. It runs every benchmark's quick mode
into a temporary results folder and docs file (the committed results stay untouched) and
checks that each JSON file and the table were written.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
NAMES = ("processing", "parallel_processing", "import", "timeline", "library", "albums", "search", "batch_init")
NAMES += ("memory", "multipart", "sharing")


@pytest.mark.slow
@pytest.mark.timeout(660)  # a hang guard: 112 s alone on 2 CPUs, over 300 s beside another heavy run
def test_run_all_quick_writes_every_result_and_the_table(tmp_path: Path) -> None:
    out, docs = tmp_path / "results", tmp_path / "benchmarks.md"
    docs.write_text("# Benchmarks\n\nkept text\n\n<!-- bench:begin -->\nold\n<!-- bench:end -->\n\nkept tail\n")
    result = subprocess.run(
        [sys.executable, str(REPO / "bench" / "run_all.py"), "--quick", "--results-dir", str(out), "--docs", str(docs)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
    for name in NAMES:
        report = json.loads((out / f"{name}.json").read_text())
        assert report["mode"] == "quick"
        assert report["machine"]["cpu_count"]
    text = docs.read_text()
    assert "kept text" in text and "kept tail" in text and "\nold\n" not in text
    assert "| benchmark | AuroraVault |" in text
    assert "Import, local disk" in text and "Timeline" in text and "peak RSS" in text
    assert "GB file in parts, S3 adapter" in text
    assert "Permanent deletion of" in text and "favorites +" in text
    assert "paged end to end" in text
    assert "with_partners=true" in text and "Access check" in text
    assert "`GET /search?q=beach` (a rare word" in text and "`GET /map/markers` world" in text
