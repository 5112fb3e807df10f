"""Login limits: counted before the password is checked, per address and account, and a
stranger cannot lock the owner out. Client addresses behind trusted proxies."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import msgspec
import pytest

from auroravault.app import create_app
from tests.api.helpers import register
from tests.api.peers import login, peer
from tests.asgi import AppClient, app_client
from tests.conftest import make_settings
from tests.meta.conftest import dynamo_settings

RIGHT, WRONG = "correct horse battery", "not the password"
PROXY = "10.0.0.2"  # the load balancer, inside trusted_proxies below
TRUSTED = {"trusted_proxies": ["10.0.0.0/8"]}


async def started(tmp_path: Path, **sections: Any) -> AsyncIterator[AppClient]:
    async with app_client(create_app(make_settings(tmp_path, **sections))) as client:
        await register(client, password=RIGHT)
        yield client


async def on_adapter(request: pytest.FixtureRequest, tmp_path: Path, **sections: Any) -> AsyncIterator[AppClient]:
    if request.param == "dynamodb":
        table = dynamo_settings(request.getfixturevalue("moto_server"))
        sections |= {"meta": {"backend": "dynamodb"}, "dynamodb": msgspec.to_builtins(table)}
    async for client in started(tmp_path, **sections):
        yield client


@pytest.fixture(params=["sqlite", "dynamodb"])
async def vault(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[AppClient]:
    """A server with Ada registered, on each meta adapter."""
    async for client in on_adapter(request, tmp_path):
        yield client


@pytest.fixture(params=["sqlite", "dynamodb"])
async def proxied(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[AppClient]:
    """The same, behind a load balancer in 10.0.0.0/8."""
    async for client in on_adapter(request, tmp_path, server=TRUSTED):
        yield client


async def test_25_concurrent_wrong_passwords_verify_only_5(vault: AppClient) -> None:
    async with peer(vault.app, "203.0.113.9") as attacker:
        results = await asyncio.gather(*(login(attacker, f"guess number {i}") for i in range(25)))
    assert Counter(results) == {401: 5, 429: 20}


async def test_the_owner_logs_in_while_a_stranger_is_limited(vault: AppClient) -> None:
    async with peer(vault.app, "203.0.113.9") as attacker, peer(vault.app, "198.51.100.20") as owner:
        results = [await login(attacker, WRONG) for _ in range(12)]
        assert results == [401] * 5 + [429] * 7
        assert await login(attacker, RIGHT) == 429  # the stranger's address stays limited
        assert await login(owner, RIGHT) == 200
        assert await login(owner, WRONG) == 401  # the owner's own address has its own count


async def test_through_a_trusted_proxy_two_clients_get_separate_limits(proxied: AppClient) -> None:
    async with peer(proxied.app, PROXY) as proxy:
        a = {"X-Forwarded-For": "198.51.100.1"}
        b = {"X-Forwarded-For": "198.51.100.2"}
        assert [await login(proxy, WRONG, **a) for _ in range(6)] == [401] * 5 + [429]
        # a forged left part changes nothing: the right-most untrusted hop is still A
        assert await login(proxy, WRONG, **{"X-Forwarded-For": "192.0.2.77, 198.51.100.1"}) == 429
        assert await login(proxy, RIGHT, **b) == 200
        # and a hop through a second trusted proxy is skipped to find the client
        assert await login(proxy, WRONG, **{"X-Forwarded-For": "198.51.100.1, 10.9.9.9"}) == 429
        assert await login(proxy, RIGHT, **{"X-Forwarded-For": "198.51.100.2, 10.9.9.9"}) == 200


async def test_an_untrusted_peers_forwarded_for_is_ignored(proxied: AppClient) -> None:
    async with peer(proxied.app, "203.0.113.9") as attacker:
        # a new made-up address on every try: it is not a proxy we trust, so it is ignored
        results = [await login(attacker, WRONG, **{"X-Forwarded-For": f"192.0.2.{i}"}) for i in range(7)]
        assert results == [401] * 5 + [429] * 2


async def test_one_address_is_limited_across_accounts(tmp_path: Path) -> None:
    async for client in started(tmp_path, auth={"login_address_max_attempts": 6}):
        async with peer(client.app, "203.0.113.9") as sprayer, peer(client.app, "198.51.100.20") as other:
            results = [await login(sprayer, WRONG, email=f"user{i}@example.com") for i in range(8)]
            assert results == [401] * 6 + [429] * 2
            assert await login(sprayer, RIGHT) == 429  # the address, whatever the account
            assert await login(other, RIGHT) == 200


async def test_an_account_has_a_ceiling_over_all_addresses(tmp_path: Path) -> None:
    limits = {"login_max_failures": 2, "login_account_max_attempts": 5}
    async for client in started(tmp_path, auth=limits, server=TRUSTED):
        async with peer(client.app, PROXY) as proxy:
            # the first address tries 6 times but only 2 are counted: refused tries do not
            # bring the account nearer its ceiling
            first = [await login(proxy, WRONG, **{"X-Forwarded-For": "198.51.100.1"}) for _ in range(6)]
            assert first == [401, 401] + [429] * 4
            for host in ("198.51.100.2", "198.51.100.3"):
                assert await login(proxy, WRONG, **{"X-Forwarded-For": host}) == 401
            assert await login(proxy, WRONG, **{"X-Forwarded-For": "198.51.100.4"}) == 401  # the 5th counted
            assert await login(proxy, RIGHT, **{"X-Forwarded-For": "198.51.100.5"}) == 429


async def test_each_lockout_of_an_address_makes_its_next_window_longer(tmp_path: Path) -> None:
    # A window of a few seconds: the failures that fill it (argon2 verifications) must land
    # inside it even on a loaded machine.
    async for client in started(tmp_path, auth={"login_max_failures": 2, "login_window_seconds": 3}):
        async with peer(client.app, "203.0.113.9") as attacker:
            waits = []
            for _ in range(2):
                assert [await login(attacker, WRONG) for _ in range(2)] == [401, 401]
                resp = await attacker.post("/api/v1/auth/login", json={"email": "ada@example.com", "password": WRONG})
                assert resp.status_code == 429
                waits.append(int(resp.headers["retry-after"]))
                await asyncio.sleep(waits[-1] + 0.2)  # let this window end
            assert waits == [3, 6]
            assert await login(attacker, RIGHT) == 200  # after the wait, the right password works
