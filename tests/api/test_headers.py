"""Security headers on every kind of response: API answers, problems, 404s, blobs, docs, pages."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from tests.api.helpers import auth, file_spec, local_path, register, upload_files

PHOTO = "flower.jpg"


def assert_nosniff(resp: httpx.Response) -> None:
    assert resp.headers.get("x-content-type-options") == "nosniff", (resp.request.url, dict(resp.headers))


def assert_blob_sandboxed(resp: httpx.Response) -> None:
    assert_nosniff(resp)
    csp = [d.strip() for d in resp.headers.get("content-security-policy", "").split(";")]
    assert "sandbox" in csp, csp
    assert "default-src 'none'" in csp, csp


async def test_api_answers_and_problems_are_nosniff_and_never_cached(client, photos_dir: Path) -> None:
    token = (await register(client))["token"]
    _, [item] = await upload_files(client, token, [photos_dir / PHOTO])
    photo = item["photo_id"]
    answers = [
        await client.get("/api/v1/users/me", headers=auth(token)),  # 200 JSON
        await client.get("/api/v1/photos", headers=auth(token)),
        await client.get(f"/api/v1/photos/{photo}/original", headers=auth(token), follow_redirects=False),  # 302
        await client.get(f"/api/v1/photos/{photo}/original?redirect=false", headers=auth(token)),
        await client.post("/api/v1/auth/login", json={"email": "ada@example.com", "password": "correct horse battery"}),
        await client.get("/api/v1/users/me"),  # 401 problem
        await client.post("/api/v1/auth/login", content=b"{", headers={"Content-Type": "application/json"}),  # 400
        await client.get("/api/v1/photos/nope", headers=auth(token)),  # 404 problem
        await client.get("/api/v1/no-such-route"),  # 404 from the router
        await client.delete("/api/v1/users/me", headers=auth(token)),  # 405
        await client.post("/api/v1/auth/logout", headers=auth(token)),  # 204
    ]
    assert [r.status_code for r in answers] == [200, 200, 302, 200, 200, 401, 400, 404, 404, 405, 204]
    for resp in answers:
        assert_nosniff(resp)
        assert resp.headers.get("cache-control") == "no-store", (resp.request.url, resp.status_code)


@pytest.mark.parametrize(
    "path", ["/healthz", "/readyz", "/schema", "/schema/openapi.json", "/no/such/page", "/app/x.js"]
)
async def test_operations_docs_and_unknown_paths_are_nosniff(client, path: str) -> None:
    resp = await client.get(path)
    assert resp.status_code in (200, 404)
    assert_nosniff(resp)
    assert "content-security-policy" in resp.headers


async def test_blobs_are_served_sandboxed_with_nosniff(client, photos_dir: Path) -> None:
    token = (await register(client))["token"]
    spec = file_spec(photos_dir / PHOTO)
    init = (await client.post("/api/v1/uploads", json={"files": [spec]}, headers=auth(token))).json()
    upload = init["items"][0]["upload"]
    put = await client.put(
        local_path(upload["url"]), content=(photos_dir / PHOTO).read_bytes(), headers=upload["headers"]
    )
    assert put.status_code == 200
    assert_blob_sandboxed(put)
    await client.post(f"/api/v1/uploads/{init['batch_id']}/complete", json={}, headers=auth(token))
    photo = init["items"][0]["photo_id"]
    url = (await client.get(f"/api/v1/photos/{photo}/original?redirect=false", headers=auth(token))).json()["url"]
    got = await client.get(local_path(url))
    assert got.status_code == 200 and got.content == (photos_dir / PHOTO).read_bytes()
    assert_blob_sandboxed(got)
    # Refused and missing blobs too.
    assert_blob_sandboxed(await client.get(local_path(url).replace("signature=", "signature=0")))
    assert_blob_sandboxed(await client.get("/blobs/a/b?expires=1&signature=x"))


async def test_a_blob_served_as_html_is_sandboxed(client) -> None:
    """Even a URL signed for text/html (bytes of a crafted upload) cannot run on this origin."""
    store = client.app.state.services.blobs
    body = b"<html><script>localStorage.setItem('owned', '1')</script></html>"
    path = store.path_of("u/p/original")
    path.parent.mkdir(parents=True)
    path.write_bytes(body)
    url = await store.presign_get("u/p/original", expires_in=60, content_type="text/html")
    resp = await client.get(local_path(url))
    assert resp.status_code == 200 and resp.content == body
    assert resp.headers["content-type"].startswith("text/html")
    assert_blob_sandboxed(resp)


async def test_the_web_pages_keep_their_own_policy(client) -> None:
    resp = await client.get("/")
    assert resp.status_code == 200
    assert_nosniff(resp)
    assert "script-src 'self'" in resp.headers["content-security-policy"]
    assert "sandbox" not in resp.headers["content-security-policy"]
