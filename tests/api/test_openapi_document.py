"""The OpenAPI document states this server's limits, problem types and methods."""

from __future__ import annotations

from pathlib import Path

from auroravault.app import create_app
from tests.asgi import app_client
from tests.conftest import make_settings


async def document(tmp_path: Path, **overrides: dict) -> dict:
    async with app_client(create_app(make_settings(tmp_path, **overrides))) as client:
        resp = await client.get("/schema/openapi.json")
        assert resp.status_code == 200
        body: dict = resp.json()
        return body


async def test_limits_follow_the_settings(tmp_path: Path) -> None:
    doc = await document(
        tmp_path,
        uploads={"max_batch": 7, "max_file_bytes": 12345, "check_max_hashes": 99},
        auth={"password_min_length": 12},
    )
    schemas = doc["components"]["schemas"]
    files = schemas["InitBody"]["properties"]["files"]
    assert (files["minItems"], files["maxItems"]) == (1, 7)
    size = schemas["FileSpec"]["properties"]["size"]
    assert (size["minimum"], size["maximum"]) == (1, 12345)
    assert schemas["CheckBody"]["properties"]["sha256"]["maxItems"] == 99
    assert schemas["RegisterBody"]["properties"]["password"]["minLength"] == 12
    assert schemas["RegisterBody"]["additionalProperties"] is False


async def test_problems_are_documented_as_problem_json(tmp_path: Path) -> None:
    doc = await document(tmp_path)
    for path, item in doc["paths"].items():
        for method, operation in item.items():
            for status, response in operation["responses"].items():
                if int(status) >= 400:
                    assert list(response.get("content", {})) == ["application/problem+json"], (method, path, status)
            if path.startswith("/api/v1/"):
                assert "400" in operation["responses"], (method, path)
    download = doc["paths"]["/api/v1/photos/{photo_id}/{variant}"]["get"]["responses"]
    assert {"200", "302"} <= set(download)
    assert doc["paths"]["/api/v1/users/me"]["get"]["security"] == [{"bearer": []}]
    assert "security" not in doc["paths"]["/api/v1/auth/login"]["post"]


async def test_options_names_every_method_of_a_shared_path(client) -> None:
    for path, methods in [
        ("/blobs/u/p/original", {"GET", "PUT", "OPTIONS"}),
        ("/api/v1/uploads", {"GET", "POST", "OPTIONS"}),
        ("/api/v1/albums", {"GET", "POST", "OPTIONS"}),
        ("/api/v1/albums/al_x", {"GET", "PATCH", "DELETE", "OPTIONS"}),
        ("/api/v1/albums/al_x/photos", {"GET", "POST", "OPTIONS"}),
        ("/api/v1/family", {"GET", "POST", "PATCH", "DELETE", "OPTIONS"}),
        ("/api/v1/family/members/u_x", {"PATCH", "DELETE", "OPTIONS"}),
    ]:
        resp = await client.options(path)
        assert resp.status_code == 204
        assert {m.strip() for m in resp.headers["allow"].split(",")} == methods, path


def test_no_two_wire_structs_share_a_name() -> None:
    """Schemas are named by struct: two ``MemberEdit`` once made the document describe the album
    members' body with the family's and refuse what it allowed."""
    from auroravault.api.openapi import wire_structs

    names = wire_structs()
    assert {"FamilyMemberEdit", "AlbumMemberEdit", "FamilyMemberOut", "AlbumPersonOut"} <= set(names)
