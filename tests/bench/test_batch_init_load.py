"""The batch-init benchmark measures healthz under load however short the load is.

A quick run (few clients, few rounds) on an idle machine used to finish its rounds before the
healthz probe had answered more than its warm-up, and the report then had no ``p50_ms``
(``KeyError`` in ``bench/run_all.py``). Run against a real server, one client, one round.
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "bench"))

import batch_init_bench  # noqa: E402
from common import Server, register  # noqa: E402


def test_one_short_round_still_measures_healthz_under_load(tmp_path: Path) -> None:
    with Server(data_dir=tmp_path / "data") as server:
        token = register(server.url, "probe@example.com")[1]
        result = asyncio.run(batch_init_bench.load(server.url, [token], rounds=1, seconds=20.0))
    under_load = result["healthz_under_load"]
    assert "p50_ms" in under_load, under_load
    assert under_load["count"] >= 20
    assert under_load["p50_ms"] > 0 and under_load["p99_ms"] >= under_load["p50_ms"]
    assert result["init"]["count"] >= 1
