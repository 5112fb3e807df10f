"""The HTTP API on Lambda, called as Lambda calls it: ``handler(event, context)`` with API Gateway
HTTP API (payload 2.0) events, on a real SQLite file and local folder, or on DynamoDB (moto)."""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any
from urllib.parse import urlsplit

import pytest

from auroravault.aws import http
from auroravault.config import load_settings
from auroravault.errors import ConfigError
from auroravault.meta import build_meta_store
from tests.aws.events import body_of, http_event, json_of
from tests.servers.moto import MOTO_CREDENTIALS, MOTO_REGION, unique_name

CONTEXT = SimpleNamespace(function_name="auroravault-http", aws_request_id="c6af9ac6-7b61-11e6-9a41-93e8deadbeef")
PUBLIC_URL = "https://a1b2c3d4e5.execute-api.eu-west-1.amazonaws.com"
PASSWORD = "correct horse battery"


def _environment(tmp_path: Path, backend: str, request: pytest.FixtureRequest) -> dict[str, str]:
    env = {
        "AURORAVAULT_SERVER__SECRET": "lambda-test-secret-0123456789abcdef",
        "AURORAVAULT_SERVER__PUBLIC_URL": PUBLIC_URL,
        # Only /tmp is writable on Lambda; here the test's own folder stands for it.
        "AURORAVAULT_SERVER__DATA_DIR": str(tmp_path / "tmp"),
        "AURORAVAULT_SQLITE__PATH": str(tmp_path / "meta" / "auroravault.db"),
        "AURORAVAULT_LOCAL__ROOT": str(tmp_path / "photos"),
    }
    if backend == "dynamodb":
        endpoint = request.getfixturevalue("moto_server")
        env |= {
            "AURORAVAULT_META__BACKEND": "dynamodb",
            "AURORAVAULT_DYNAMODB__TABLE": unique_name("lambda"),
            "AURORAVAULT_DYNAMODB__REGION": MOTO_REGION,
            "AURORAVAULT_DYNAMODB__ENDPOINT_URL": endpoint,
            "AURORAVAULT_DYNAMODB__ACCESS_KEY": MOTO_CREDENTIALS["access_key"],
            "AURORAVAULT_DYNAMODB__SECRET_KEY": MOTO_CREDENTIALS["secret_key"],
        }
    return env


async def _migrate(env: dict[str, str]) -> None:
    # What `auroravault migrate` does at deploy time; the function itself never migrates.
    (Path(env["AURORAVAULT_SQLITE__PATH"])).parent.mkdir(parents=True, exist_ok=True)
    meta = build_meta_store(load_settings(environ=env))
    try:
        await meta.migrate()
    finally:
        await meta.close()


@pytest.fixture(params=["sqlite", "dynamodb"])
def lambda_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest) -> Iterator[dict]:
    import os

    for name in [n for n in os.environ if n.startswith("AURORAVAULT_")]:
        monkeypatch.delenv(name)
    env = _environment(tmp_path, request.param, request)
    asyncio.run(_migrate(env))
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    http.reset()
    try:
        yield env
    finally:
        http.reset()


def call(method: str, path: str, **kwargs: Any) -> dict[str, Any]:
    return http.handler(http_event(method, path, **kwargs), CONTEXT)


def bearer(token: str) -> dict[str, str]:
    return {"authorization": f"Bearer {token}"}


def register(email: str = "ada@example.com") -> str:
    resp = call(
        "POST", "/api/v1/auth/register", json_body={"email": email, "password": PASSWORD, "display_name": "Ada"}
    )
    assert resp["statusCode"] == 201, resp
    token: str = json_of(resp)["token"]
    return token


def test_health_answers_and_the_app_is_built_once_per_container(lambda_env) -> None:
    first = call("GET", "/healthz")
    assert first["statusCode"] == 200
    assert not first["isBase64Encoded"]
    container = http._container
    assert container is not None
    assert call("GET", "/healthz")["statusCode"] == 200
    # The second request reused the container's app, adapters and loop: no second start-up.
    assert http._container is container
    # Jobs run in the jobs function; a frozen container must not hold a scheduler.
    assert container.settings.jobs.enabled is False
    assert container.services.runner._scheduler is None


def test_register_login_and_an_authenticated_list(lambda_env) -> None:
    register()
    login = call("POST", "/api/v1/auth/login", json_body={"email": "ada@example.com", "password": PASSWORD})
    assert login["statusCode"] == 200, login
    token = json_of(login)["token"]
    listing = call("GET", "/api/v1/photos", query="limit=10", headers=bearer(token))
    assert listing["statusCode"] == 200, listing
    assert json_of(listing)["items"] == []
    me = json_of(call("GET", "/api/v1/users/me", headers=bearer(token)))
    assert me["email"] == "ada@example.com"


def test_bad_input_is_a_problem_sent_as_text_and_nothing_is_created(lambda_env) -> None:
    resp = call(
        "POST",
        "/api/v1/auth/register",
        json_body={"email": "not-an-address", "password": PASSWORD, "display_name": "Ada"},
    )
    assert resp["statusCode"] == 422
    assert resp["headers"]["content-type"].startswith("application/problem+json")
    problem = json_of(resp)
    assert problem["code"] == "invalid_email"
    denied = call("GET", "/api/v1/photos")
    assert denied["statusCode"] == 401
    assert json_of(denied)["code"]
    # The refused address did not become an account: registering it properly works.
    register("not-an-address@example.com")


def test_a_binary_upload_and_download_pass_through_base64(lambda_env, photos_dir: Path) -> None:
    token = register()
    data = (photos_dir / "flower.jpg").read_bytes()
    spec = {"filename": "flower.jpg", "size": len(data), "content_type": "image/jpeg"}
    spec["sha256"] = hashlib.sha256(data).hexdigest()
    batch = call("POST", "/api/v1/uploads", json_body={"files": [spec]}, headers=bearer(token))
    assert batch["statusCode"] == 201, batch
    item = json_of(batch)["items"][0]
    url = urlsplit(item["upload"]["url"])
    assert f"{url.scheme}://{url.netloc}" == PUBLIC_URL
    put = call(item["upload"]["method"], url.path, query=url.query, headers=item["upload"]["headers"], body=data)
    assert put["statusCode"] == 200, put
    done = call("POST", f"/api/v1/uploads/{json_of(batch)['batch_id']}/complete", json_body={}, headers=bearer(token))
    assert [i["status"] for i in json_of(done)["items"]] == ["processing"]

    original = call("GET", f"/api/v1/photos/{item['photo_id']}/original", headers=bearer(token))
    assert original["statusCode"] == 302
    location = urlsplit(original["headers"]["location"])
    download = call("GET", location.path, query=location.query)
    assert download["statusCode"] == 200
    assert download["isBase64Encoded"] is True
    assert body_of(download) == data


def test_a_missing_secret_fails_the_start_and_the_next_request_starts_again(lambda_env, monkeypatch) -> None:
    monkeypatch.delenv("AURORAVAULT_SERVER__SECRET")
    with pytest.raises(ConfigError, match=r"server\.secret"):
        call("GET", "/healthz")
    assert http._container is None
    monkeypatch.setenv("AURORAVAULT_SERVER__SECRET", "set-after-the-first-failure-0123456789")
    assert call("GET", "/healthz")["statusCode"] == 200
