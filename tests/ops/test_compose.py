"""The home-server and cloud files, checked without Docker (it cannot run here).

docker-compose.yml is read with PyYAML and its variables are filled in the way
``docker compose`` does, from .env.example; then every AURORAVAULT_* variable it sets must
be a real setting, config/compose.toml plus those variables must load, and the ports,
host names and credentials must line up between the services. The Dockerfile must build
from this repository's own files, as an unprivileged user.
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import msgspec
import pytest

from auroravault.config import NOT_SETTINGS, Settings, load_settings

yaml = pytest.importorskip("yaml")

REPO = Path(__file__).resolve().parents[2]
COMPOSE = REPO / "docker-compose.yml"
DOCKERFILE = REPO / "Dockerfile"
PULLED = {"minio", "mailpit"}  # services run from published images
BUILT = {"app", "migrate"}  # services run from the image built from this repository


# -- helpers -----------------------------------------------------------------------------------


def env_example() -> dict[str, str]:
    values = {}
    for line in (REPO / ".env.example").read_text().splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            name, _, value = line.partition("=")
            values[name.strip()] = value.strip()
    return values


_VAR = re.compile(r"\$\$|\$\{(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?:(?P<op>:?[-?])(?P<arg>[^}]*))?\}")


def interpolate(text: str, env: dict[str, str]) -> str:
    """``${VAR}``, ``${VAR:-default}``, ``${VAR:?error}`` and ``$$`` as docker compose reads them."""

    def one(match: re.Match[str]) -> str:
        if match.group(0) == "$$":
            return "$"
        name, op, arg = match.group("name"), match.group("op"), match.group("arg")
        value = env.get(name)
        if op in (":-", "-"):
            return value if value or (op == "-" and value is not None) else arg
        if op in (":?", "?") and not value:
            raise AssertionError(f"compose needs ${name}: {arg}")
        return value or ""

    return _VAR.sub(one, text)


def load_compose(env: dict[str, str]) -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(interpolate(COMPOSE.read_text(), env))
    return data


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    return load_compose(env_example())


def services(compose: dict[str, Any]) -> dict[str, dict[str, Any]]:
    result: dict[str, dict[str, Any]] = compose["services"]
    return result


def environment(service: dict[str, Any]) -> dict[str, str]:
    env = service.get("environment") or {}
    if isinstance(env, list):
        env = dict(item.split("=", 1) for item in env)
    return {str(k): str(v) for k, v in env.items()}


def published(service: dict[str, Any]) -> dict[int, tuple[str, int]]:
    """Container port -> (host address, host port) of the short ``ports`` syntax."""
    out: dict[int, tuple[str, int]] = {}
    for entry in service.get("ports") or []:
        parts = str(entry).split("/")[0].split(":")
        assert len(parts) in (2, 3), f"write ports as [address:]host:container, not {entry!r}"
        address = parts[0] if len(parts) == 3 else "0.0.0.0"
        out[int(parts[-1])] = (address, int(parts[-2]))
    return out


def container_ports(service: dict[str, Any]) -> set[int]:
    return set(published(service)) | {int(str(p).split("/")[0]) for p in service.get("expose") or []}


def mounts(service: dict[str, Any]) -> dict[str, str]:
    """Target -> source of the short ``volumes`` syntax."""
    out = {}
    for entry in service.get("volumes") or []:
        source, target = str(entry).split(":")[:2]
        out[target] = source
    return out


def app_settings(compose: dict[str, Any]) -> Settings:
    """What the app container loads: its config file plus its AURORAVAULT_* variables."""
    app = services(compose)["app"]
    env = environment(app)
    config = env.pop("AURORAVAULT_CONFIG")
    source = mounts(app)[config]
    return load_settings(REPO / source, environ=env)


def url_port(url: str) -> int:
    parts = urlsplit(url)
    return parts.port or (443 if parts.scheme == "https" else 80)


# -- docker-compose.yml ------------------------------------------------------------------------


def test_services_are_the_app_its_init_minio_and_mailpit(compose: dict[str, Any]) -> None:
    assert set(services(compose)) == BUILT | PULLED


def test_every_auroravault_variable_is_a_real_setting(compose: dict[str, Any]) -> None:
    sections = {f.name: f.type for f in msgspec.structs.fields(Settings)}
    for name, service in services(compose).items():
        for var in environment(service):
            if not var.startswith("AURORAVAULT_") or var in NOT_SETTINGS:
                continue
            section, sep, key = var[len("AURORAVAULT_") :].lower().partition("__")
            assert sep and section in sections, f"{name}: {var} names no settings section"
            keys = {f.name for f in msgspec.structs.fields(sections[section])}
            assert key in keys, f"{name}: {var} names no setting {section}.{key}"


def test_the_config_file_is_mounted_from_the_repository(compose: dict[str, Any]) -> None:
    for name in BUILT:
        service = services(compose)[name]
        config = environment(service)["AURORAVAULT_CONFIG"]
        source = mounts(service)[config]
        assert source.startswith("./") and (REPO / source).is_file(), f"{name}: {source} is not in the repository"
        assert str(service["volumes"][0]).endswith(":ro")


def test_config_files_load_on_their_own() -> None:
    home = load_settings(REPO / "config" / "compose.toml", environ={})
    assert (home.storage.backend, home.meta.backend, home.mail.backend) == ("s3", "sqlite", "smtp")
    assert home.server.host == "0.0.0.0" and home.server.data_dir == "/data"
    assert not home.s3.access_key and not home.s3.secret_key, "secrets come from .env, never from the file"

    cloud = load_settings(REPO / "config" / "aws.toml", environ={})
    assert (cloud.storage.backend, cloud.meta.backend, cloud.mail.backend) == ("s3", "dynamodb", "ses")
    assert not cloud.s3.endpoint_url and not cloud.dynamodb.endpoint_url and not cloud.ses.endpoint_url
    keys = [cloud.s3.access_key, cloud.s3.secret_key, cloud.dynamodb.access_key, cloud.ses.secret_key]
    assert keys == ["", "", "", ""], "AWS credentials come from the instance role"
    assert cloud.jobs.enabled and cloud.server.public_url.startswith("https://")
    assert cloud.server.cors_origins, "browsers upload straight to S3: the bucket needs CORS origins"

    assert load_settings(REPO / "config" / "auroravault.toml", environ={}) == load_settings(environ={})


def test_the_app_loads_its_settings_and_they_match_the_services(compose: dict[str, Any]) -> None:
    settings = app_settings(compose)
    svc = services(compose)
    address = env_example()["VAULT_ADDRESS"]

    # The app: published on server.port, and public_url is that port on the family's address.
    assert published(svc["app"])[settings.server.port] == ("0.0.0.0", settings.server.port)
    assert urlsplit(settings.server.public_url).hostname == address
    assert url_port(settings.server.public_url) == settings.server.port
    assert settings.data_path.as_posix() in mounts(svc["app"]), "the data folder must be a volume"

    # Storage: the app reaches MinIO by service name; devices by the published port.
    endpoint = urlsplit(settings.s3.endpoint_url)
    assert endpoint.hostname == "minio"
    minio_port = url_port(settings.s3.endpoint_url)
    assert minio_port in published(svc["minio"]), "devices must reach MinIO's S3 port"
    public = settings.s3.public_endpoint_url
    assert urlsplit(public).hostname == address
    assert url_port(public) == published(svc["minio"])[minio_port][1]
    assert settings.s3.path_style, "MinIO wants path-style addressing"

    # The app signs in to MinIO with MinIO's own root credentials, from .env.
    minio_env = environment(svc["minio"])
    assert settings.s3.access_key == minio_env["MINIO_ROOT_USER"] != ""
    assert settings.s3.secret_key == minio_env["MINIO_ROOT_PASSWORD"] != ""
    # Browsers upload from the app's page straight to MinIO.
    assert minio_env["MINIO_API_CORS_ALLOW_ORIGIN"] == settings.server.public_url

    # Mail: Mailpit by service name, on its SMTP port.
    assert settings.mail.backend == "smtp" and settings.smtp.host == "mailpit"
    assert settings.smtp.port in container_ports(svc["mailpit"])


def test_admin_uis_are_only_on_the_server_itself(compose: dict[str, Any]) -> None:
    svc = services(compose)
    assert published(svc["minio"])[9001][0] == "127.0.0.1", "MinIO console"
    assert published(svc["mailpit"])[8025][0] == "127.0.0.1", "Mailpit holds password-reset links"
    assert 1025 not in published(svc["mailpit"]), "SMTP stays inside the compose network"


def test_secrets_come_from_env_and_compose_refuses_to_start_without_them() -> None:
    raw = yaml.safe_load(COMPOSE.read_text())
    minio_env = environment(raw["services"]["minio"])
    for var in ("MINIO_ROOT_USER", "MINIO_ROOT_PASSWORD"):
        assert re.fullmatch(r"\$\{" + var + r":\?[^}]+\}", minio_env[var]), minio_env[var]
    with pytest.raises(AssertionError, match="MINIO_ROOT_PASSWORD"):
        load_compose({"VAULT_ADDRESS": "nas.local", "MINIO_ROOT_USER": "auroravault"})
    assert "change-me" in env_example()["MINIO_ROOT_PASSWORD"], ".env.example must say the password is a placeholder"
    # Every variable compose reads is explained in .env.example.
    used = {m.group("name") for m in _VAR.finditer(COMPOSE.read_text()) if m.group("name")}
    assert used <= set(env_example()), used - set(env_example())


def test_images_are_pinned(compose: dict[str, Any]) -> None:
    for name, service in services(compose).items():
        if name in BUILT:
            assert service["build"] == "." and (REPO / "Dockerfile").is_file()
            continue
        image = service["image"]
        _, sep, tag = image.rpartition(":")
        assert sep and "/" not in tag and tag, f"{name}: {image} has no tag"
        assert tag != "latest" and re.search(r"\d", tag), f"{name}: {image} is not pinned to a release"
    assert re.fullmatch(
        r"quay\.io/minio/minio:RELEASE\.\d{4}-\d\d-\d\dT\d\d-\d\d-\d\dZ", services(compose)["minio"]["image"]
    )
    assert re.fullmatch(r"axllent/mailpit:v1\.\d+\.\d+", services(compose)["mailpit"]["image"])


def test_the_app_starts_after_its_backends_and_the_init(compose: dict[str, Any]) -> None:
    svc = services(compose)
    depends = svc["app"]["depends_on"]
    assert depends["minio"]["condition"] == "service_healthy"
    assert depends["migrate"]["condition"] == "service_completed_successfully"
    assert "mailpit" in depends
    assert svc["minio"]["healthcheck"]["test"][:2] == ["CMD", "mc"]
    assert svc["migrate"]["depends_on"]["minio"]["condition"] == "service_healthy"
    # The one-shot init is the app's own idempotent migrate, with the app's settings and data.
    assert svc["migrate"]["command"] == ["auroravault", "migrate"]
    assert svc["migrate"]["restart"] == "no"
    assert environment(svc["migrate"]) == environment(svc["app"])
    assert mounts(svc["migrate"]) == mounts(svc["app"])
    for name in ("app", "minio", "mailpit"):
        assert svc[name]["restart"] == "unless-stopped"


def test_named_volumes_are_declared(compose: dict[str, Any]) -> None:
    declared = set(compose.get("volumes") or {})
    for name, service in services(compose).items():
        for source in mounts(service).values():
            if not source.startswith((".", "/")):
                assert source in declared, f"{name}: volume {source} is not declared"


# -- Dockerfile --------------------------------------------------------------------------------


def dockerfile() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) with continuation lines joined and comments dropped."""
    lines: list[str] = []
    pending = ""
    for raw in DOCKERFILE.read_text().splitlines():
        stripped = raw.strip()
        if not pending and (not stripped or stripped.startswith("#")):
            continue
        if stripped.endswith("\\"):
            pending += stripped[:-1] + " "
            continue
        lines.append(pending + stripped)
        pending = ""
    out = []
    for line in lines:
        word, _, rest = line.partition(" ")
        out.append((word.upper(), rest.strip()))
    return out


def test_dockerfile_base_is_a_pinned_python_311_slim() -> None:
    froms = [args for op, args in dockerfile() if op == "FROM"]
    assert len(froms) == 1
    assert re.fullmatch(r"python:3\.11\.\d+-slim(-\w+)?", froms[0]), froms[0]


def test_dockerfile_copies_only_files_of_this_repository() -> None:
    ops = dockerfile()
    assert not [a for op, a in ops if op == "ADD"], "ADD can fetch URLs and unpack archives: use COPY"
    allowed = {
        line[1:].rstrip("/") for line in (REPO / ".dockerignore").read_text().splitlines() if line.startswith("!")
    }
    copied = set()
    for op, args in ops:
        if op != "COPY":
            continue
        words = shlex.split(args)
        assert not any(w.startswith("--from") for w in words), "no files from other images"
        for source in [w for w in words if not w.startswith("--")][:-1]:
            assert not Path(source).is_absolute() and ".." not in Path(source).parts, source
            assert (REPO / source).exists(), f"COPY {source}: not in the repository"
            assert source.rstrip("/") in allowed, f"COPY {source}: excluded by .dockerignore"
            copied.add(source.rstrip("/"))
    assert {"pyproject.toml", "README.md", "auroravault", "config"} <= copied
    assert "tests" not in copied and ".venv" not in copied
    assert any(op == "RUN" and re.search(r"pip install (\.|/src)( |$)", a) for op, a in ops), "installs what it copied"


def test_dockerignore_keeps_secrets_caches_and_data_out() -> None:
    lines = (REPO / ".dockerignore").read_text().splitlines()
    assert "*" in lines, "everything is excluded unless let back in"
    for pattern in ("**/__pycache__", "**/.env"):
        assert pattern in lines


def test_dockerfile_runs_as_an_unprivileged_user_and_checks_its_health() -> None:
    ops = dockerfile()
    users = [(i, a) for i, (op, a) in enumerate(ops) if op == "USER"]
    assert users, "no USER: the server would run as root"
    index, user = users[-1]
    assert user.split(":")[0] not in ("root", "0")
    cmd = next(i for i, (op, _) in enumerate(ops) if op == "CMD")
    assert index < cmd
    assert ("EXPOSE", str(Settings().server.port)) in ops
    assert any(op == "VOLUME" and "/data" in a for op, a in ops)
    assert any(op == "ENV" and "AURORAVAULT_SERVER__DATA_DIR=/data" in a for op, a in ops)

    health = next(a for op, a in ops if op == "HEALTHCHECK")
    assert "/healthz" in health and "curl" not in health
    exec_form = msgspec.json.decode(health.split("CMD", 1)[1].strip())
    assert exec_form[:2] == ["python", "-c"]
    compile(exec_form[2], "HEALTHCHECK", "exec")  # the probe is valid Python

    command = msgspec.json.decode(next(a for op, a in ops if op == "CMD"))
    assert command[:2] == ["auroravault", "serve"] and "0.0.0.0" in command


# -- docs/aws.md: the IAM policies cover every call the adapters make ------------------------------


def policies() -> dict[str, set[str]]:
    """Sid -> actions of every JSON policy in docs/aws.md (each block must be valid JSON)."""
    text = (REPO / "docs" / "aws.md").read_text()
    actions: dict[str, set[str]] = {}
    for block in re.findall(r"```json\n(.*?)```", text, re.S):
        policy = msgspec.json.decode(block)
        assert policy["Version"] == "2012-10-17"
        for statement in policy["Statement"]:
            assert statement["Effect"] == "Allow" and "*" not in str(statement["Action"])
            listed = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
            actions.setdefault(statement["Sid"], set()).update(listed)
    return actions


def called_operations(module: Path, service: str) -> set[str]:
    """AWS operations whose snake_case name appears quoted or as a client method in ``module``."""
    import botocore.session
    from botocore import xform_name

    model = botocore.session.get_session().get_service_model(service)
    by_snake = {xform_name(name): name for name in model.operation_names}
    source = module.read_text()
    found = set(re.findall(r"""["'](\w+)["']""", source)) | set(re.findall(r"_client\.(\w+)", source))
    return {by_snake[name] for name in found if name in by_snake}


def test_iam_policies_cover_every_aws_call() -> None:
    granted = set().union(*policies().values())
    package = REPO / "auroravault"

    modules = sorted((package / "meta" / "dynamodb").glob("*.py"))
    dynamodb = set().union(*(called_operations(module, "dynamodb") for module in modules))
    assert {"GetItem", "TransactWriteItems", "CreateTable"} <= dynamodb
    assert {f"dynamodb:{op}" for op in dynamodb} <= granted

    # S3 calls map to IAM actions that are not always named like the operation.
    s3_actions = {
        "HeadObject": "s3:GetObject",
        "GetObject": "s3:GetObject",
        "PutObject": "s3:PutObject",
        "DeleteObject": "s3:DeleteObject",
        "ListObjectsV2": "s3:ListBucket",
        "HeadBucket": "s3:ListBucket",
        "CreateBucket": "s3:CreateBucket",
        "PutBucketCors": "s3:PutBucketCORS",
    }
    s3 = called_operations(package / "storage" / "s3.py", "s3")
    assert s3 - {"ListObjectsV2"} <= set(s3_actions), s3 - set(s3_actions)
    assert {s3_actions[op] for op in s3 | {"ListObjectsV2"}} <= granted  # list() pages ListObjectsV2

    ses = called_operations(package / "mail" / "ses.py", "ses")
    assert ses == {"SendRawEmail", "GetSendQuota"}
    assert {f"ses:{op}" for op in ses} <= granted


def test_the_app_policy_cannot_create_or_reconfigure() -> None:
    app = set().union(*(a for sid, a in policies().items() if sid not in ("CreateTheBucket", "CreateTheTable")))
    for action in ("s3:CreateBucket", "s3:PutBucketCORS", "dynamodb:CreateTable", "dynamodb:UpdateTable"):
        assert action not in app
