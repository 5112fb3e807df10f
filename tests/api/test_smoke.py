from tests.api.helpers import auth, register, upload_files


async def test_walkthrough(client, photos_dir):
    user = await register(client)
    batch_id, items = await upload_files(client, user["token"], [photos_dir / "flower.jpg"])
    assert items[0]["status"] == "processing"
    resp = await client.get("/api/v1/photos", headers=auth(user["token"]))
    assert resp.status_code == 200, resp.text
    assert len(resp.json()["items"]) == 1
