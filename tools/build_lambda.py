"""Build the Lambda deployment package: ``python tools/build_lambda.py [--runtime R] [--arch A] [--out ZIP]``.

The zip holds the project's own package (``auroravault/``, with its SQL migrations and web app)
and its runtime dependencies at the versions installed in this environment (the ones the tests
ran with), as manylinux wheels for the chosen Lambda runtime and architecture, fetched by
``pip install --platform ... --only-binary=:all: --target``. Nothing else: no tests, no venv,
no data folder, no bytecode.

The runtime decides which wheels run: python3.11 is Amazon Linux 2 (glibc 2.26), python3.12
and python3.13 Amazon Linux 2023 (glibc 2.34). A pinned dependency that ships only wheels for
a newer glibc (numpy 2.4 needs 2.27) cannot run on python3.11; the build says so and stops.

Left out of the default ``api`` profile (the HTTP and events functions): FFmpeg (``av``) and the
MinIO client (``--profile full`` keeps them; the jobs function's image is built with it). Left
out of both: boto3 and its stack (the Lambda runtime ships them; ``--with-boto3`` adds
them) and uvicorn's ``standard`` extras (uvloop, httptools, websockets, watchfiles: a server's
speed-ups; on Lambda Mangum is the server). See docs/aws.md.
"""

from __future__ import annotations

import argparse
import importlib.metadata as md
import shutil
import subprocess
import sys
import tempfile
import tomllib
import zipfile
from pathlib import Path

from packaging.markers import Marker
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = "auroravault"

#: Lambda runtime -> (Python version, the newest glibc its Amazon Linux has).
RUNTIMES = {"python3.11": ("3.11", 26), "python3.12": ("3.12", 34), "python3.13": ("3.13", 34)}
ARCHES = {"x86_64": "x86_64", "arm64": "aarch64"}
#: Provided by the Lambda runtime itself (added with --with-boto3).
RUNTIME_PROVIDED = {"boto3", "botocore", "s3transfer", "jmespath", "urllib3", "python-dateutil", "six"}
#: What each function's package leaves out. The HTTP API and the events queue never decode a
#: video (the jobs do) and never talk to MinIO (S3 on AWS); FFmpeg (``av``) alone is 103 MB
#: unzipped, and Lambda's limit for a zip is 250 MB, so the jobs function runs from the
#: container image (``--image-context``). NumPy and SciPy stay: a location edited through the
#: API is reverse-geocoded in the request.
PROFILES: dict[str, set[str]] = {"api": {"av", "minio", "pycryptodome"}, "full": set()}
#: Lambda's limit on a function's unzipped code (bytes).
UNZIPPED_LIMIT = 250 * 1024 * 1024
#: Extras not wanted on Lambda, per package.
DROPPED_EXTRAS = {"uvicorn": {"standard"}}
#: Folders and files never shipped, wherever they are.
SKIP_DIRS = {"__pycache__", "tests", "test"}
SKIP_SUFFIXES = (".pyc", ".pyo", ".map")  # source maps (Swagger UI's): never served
#: Fixed time stamps so the same inputs give the same zip.
ZIP_TIME = (1980, 1, 1, 0, 0, 0)


class BuildError(Exception):
    pass


def target_environment(runtime: str, arch: str) -> dict[str, str]:
    """The marker environment of the Lambda runtime (not of this machine)."""
    version = RUNTIMES[runtime][0]
    return {
        "python_version": version,
        "python_full_version": f"{version}.0",
        "implementation_name": "cpython",
        "platform_python_implementation": "CPython",
        "sys_platform": "linux",
        "platform_system": "Linux",
        "platform_machine": ARCHES[arch],
        "os_name": "posix",
    }


def _applies(marker: Marker | None, env: dict[str, str], extras: set[str]) -> bool:
    if marker is None:
        return True
    return any(marker.evaluate({**env, "extra": extra}) for extra in (extras or {""}))


def runtime_requirements(runtime: str, arch: str, with_boto3: bool = False, profile: str = "api") -> dict[str, str]:
    """Every distribution the project needs at run time on Lambda, name -> installed version."""
    env = target_environment(runtime, arch)
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    pending = [Requirement(line) for line in project["dependencies"]]
    pins: dict[str, str] = {}
    seen: set[tuple[str, frozenset[str]]] = set()
    while pending:
        req = pending.pop()
        name = canonicalize_name(req.name)
        extras = set(req.extras) - DROPPED_EXTRAS.get(name, set())
        left_out = name in PROFILES[profile] or (name in RUNTIME_PROVIDED and not with_boto3)
        if (name, frozenset(extras)) in seen or left_out:
            continue
        seen.add((name, frozenset(extras)))
        try:
            dist = md.distribution(name)
        except md.PackageNotFoundError:
            raise BuildError(
                f"{name} is needed on {runtime} but not installed here; install the project first"
            ) from None
        pins[name] = dist.version
        for line in dist.requires or []:
            sub = Requirement(line)
            if _applies(sub.marker, env, extras):
                sub.marker = None
                pending.append(sub)
    return dict(sorted(pins.items()))


def platform_tags(runtime: str, arch: str) -> list[str]:
    """manylinux tags the runtime's glibc can load (pip takes each as a --platform)."""
    machine = ARCHES[arch]
    newest = RUNTIMES[runtime][1]
    tags = [f"manylinux_2_{minor}_{machine}" for minor in range(newest, 16, -1)]
    return [*tags, f"manylinux2014_{machine}"]


def install_dependencies(pins: dict[str, str], runtime: str, arch: str, target: Path) -> None:
    version = RUNTIMES[runtime][0]
    command = [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-compile"]
    command += ["--only-binary=:all:", "--implementation", "cp", "--python-version", version, "--target", str(target)]
    for tag in platform_tags(runtime, arch):
        command += ["--platform", tag]
    command += [f"{name}=={ver}" for name, ver in pins.items()]
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode != 0:
        raise BuildError(
            f"pip found no wheel for {runtime} on {arch} (glibc 2.{RUNTIMES[runtime][1]}) for one of the pins; "
            f"a newer runtime may have it:\n{done.stderr.strip()[-2000:]}"
        )


def _shipped(path: Path, base: Path) -> bool:
    rel = path.relative_to(base)
    if rel.parts[0] == "bin":  # console scripts pip --target writes: nothing runs them on Lambda
        return False
    return not (set(rel.parts[:-1]) & SKIP_DIRS) and not path.name.endswith(SKIP_SUFFIXES)


def write_zip(out: Path, sources: list[Path]) -> int:
    """Zip each source folder's contents at the archive's root; return the file count."""
    files: dict[str, Path] = {}
    for base in sources:
        for path in base.rglob("*"):
            if path.is_file() and _shipped(path, base):
                files.setdefault(path.relative_to(base).as_posix(), path)
    out.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        for name in sorted(files):
            info = zipfile.ZipInfo(name, ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = (0o755 if files[name].stat().st_mode & 0o111 else 0o644) << 16
            zf.writestr(info, files[name].read_bytes())
    return len(files)


def build(
    out: Path, runtime: str = "python3.12", arch: str = "x86_64", with_boto3: bool = False, profile: str = "api"
) -> dict[str, int]:
    pins = runtime_requirements(runtime, arch, with_boto3, profile)
    with tempfile.TemporaryDirectory(prefix="auroravault-lambda-") as tmp:
        work = Path(tmp)
        deps = work / "deps"
        install_dependencies(pins, runtime, arch, deps)
        project = work / "project"
        shutil.copytree(
            ROOT / PACKAGE,
            project / PACKAGE,
            ignore=shutil.ignore_patterns(*SKIP_DIRS, *(f"*{s}" for s in SKIP_SUFFIXES)),
        )
        count = write_zip(out, [project, deps])
        unpacked = sum(p.stat().st_size for p in work.rglob("*") if p.is_file() and _shipped(p, work))
    return {"files": count, "zip_bytes": out.stat().st_size, "unzipped_bytes": unpacked, "dependencies": len(pins)}


def image_context(folder: Path, runtime: str, arch: str, profile: str) -> int:
    """The docker build context of the jobs image: Dockerfile, pinned requirements, the package."""
    pins = runtime_requirements(runtime, arch, profile=profile)
    if folder.exists():
        shutil.rmtree(folder)
    shutil.copytree(ROOT / PACKAGE, folder / PACKAGE, ignore=shutil.ignore_patterns(*SKIP_DIRS, "*.pyc", "*.pyo"))
    shutil.copy(ROOT / "deploy" / "aws" / "Dockerfile.jobs", folder / "Dockerfile")
    (folder / "requirements.txt").write_text("".join(f"{name}=={ver}\n" for name, ver in pins.items()))
    return len(pins)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runtime", choices=sorted(RUNTIMES), default="python3.12")
    parser.add_argument("--arch", choices=sorted(ARCHES), default="x86_64")
    parser.add_argument("--out", type=Path, default=ROOT / "dist" / "auroravault-lambda.zip")
    parser.add_argument("--profile", choices=sorted(PROFILES), default="api", help="api: the HTTP and events functions")
    parser.add_argument("--with-boto3", action="store_true", help="ship boto3 instead of the runtime's")
    parser.add_argument("--image-context", type=Path, help="write the jobs image's docker context here instead")
    args = parser.parse_args(argv)
    if args.image_context:
        count = image_context(args.image_context, args.runtime, args.arch, args.profile)
        print(f"{args.image_context}: Dockerfile, requirements.txt ({count} pins), auroravault/")
        return 0
    try:
        sizes = build(args.out, args.runtime, args.arch, args.with_boto3, args.profile)
    except BuildError as exc:
        print(f"build_lambda: {exc}", file=sys.stderr)
        return 1
    mib = 1024 * 1024
    if sizes["unzipped_bytes"] > UNZIPPED_LIMIT:
        print(
            f"build_lambda: {sizes['unzipped_bytes'] / mib:.0f} MiB unzipped is over Lambda's 250 MiB", file=sys.stderr
        )
        args.out.unlink()  # not deployable: leave nothing that looks like a package
        return 1
    print(
        f"{args.out}: {sizes['files']} files, {sizes['dependencies']} dependencies, "
        f"{sizes['zip_bytes'] / mib:.1f} MiB zipped, {sizes['unzipped_bytes'] / mib:.1f} MiB unzipped"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
