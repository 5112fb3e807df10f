"""A 200 MP photo is tagged on a downscaled decode: its face is found, memory stays small."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from PIL import Image

from tests.faces.conftest import astronaut

#: Run in a fresh interpreter so that its peak RSS is this photo's alone.
PROBE = """
import json, resource, sys
from pathlib import Path
from auroravault.config import FaceSettings
from auroravault.faces import load_model
from auroravault.imaging.formats import register_heif
from auroravault.services.people import _detect
register_heif()  # as the server's first decode does: our max_pixels check replaces Pillow's 179 MP guard
model = load_model()
found = _detect(model, Path(sys.argv[1]), FaceSettings())
print(json.dumps({"faces": len(found), "box": found[0][0] if found else None,
                  "peak_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}))
"""


def probe(path: Path) -> dict:
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    out = subprocess.run([sys.executable, "-c", PROBE, str(path)], capture_output=True, text=True, env=env, check=True)
    return json.loads(out.stdout)


def test_a_huge_photo_is_tagged_with_bounded_memory(tmp_path: Path) -> None:
    face = astronaut().resize((2048, 2048)).convert("L")
    big = Image.new("L", (16_400, 12_200), 200)  # 200 MP
    big.paste(face, (8_200, 4_880))
    huge = tmp_path / "huge.jpg"
    big.save(huge, "JPEG", quality=80)
    del big
    small = tmp_path / "small.jpg"
    face.resize((1200, 1200)).save(small, "JPEG", quality=80)

    baseline, result = probe(small), probe(huge)
    assert baseline["faces"] == 1 and result["faces"] == 1
    x, y, w, _ = result["box"]  # fractions of the whole photo: the face is where it was pasted
    assert 0.5 < x < 0.67 and 0.4 < y < 0.6 and 0.01 < w < 0.1
    # Decoded in full the photo alone would take 200 MB grey and 600 MB as RGB.
    grown_mb = (result["peak_kb"] - baseline["peak_kb"]) / 1024
    assert grown_mb < 64, f"tagging the 200 MP photo took {grown_mb:.0f} MB more than a 1.4 MP one"
