"""Benchmark: the CPU cost of one presigned S3 URL, botocore's presigner against ``QueryPresigner``.

    python bench/presign_bench.py [--quick] [--results-dir DIR]

Signs, in the same run and interleaved (so drift hits both sides), a batch's 50 photo PUT
URLs (signed content type, length and sha256) and a 2 GB file's 120 part URLs (16 MiB
parts), each way:

- ``botocore``: ``client.generate_presigned_url`` per URL (what ``S3BlobStore`` did before:
  parameters validated and serialized against the service model, endpoint resolved, events
  emitted, a signer made, per URL);
- ``direct``: ``storage/s3_presign.py``'s ``QueryPresigner.sign`` (endpoint and region
  resolved once, then only the SigV4 query signature of each request);
- ``store``: the whole ``S3BlobStore.presign_put`` / ``presign_part`` as the server calls it
  (signing on the event loop: static credentials), and ``store_before``: what they did
  before, botocore's presigner in one of the store's worker threads per URL.

Signing is offline (no server needed). Reports microseconds per URL (median of rounds) and
the ratio. Writes ``<results>/presign.json``.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from common import results_dir, write_result

from auroravault.config import S3Settings
from auroravault.storage.s3 import S3BlobStore

CHECKSUM = "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="
PART = 16 * 1024 * 1024


def _per_url(fn: Callable[[int], Any], count: int) -> float:
    started = time.perf_counter()
    for n in range(count):
        fn(n)
    return (time.perf_counter() - started) / count * 1e6


def run(quick: bool) -> dict[str, Any]:
    rounds = 5 if quick else 25
    settings = S3Settings(
        bucket="family", endpoint_url="http://127.0.0.1:8333", access_key="AKIDEXAMPLE", secret_key="s" * 40
    )
    store = S3BlobStore(settings)
    signer, presigner = store._signer, store._presigner

    def boto_put(n: int) -> None:
        params = {
            "Bucket": "family",
            "Key": f"originals/u/p{n}/original",
            "ContentType": "image/jpeg",
            "ContentLength": 2_900_000 + n,
            "ChecksumSHA256": CHECKSUM,
        }
        signer.generate_presigned_url("put_object", Params=params, ExpiresIn=900)

    def direct_put(n: int) -> None:
        headers = {
            "Content-Type": "image/jpeg",
            "x-amz-checksum-sha256": CHECKSUM,
            "Content-Length": str(2_900_000 + n),
        }
        presigner.sign("PUT", f"originals/u/p{n}/original", expires_in=900, headers=headers)

    def boto_part(n: int) -> None:
        params = {"Bucket": "family", "Key": "originals/u/big", "UploadId": "x" * 32, "PartNumber": n + 1}
        signer.generate_presigned_url("upload_part", Params={**params, "ContentLength": PART}, ExpiresIn=3600)

    def direct_part(n: int) -> None:
        query = {"partNumber": str(n + 1), "uploadId": "x" * 32}
        presigner.sign("PUT", "originals/u/big", expires_in=3600, headers={"Content-Length": str(PART)}, query=query)

    async def store_batch(count: int, part: bool, before: bool = False) -> float:
        started = time.perf_counter()
        for n in range(count):
            if before:  # what presign_put / presign_part did: botocore's presigner in a worker thread
                await store._run(boto_part if part else boto_put, n)
            elif part:
                await store.presign_part("originals/u/big", "x" * 32, n + 1, size=PART, expires_in=3600)
            else:
                await store.presign_put(
                    f"originals/u/p{n}/original", content_type="image/jpeg", size=1000, sha256="00" * 32, expires_in=900
                )
        return (time.perf_counter() - started) / count * 1e6

    # Warm both (model loading, the endpoint probe) before timing.
    boto_put(0), direct_put(0), boto_part(0), direct_part(0)
    samples: dict[str, list[float]] = {
        k: []
        for k in (
            "boto_put",
            "direct_put",
            "store_put",
            "store_put_before",
            "boto_part",
            "direct_part",
            "store_part",
            "store_part_before",
        )
    }
    loop = asyncio.new_event_loop()
    for _ in range(rounds):
        samples["boto_put"].append(_per_url(boto_put, 50))
        samples["direct_put"].append(_per_url(direct_put, 50))
        samples["store_put"].append(loop.run_until_complete(store_batch(50, part=False)))
        samples["store_put_before"].append(loop.run_until_complete(store_batch(50, part=False, before=True)))
        samples["boto_part"].append(_per_url(boto_part, 120))
        samples["direct_part"].append(_per_url(direct_part, 120))
        samples["store_part"].append(loop.run_until_complete(store_batch(120, part=True)))
        samples["store_part_before"].append(loop.run_until_complete(store_batch(120, part=True, before=True)))
    loop.run_until_complete(store.close())
    loop.close()
    med = {k: round(statistics.median(v), 1) for k, v in samples.items()}
    return {
        "mode": "quick" if quick else "full",
        "rounds": rounds,
        "us_per_url": med,
        "put_botocore_over_direct": round(med["boto_put"] / med["direct_put"], 2),
        "part_botocore_over_direct": round(med["boto_part"] / med["direct_part"], 2),
        "store_put_before_over_after": round(med["store_put_before"] / med["store_put"], 2),
        "store_part_before_over_after": round(med["store_part_before"] / med["store_part"], 2),
        "batch_of_50_ms": {
            "botocore": round(med["boto_put"] * 50 / 1000, 2),
            "direct": round(med["direct_put"] * 50 / 1000, 2),
        },
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="5 rounds instead of 25")
    parser.add_argument("--results-dir", help="where presign.json goes (default bench/results)")
    args = parser.parse_args()
    report = run(args.quick)
    print(report)
    path = write_result("presign", report, results_dir(args.results_dir))
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
