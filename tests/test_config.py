"""Settings: precedence, clear errors, the documented file, the generated secret."""

from __future__ import annotations

import re
import stat
import tomllib
from pathlib import Path

import msgspec
import pytest

from auroravault.config import Settings, load_settings, signing_secret
from auroravault.errors import ConfigError

DOC = Path(__file__).resolve().parents[1] / "config" / "auroravault.toml"


def test_every_setting_is_documented_with_its_default() -> None:
    documented = tomllib.loads(DOC.read_text())
    defaults = msgspec.to_builtins(Settings())
    assert documented == defaults, "config/auroravault.toml must list every key with its default"
    text = DOC.read_text()
    for section, keys in defaults.items():
        for key in keys:
            # each key has a comment somewhere in its section, above it
            block = text.split(f"[{section}]", 1)[1].split("\n[", 1)[0]
            assert re.search(rf"^{key} = ", block, re.M), f"{section}.{key}"
        assert "#" in text.split(f"[{section}]", 1)[1].split("\n[", 1)[0], section


def test_precedence_defaults_file_environment(tmp_path: Path) -> None:
    cfg = tmp_path / "a.toml"
    cfg.write_text('[server]\nport = 9001\nlog_level = "debug"\n[uploads]\nmax_batch = 20\n')
    settings = load_settings(cfg, environ={"AURORAVAULT_SERVER__PORT": "9002"})
    assert settings.server.port == 9002  # environment beats file
    assert settings.server.log_level == "debug"  # file beats default
    assert settings.uploads.max_batch == 20
    assert settings.server.host == "127.0.0.1"  # default
    via_env = load_settings(environ={"AURORAVAULT_CONFIG": str(cfg)})
    assert via_env.server.port == 9001


@pytest.mark.parametrize(
    ("toml", "env", "message"),
    [
        ("[server]\nprot = 1\n", {}, "unknown setting 'server.prot'"),
        ("[serverz]\n", {}, "unknown setting 'serverz'"),
        ('[server]\nport = "x"\n', {}, "setting 'server.port'"),
        ("[server]\nport = 70000\n", {}, "setting 'server.port'"),
        ('[auth]\nregistration = "maybe"\n', {}, "setting 'auth.registration'"),
        ("", {"AURORAVAULT_UPLOADS__MAX_BATCH": "lots"}, "setting 'uploads.max_batch'"),
        ("", {"AURORAVAULT_NOPE__X": "1"}, "AURORAVAULT_NOPE__X"),
        ("", {"AURORAVAULT_SERVER__PUBLIC_URL": "photos.example"}, "server.public_url"),
        ("[server\n", {}, "not valid TOML"),
        ('[server]\ntrusted_proxies = ["10.0.0.1/8"]\n', {}, "server.trusted_proxies"),
        ("", {"AURORAVAULT_SERVER__TRUSTED_PROXIES": '["proxy.lan"]'}, "server.trusted_proxies"),
    ],
)
def test_a_wrong_key_or_value_is_named(tmp_path: Path, toml: str, env: dict, message: str) -> None:
    cfg = tmp_path / "bad.toml"
    cfg.write_text(toml)
    with pytest.raises(ConfigError) as exc:
        load_settings(cfg, environ=env)
    assert message in str(exc.value)


def test_missing_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="config file not found"):
        load_settings(tmp_path / "nope.toml", environ={})


def test_lists_from_the_environment_are_json() -> None:
    settings = load_settings(environ={"AURORAVAULT_SERVER__CORS_ORIGINS": '["https://a.example"]'})
    assert settings.server.cors_origins == ["https://a.example"]


def test_the_secret_is_generated_once_with_mode_0600(tmp_path: Path) -> None:
    settings = load_settings(environ={}, overrides={"server": {"data_dir": str(tmp_path)}})
    first = signing_secret(settings)
    path = tmp_path / "secret.key"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert len(first) >= 32 and signing_secret(settings) == first
    configured = load_settings(environ={}, overrides={"server": {"data_dir": str(tmp_path), "secret": "x" * 40}})
    assert signing_secret(configured) == b"x" * 40


async def test_public_url_sets_the_host_of_presigned_urls(tmp_path: Path) -> None:
    from auroravault.app import build_services

    settings = load_settings(
        environ={}, overrides={"server": {"data_dir": str(tmp_path), "public_url": "https://photos.example/"}}
    )
    services = build_services(settings)
    req = await services.blobs.presign_put(
        "u/p/original", content_type="image/jpeg", size=1, sha256="a" * 64, expires_in=60
    )
    assert req.url.startswith("https://photos.example/blobs/u/p/original?")
