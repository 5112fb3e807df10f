"""The Makefile's install steps, read from ``make -n`` on a venv that does not exist yet."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def dry_run(target: str, venv: Path) -> list[str]:
    # Under `make test` the suite inherits MAKELEVEL and MAKEFLAGS, and a nested make then prints
    # "Entering/Leaving directory" lines: read the plan as a user at a shell would see it.
    env = {k: v for k, v in os.environ.items() if k not in ("MAKELEVEL", "MAKEFLAGS", "MFLAGS")}
    result = subprocess.run(
        ["make", "-n", "--no-print-directory", target, f"VENV={venv}"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return result.stdout.splitlines()


def installs(lines: list[str]) -> list[str]:
    return [line for line in lines if "pip install" in line and "--upgrade pip" not in line]


def test_make_run_installs_what_serving_needs_and_not_the_test_tools(tmp_path: Path) -> None:
    lines = dry_run("run", tmp_path / "venv")
    assert installs(lines) == [f"{tmp_path / 'venv'}/bin/python -m pip install --quiet -e ."]
    assert lines[-1].endswith("/bin/auroravault serve")


def test_make_test_and_lint_install_the_test_extra(tmp_path: Path) -> None:
    for target in ("test", "lint"):
        (install,) = installs(dry_run(target, tmp_path / "venv"))
        assert install.endswith('-e ".[test]"'), install


def test_a_run_install_does_not_count_as_a_test_install(tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    (venv / "bin").mkdir(parents=True)
    (venv / "bin" / "python").touch()
    for line in dry_run("run", venv):  # create the run stamp only, as `make run` leaves it
        if line.startswith("rm -f"):
            subprocess.run(line, shell=True, check=True, cwd=REPO)
    assert installs(dry_run("run", venv)) == []
    (install,) = installs(dry_run("test", venv))
    assert install.endswith('-e ".[test]"')
