"""Overlapping folders are refused at start-up and by ``auroravault check``, naming the settings."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from auroravault.app import create_app
from auroravault.errors import ConfigError
from auroravault.layout import folder_overlaps
from auroravault.ops import cmd_check_results
from tests.asgi import app_client
from tests.conftest import make_settings


@pytest.mark.parametrize(
    ("overrides", "named"),
    [
        ({"local": {"root": "{data}"}}, "local.root"),
        ({"local": {"root": "{tmp}"}}, "local.root"),
        ({"sqlite": {"path": "{tmp}/photos/auroravault.db"}, "local": {"root": "{tmp}/photos"}}, "sqlite.path"),
        ({"local": {"root": "{data}/outbox"}}, "the mail outbox"),
        ({"server": {"work_dir": "{tmp}/photos/work"}, "local": {"root": "{tmp}/photos"}}, "server.work_dir"),
    ],
)
async def test_the_server_refuses_overlapping_folders_and_touches_nothing(
    tmp_path: Path, overrides: dict[str, Any], named: str
) -> None:
    data = tmp_path / "data"
    filled = {
        section: {k: v.format(data=data, tmp=tmp_path) for k, v in values.items()}
        for section, values in overrides.items()
    }
    settings = make_settings(tmp_path, **filled)
    # Litestar raises the lifespan's error inside an exception group.
    with pytest.raises(BaseExceptionGroup) as caught:
        async with app_client(create_app(settings)):
            pass
    assert caught.group_contains(ConfigError, match=f"folders overlap: .*{named}")
    assert not settings.sqlite_path.exists()
    results = cmd_check_results(settings)
    assert any(r.status == "FAIL" and r.config_error and named in r.message for r in results)


def test_the_default_layout_and_separate_folders_are_fine(tmp_path: Path) -> None:
    assert folder_overlaps(make_settings(tmp_path)) == []
    apart = make_settings(
        tmp_path, local={"root": str(tmp_path / "photos")}, sqlite={"path": str(tmp_path / "db" / "av.db")}
    )
    assert folder_overlaps(apart) == []
    s3 = make_settings(tmp_path, storage={"backend": "s3"}, local={"root": str(tmp_path / "data")})
    assert folder_overlaps(s3) == []  # local.root is not used with S3
