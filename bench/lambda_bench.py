"""Benchmark: the HTTP API on Lambda (auroravault.aws.http), cold and warm, on SQLite.

    python bench/lambda_bench.py [--quick] [--results-dir DIR]

A container's first request (``LambdaApp``: settings, adapters, the app, then the request),
measured in a fresh process each time (imports included, as on Lambda), and warm requests
(``GET /healthz`` and an authenticated ``GET /api/v1/users/me``) through the same handler.

Baseline, in the same run: Mangum's default (``lifespan="auto"``) runs the app's whole start-up
and shutdown (migrate, storage check, scratch sweep, places backfill, closing the adapters)
around every request. Around one app that fails on the second request (the first shutdown
closed the adapters; reported), so the baseline builds a new app per request, the way the
default can work. ``auroravault.aws.http`` does its cheap start-up once per container.

Writes ``<results>/lambda.json``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import percentiles, results_dir, write_result  # noqa: E402

EVENT = json.loads((ROOT / "tests" / "data" / "aws" / "http_api_v2_get.json").read_text())

COLD = """
import json, sys, time
t0 = time.perf_counter()
from auroravault.aws import http
t_import = time.perf_counter()
event = json.loads(sys.argv[1])
response = http.handler(event, None)
t1 = time.perf_counter()
assert response["statusCode"] == 200, response
print(json.dumps({"cold_s": t1 - t0, "import_s": t_import - t0}), flush=True)
http.reset()
"""


def _env(folder: Path) -> dict[str, str]:
    return {
        "AURORAVAULT_SERVER__SECRET": "bench-secret-0123456789abcdef0123",
        "AURORAVAULT_SERVER__DATA_DIR": str(folder / "tmp"),
        "AURORAVAULT_SQLITE__PATH": str(folder / "auroravault.db"),
        "AURORAVAULT_LOCAL__ROOT": str(folder / "photos"),
    }


def _event(method: str, path: str, headers: dict[str, str] | None = None, body: Any = None) -> dict[str, Any]:
    event = json.loads(json.dumps(EVENT))
    event["rawPath"] = path
    event["requestContext"]["http"].update(method=method, path=path)
    event["headers"].update(headers or {})
    if body is not None:
        event["body"] = json.dumps(body)
        event["headers"]["content-type"] = "application/json"
    return event


def _timed(call: Any, event: dict[str, Any], count: int) -> list[float]:
    samples = []
    for _ in range(count):
        t0 = time.perf_counter()
        response = call(event, None)
        samples.append(time.perf_counter() - t0)
        assert response["statusCode"] == 200, response
    return samples


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--results-dir")
    args = parser.parse_args()
    colds, warm = (3, 50) if args.quick else (10, 300)
    folder = Path(tempfile.mkdtemp(prefix="av-lambda-bench-"))
    env = _env(folder)
    os.environ.update(env)

    from mangum import Mangum

    from auroravault.app import create_app
    from auroravault.aws import http
    from auroravault.config import load_settings
    from auroravault.meta import build_meta_store

    async def migrate() -> None:
        meta = build_meta_store(load_settings())
        await meta.migrate()
        await meta.close()

    asyncio.run(migrate())

    cold, imports = [], []
    for _ in range(colds):
        done = subprocess.run(
            [sys.executable, "-c", COLD, json.dumps(EVENT)],
            capture_output=True,
            text=True,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
            check=True,
        )
        timing = json.loads(done.stdout.strip().splitlines()[-1])
        cold.append(timing["cold_s"])
        imports.append(timing["import_s"])

    health = _event("GET", "/healthz")
    registered = http.handler(
        _event(
            "POST", "/api/v1/auth/register", body={"email": "b@example.com", "password": "x" * 12, "display_name": "B"}
        ),
        None,
    )
    token = json.loads(registered["body"])["token"]
    me = _event("GET", "/api/v1/users/me", headers={"authorization": f"Bearer {token}"})
    ours = {"healthz": _timed(http.handler, health, warm), "users_me": _timed(http.handler, me, warm)}
    http.reset()

    asyncio.set_event_loop(asyncio.new_event_loop())  # Mangum's default runs on get_event_loop()
    settings = load_settings(environ={**env, "AURORAVAULT_JOBS__ENABLED": "false"})
    # Mangum's default around one app: the app's start-up and shutdown around every request;
    # the shutdown closes the adapters, so the container's second request fails.
    default = Mangum(create_app(settings))  # type: ignore[arg-type]
    second_request_error = None
    try:
        _timed(default, health, 2)
    except Exception as exc:  # reported: it is the finding
        second_request_error = f"{type(exc).__name__}: {exc}"[:200]

    def per_request(event: dict[str, Any], context: Any) -> dict[str, Any]:
        # The way that works with the default: a new app, started and stopped, per request.
        return Mangum(create_app(settings))(event, context)  # type: ignore[arg-type]

    base_count = max(10, warm // 10)
    baseline = {"healthz": _timed(per_request, health, base_count), "users_me": _timed(per_request, me, base_count)}

    result: dict[str, Any] = {
        "cold_start": percentiles(cold),
        "cold_start_imports": percentiles(imports),
        "ours": {k: percentiles(v) for k, v in ours.items()},
        "baseline_lifespan_per_request": {k: percentiles(v) for k, v in baseline.items()},
        "ratio_baseline_over_ours_p50": {
            k: round(statistics.median(baseline[k]) / statistics.median(ours[k]), 1) for k in ours
        },
        "mangum_default_second_request": second_request_error or "answered",
        "quick": args.quick,
    }
    path = write_result("lambda", result, results_dir(args.results_dir))
    print(json.dumps(result, indent=2))
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
