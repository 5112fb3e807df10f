"""tools/build_lambda.py builds a zip Lambda can run: the handlers, the project's data files and its
pinned dependencies as manylinux wheels, and nothing else (no tests, venvs, data, bytecode).

The build fetches wheels with pip (its cache, else PyPI). The zip's handler is then called by a
Python 3.12 (the python3.12 runtime's version) that sees only the zip's contents and boto3 (which
the Lambda runtime provides)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent.parent
TOOL = ROOT / "tools" / "build_lambda.py"
EVENT = ROOT / "tests" / "data" / "aws" / "http_api_v2_get.json"
RUNTIME_BOTO3 = ["boto3", "botocore", "s3transfer", "jmespath", "urllib3", "dateutil", "six.py"]


def _python312() -> str:
    found = shutil.which("python3.12") if shutil.which("python3.12") else None
    candidates = [found, *sorted(str(p) for p in Path("/root/.pyenv/versions").glob("3.12*/bin/python3.12"))]
    for candidate in candidates:
        if candidate and subprocess.run([candidate, "--version"], capture_output=True).returncode == 0:
            return candidate
    pytest.fail("a Python 3.12 is needed to run the python3.12 package (pyenv install 3.12)")


def _build(out: Path, *args: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, str(TOOL), "--out", str(out), *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=900)


@pytest.fixture(scope="module")
def package(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    out = tmp_path_factory.mktemp("lambda") / "auroravault-lambda.zip"
    done = _build(out, "--runtime", "python3.12", "--arch", "x86_64")
    assert done.returncode == 0, done.stderr
    return out, done.stdout


@pytest.mark.slow
@pytest.mark.timeout(900)
def test_the_zip_holds_the_handlers_and_the_dependencies_and_nothing_else(package: tuple[Path, str]) -> None:
    out, report = package
    names = zipfile.ZipFile(out).namelist()
    for needed in ["auroravault/aws/http.py", "auroravault/app.py", "auroravault/web/index.html", "mangum/adapter.py"]:
        assert needed in names
    assert any(n.startswith("auroravault/meta/migrations/") and n.endswith(".sql") for n in names)
    assert any(n.startswith("litestar/") for n in names) and any(n.startswith("PIL/") for n in names)
    # Linux wheels for the runtime, not this machine's installed files.
    assert any(n.startswith("msgspec/_core.cpython-312-x86_64-linux-gnu") for n in names)
    for name in names:
        parts = name.split("/")
        assert parts[0] not in {"tests", ".venv", "venv", "data", "bin", "bench", "mobile", "docs", "deploy"}, name
        assert "__pycache__" not in parts and "tests" not in parts[:-1], name
        assert not name.endswith((".pyc", ".pyo", ".db", "secret.key")), name
    # The runtime's boto3 is used; FFmpeg is the jobs function's (container image), MinIO unused.
    assert not any(n.split("/")[0] in {"boto3", "botocore", "av", "minio", "Crypto"} for n in names)
    assert not any(n.endswith(".map") for n in names)
    unzipped = float(re.search(r"([0-9.]+) MiB unzipped", report)[1])  # type: ignore[index]
    assert unzipped < 250  # Lambda's limit for a zip's code


@pytest.mark.slow
@pytest.mark.timeout(900)
def test_the_zips_handler_answers_on_python_3_12(package: tuple[Path, str], tmp_path: Path) -> None:
    out, _ = package
    code = tmp_path / "task"
    zipfile.ZipFile(out).extractall(code)
    provided = tmp_path / "runtime"
    provided.mkdir()
    site = Path(next(p for p in sys.path if p.endswith("site-packages")))
    for name in RUNTIME_BOTO3:
        src = site / name
        (shutil.copytree if src.is_dir() else shutil.copy)(src, provided / name)
    script = f"""
import asyncio, json, sys
sys.path[:0] = [{str(code)!r}, {str(provided)!r}]
from auroravault.config import load_settings
from auroravault.meta import build_meta_store
async def migrate():
    meta = build_meta_store(load_settings())
    await meta.migrate()
    await meta.close()
asyncio.run(migrate())
from auroravault.aws import http
print(json.dumps(http.handler(json.load(open({str(EVENT)!r})), None)), flush=True)
from auroravault.places import shared_geocoder  # NumPy and SciPy: a location edit in a request
print(json.dumps({{"place": repr(shared_geocoder().place(38.7223, -9.1393))}}), flush=True)
http.reset()  # Lambda would freeze the container; a process exits once its adapters are closed
"""
    env = {
        "PATH": "/usr/bin:/bin",
        "AURORAVAULT_SERVER__SECRET": "package-smoke-secret-0123456789",
        "AURORAVAULT_SERVER__DATA_DIR": str(tmp_path / "tmp"),
    }
    done = subprocess.run([_python312(), "-I", "-c", script], capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 0, done.stderr[-3000:]
    lines = done.stdout.strip().splitlines()
    assert json.loads(lines[-2])["statusCode"] == 200
    assert "Lisbon" in json.loads(lines[-1])["place"]


@pytest.mark.slow
@pytest.mark.timeout(900)
def test_python_3_11s_old_glibc_is_refused_with_the_reason(tmp_path: Path) -> None:
    # python3.11 on Lambda is Amazon Linux 2 (glibc 2.26); the pinned Pillow and NumPy need 2.27+.
    out = tmp_path / "old.zip"
    done = _build(out, "--runtime", "python3.11")
    assert done.returncode == 1
    assert "glibc 2.26" in done.stderr and "no wheel" in done.stderr
    assert not out.exists()


def test_the_jobs_image_context_pins_ffmpeg_and_scipy(tmp_path: Path) -> None:
    folder = tmp_path / "jobs-image"
    done = subprocess.run(
        [sys.executable, str(TOOL), "--profile", "full", "--image-context", str(folder)], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    pins = dict(line.split("==") for line in (folder / "requirements.txt").read_text().split())
    assert {"av", "scipy", "numpy", "pillow", "mangum", "litestar"} <= set(pins)
    assert "boto3" not in pins  # the base image's
    assert "uvloop" not in pins and "watchfiles" not in pins  # uvicorn's server extras: no server here
    assert (folder / "auroravault" / "aws" / "http.py").is_file()
    assert not list(folder.rglob("__pycache__"))
    assert 'CMD ["auroravault.aws.jobs_handler.handler"]' in (folder / "Dockerfile").read_text()
