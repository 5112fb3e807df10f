"""Housekeeping touches only keys of the user layout, even in a folder that holds other files.

The start-up check refuses ``local.root`` = the data folder; this is the second line of
defence, for a store that is shared anyway (the database, its WAL, the secret, the outbox).
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from auroravault.config import signing_secret
from auroravault.meta.sqlite import SqliteMetaStore
from auroravault.services.container import Services
from auroravault.storage.local import LocalBlobStore
from tests.conftest import make_settings


async def test_the_database_secret_and_outbox_survive_housekeeping_in_a_shared_folder(tmp_path: Path) -> None:
    settings = make_settings(tmp_path)
    data = settings.data_path
    meta = SqliteMetaStore(settings.sqlite_path)
    blobs = LocalBlobStore(data, base_url="http://testserver.local", secret=signing_secret(settings))
    services = Services.build(settings, meta, blobs)
    try:
        await meta.migrate()
        await services.accounts.create_user("ada@example.com", "correct horse battery", "Ada")  # queues an email
        (data / "outbox").mkdir(exist_ok=True)
        (data / "outbox" / "welcome.eml").write_text("Subject: hi\n")
        (data / "u_gone" / "p_gone").mkdir(parents=True)
        (data / "u_gone" / "p_gone" / "original").write_bytes(b"a photo whose row was lost")
        (data / "u_gone" / "p_gone" / "thumb.webp").write_bytes(b"a variant")
        before = {p.relative_to(data) for p in data.rglob("*") if p.is_file()}
        assert {Path("auroravault.db"), Path("secret.key")} <= before

        counts = await services.sweep.tidy_orphans(older_than=timedelta(0))

        assert counts == {"quarantined": 1, "deleted": 1}
        after = {p.relative_to(data) for p in data.rglob("*") if p.is_file()}
        moved = {Path("u_gone/p_gone/original"), Path("u_gone/p_gone/thumb.webp")}
        assert after == (before - moved) | {Path("quarantine/u_gone/p_gone/original")}
        assert (data / "quarantine/u_gone/p_gone/original").read_bytes() == b"a photo whose row was lost"
        assert await meta.get_user_by_email("ada@example.com") is not None  # the database still works
    finally:
        await services.close()
