"""Benchmark: people (issue 18). Tagging speed and memory, tagging against processing, clustering.

    python bench/faces_bench.py [--quick] [--results-dir DIR]

1. Tagging 12 MP photos: a 4000x3000 JPEG with four real faces pasted in (NASA's astronaut
   from scikit-image, Grace Hopper from tests/data/photos) at different sizes. In a fresh
   process per run: the photo decoded at ``[faces] max_side`` and the dlib model run on it
   (``services.people._detect``, what a ``detect_faces`` job does), on one worker; faces/s and
   the process's peak RSS. Beside it, in the same process, the photo's processing
   (``imaging.process_image``: metadata, thumb and preview): the ratio tagging / processing is
   what people add to a library's import.
2. Clustering: DBSCAN (``faces.cluster.dbscan``) on synthetic 128-d embeddings, 10k and 100k
   faces (quick: 2k and 10k) in people of 5..200 faces, spread like dlib's (same person
   within ~0.4, people ~0.8 apart); seconds and pairwise precision/recall against the truth.
3. Accuracy on real faces: every variant of tests/faces (sizes, rotation, crops, lighting,
   mirror) of the two people, tagged and re-clustered with the default settings; pairwise
   precision and recall of the clustering.

Writes ``<results>/faces.json``.
"""

from __future__ import annotations

import argparse
import itertools
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import machine_info, results_dir, write_result

PROBE = """
import json, resource, sys, time, tempfile
from pathlib import Path
from auroravault.config import FaceSettings, ImageSettings
from auroravault.faces import load_model
from auroravault.imaging.process import process_image
from auroravault.services.people import _detect
model, src, runs = load_model(), Path(sys.argv[1]), int(sys.argv[2])
_detect(model, src, FaceSettings())  # warm-up: weights loaded
tag, proc, faces = [], [], 0
for _ in range(runs):
    t = time.perf_counter(); faces = len(_detect(model, src, FaceSettings())); tag.append(time.perf_counter() - t)
    with tempfile.TemporaryDirectory() as work:
        t = time.perf_counter(); process_image(src, Path(work), ImageSettings()); proc.append(time.perf_counter() - t)
print(json.dumps({"faces": faces, "tag_s": tag, "process_s": proc,
                  "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def photo_12mp(path: Path) -> None:
    from PIL import Image
    from skimage import data

    canvas = Image.new("RGB", (4000, 3000), (120, 140, 110))
    eileen = Image.fromarray(data.astronaut())
    with Image.open(Path(__file__).resolve().parents[1] / "tests/data/photos/hopper.png") as im:
        grace = im.convert("RGB")
    canvas.paste(eileen.resize((1200, 1200)), (200, 300))
    canvas.paste(grace.resize((700, 700)), (1700, 500))
    canvas.paste(eileen.resize((800, 800)), (2600, 1800))
    canvas.paste(grace.resize((900, 900)), (2900, 200))
    canvas.save(path, "JPEG", quality=90)


def tagging(runs: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as folder:
        src = Path(folder) / "12mp.jpg"
        photo_12mp(src)
        root = str(Path(__file__).resolve().parents[1])
        out = subprocess.run(
            [sys.executable, "-c", PROBE, str(src), str(runs)],
            capture_output=True,
            text=True,
            check=True,
            env={"PYTHONPATH": root, "PATH": "/usr/bin:/bin"},
        )
    got = json.loads(out.stdout)
    tag, proc = float(np.median(got["tag_s"])), float(np.median(got["process_s"]))
    return {
        "faces_per_photo": got["faces"],
        "tag_s_median": round(tag, 3),
        "faces_per_s": round(got["faces"] / tag, 2),
        "process_s_median": round(proc, 3),
        "tag_over_process": round(tag / proc, 2),
        "peak_rss_mb": round(got["peak_rss_mb"]),
    }


def pairwise(truth: list[int], found: list[int]) -> tuple[float, float]:
    """Pairwise precision and recall of a clustering (noise, -1, is a cluster of its own)."""
    same_t = same_f = both = 0
    n = len(truth)
    labels_f = [f if f >= 0 else -(i + 2) for i, f in enumerate(found)]
    if n > 3000:  # sample pairs: exact counting is quadratic
        rng = np.random.default_rng(1)
        pairs = zip(rng.integers(0, n, 2_000_000), rng.integers(0, n, 2_000_000), strict=True)
    else:
        pairs = itertools.combinations(range(n), 2)
    for i, j in pairs:
        if i == j:
            continue
        t, f = truth[i] == truth[j], labels_f[i] == labels_f[j]
        same_t += t
        same_f += f
        both += t and f
    return both / max(same_f, 1), both / max(same_t, 1)


def synthetic(count: int, rng: np.random.Generator) -> tuple[np.ndarray, list[int]]:
    centres, truth = [], []
    while len(truth) < count:
        size = int(min(200, max(5, rng.pareto(1.2) * 10)))
        truth += [len(centres)] * size
        centres.append(rng.normal(size=128))
    truth = truth[:count]
    c = np.asarray(centres)
    c = c / np.linalg.norm(c, axis=1, keepdims=True) * 0.58  # people ~0.8 apart
    spread = rng.normal(scale=0.022, size=(count, 128))  # one person within ~0.35 of each other
    return c[truth] + spread, truth


def clustering(sizes: list[int]) -> list[dict[str, Any]]:
    from auroravault.config import FaceSettings
    from auroravault.faces.cluster import dbscan

    settings, rng, rows = FaceSettings(), np.random.default_rng(7), []
    for count in sizes:
        vectors, truth = synthetic(count, rng)
        start = time.perf_counter()
        labels = dbscan(vectors, settings.cluster_eps, settings.cluster_min_faces)
        seconds = time.perf_counter() - start
        precision, recall = pairwise(truth, [int(x) for x in labels])
        rows.append(
            {
                "faces": count,
                "people": max(truth) + 1,
                "seconds": round(seconds, 2),
                "precision": round(precision, 4),
                "recall": round(recall, 4),
            }
        )
        print(rows[-1], flush=True)
    return rows


def accuracy() -> dict[str, Any]:
    from auroravault.config import FaceSettings
    from auroravault.faces import load_model
    from auroravault.faces.cluster import dbscan
    from auroravault.services.people import _detect
    from tests.faces.conftest import VARIANTS, astronaut, hopper

    model, settings = load_model(), FaceSettings()
    assert model is not None, "pip install 'auroravault[faces]'"
    vectors, truth, missed = [], [], 0
    with tempfile.TemporaryDirectory() as folder:
        for label, person in enumerate((hopper(), astronaut())):
            for name, transform in VARIANTS.items():
                path = Path(folder) / f"{label}_{name}.jpg"
                transform(person).save(path, "JPEG", quality=90)
                found = sorted(_detect(model, path, settings), key=lambda f: -f[1])
                if not found:
                    missed += 1
                    continue
                vectors.append(found[0][2])  # the surest face of the photo is the person
                truth.append(label)
    labels = dbscan(np.asarray(vectors), settings.cluster_eps, settings.cluster_min_faces)
    precision, recall = pairwise(truth, [int(x) for x in labels])
    return {"photos": 2 * len(VARIANTS), "missed": missed, "precision": round(precision, 4), "recall": round(recall, 4)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--results-dir")
    args = parser.parse_args()
    data: dict[str, Any] = {"machine": machine_info()}
    data["tagging_12mp"] = tagging(2 if args.quick else 5)
    print(data["tagging_12mp"], flush=True)
    data["accuracy_real_faces"] = accuracy()
    print(data["accuracy_real_faces"], flush=True)
    data["clustering"] = clustering([2_000, 10_000] if args.quick else [10_000, 100_000])
    print(write_result("faces", data, results_dir(args.results_dir)))


if __name__ == "__main__":
    main()
