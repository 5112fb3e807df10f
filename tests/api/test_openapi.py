"""The served OpenAPI document matches the API: schemathesis over every operation.

Against the real server (uvicorn in a subprocess on 127.0.0.1, as ``auroravault serve``
runs it), schemathesis loads ``/schema/openapi.json`` and runs its examples, coverage
(boundaries: one item past ``maxItems``, one character past ``maxLength``, ...) and fuzzing
phases over every operation, with a fixed seed and a small number of examples. Any 5xx,
undocumented status, content type or header, wrong ``Allow`` header, response that does
not match its schema, valid request refused or invalid request accepted fails the test.

Valid requests that the server may refuse for reasons no schema states are named per
operation below (a cursor or reset token this server never gave out, a quota, the semantic
checks of an email address, a display name or a media type).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from itertools import count
from pathlib import Path

import httpx
import pytest
import schemathesis
from schemathesis.config import SchemathesisConfig
from schemathesis.engine import Status, events, from_schema

from tests.e2e.conftest import Server

pytestmark = [pytest.mark.e2e]

EXAMPLES = 20  # per operation and phase: bounded; the seed makes every run the same
PASSWORD = "correct horse battery"
CHECKS = [
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_headers_conformance",
    "response_schema_conformance",
    "negative_data_rejection",
    "positive_data_acceptance",
    "allow_header_conformance",
    "unsupported_method",
    "missing_required_header",
]
ACCEPTED = ["2xx", "3xx", "401", "403", "404", "409", "429"]
# Valid requests the server may refuse for reasons no schema states, per operation.
SEMANTIC_REFUSALS = {
    "GET /api/v1/photos": ["400"],  # invalid_cursor: a cursor this server never gave out
    "POST /api/v1/auth/password-reset/confirm": ["400", "422"],  # invalid_reset_token; weak_password (a rule)
    "POST /api/v1/auth/register": ["422"],  # invalid_email, invalid_display_name
    "POST /api/v1/uploads": ["409", "413", "422"],  # photo_being_deleted; quota_exceeded; unsupported_media_type
    "GET /api/v1/sync/changes": ["400"],  # invalid_sync_token: a token this server never gave out
    "GET /api/v1/trash": ["400"],  # invalid_cursor
    "PATCH /api/v1/photos/{photo_id}": ["422"],  # invalid_taken_at, invalid_location, invalid_description
    "PATCH /api/v1/photos": ["422"],  # too_many_ids, ids_required, nothing_to_change
    "POST /api/v1/photos/trash": ["422"],  # too_many_ids, ids_required, invalid_id
    "POST /api/v1/trash/restore": ["422"],  # too_many_ids, invalid_id
    "POST /api/v1/trash/delete": ["422"],  # too_many_ids, invalid_id
    "GET /api/v1/search": ["400", "422"],  # invalid_cursor; invalid_date, invalid_q, invalid_person
    "GET /api/v1/search/suggestions": ["422"],  # invalid_prefix; person_search_unavailable (faces off)
    "GET /api/v1/map/markers": ["422"],  # invalid_bbox (not four numbers in range), invalid_zoom
    "GET /api/v1/memories": ["422"],  # invalid_date (not a real YYYY-MM-DD day)
    "GET /api/v1/albums": ["400"],  # invalid_cursor
    "POST /api/v1/albums": ["422"],  # invalid_album_name, invalid_description, too_many_ids, invalid_id
    "PATCH /api/v1/albums/{album_id}": ["422"],  # invalid_album_name, invalid_description, invalid_cover
    "GET /api/v1/albums/{album_id}/photos": ["400"],  # invalid_cursor
    "POST /api/v1/albums/{album_id}/photos": ["422"],  # too_many_ids, ids_required, invalid_id
    "POST /api/v1/albums/{album_id}/photos/remove": ["422"],  # too_many_ids, ids_required, invalid_id
    "POST /api/v1/family": ["422"],  # invalid_family_name
    "PATCH /api/v1/family": ["422"],  # invalid_family_name, invalid_quota
    "POST /api/v1/family/invites": ["422"],  # invalid_email, invalid_role
    "POST /api/v1/family/join": ["410"],  # invite_expired
    "POST /api/v1/family/invitation": ["410"],  # invite_expired
    "PATCH /api/v1/family/members/{user_id}": ["422"],  # invalid_role, invalid_quota
    "PATCH /api/v1/users/me": ["422"],  # invalid_display_name (blank, control characters, over 100)
    "POST /api/v1/users/me/password": ["422"],  # weak_password (a rule); 401 invalid_credentials is ACCEPTED
    "GET /api/v1/admin/users": ["400"],  # invalid_cursor
    "POST /api/v1/albums/{album_id}/members": ["422"],  # invalid_role, invalid_member
    "PATCH /api/v1/albums/{album_id}/members/{member_id}": ["422"],  # invalid_role
    "POST /api/v1/partners": ["422"],  # invalid_partner (yourself)
    "POST /api/v1/links": ["422"],  # link_target, invalid_expiry, invalid_link_password, upload_needs_album
    "PATCH /api/v1/links/{link_id}": ["422"],  # invalid_expiry, invalid_link_password, upload_needs_album
    "GET /api/v1/links": ["400"],  # invalid_cursor
    "GET /api/v1/public/{key}/photos": ["400"],  # invalid_cursor
    "GET /api/v1/people/{person_id}/photos": ["400"],  # invalid_cursor
    "PATCH /api/v1/people/{person_id}": ["422"],  # person_name_invalid
}
_emails = count(1)


def register(server: Server) -> str:
    resp = httpx.post(
        f"{server.url}/api/v1/auth/register",
        json={"email": f"fuzz{next(_emails)}@example.com", "password": PASSWORD, "display_name": "Fuzz"},
    )
    assert resp.status_code == 201, resp.text
    return str(resp.json()["token"])


def config(token: str, logout_token: str) -> SchemathesisConfig:
    def bearer(value: str) -> str:
        return json.dumps({"Authorization": f"Bearer {value}"}).replace(":", "=").replace("{", "{ ")

    lines = [
        "seed = 20261201",
        "workers = 1",
        f"headers = {bearer(token)}",
        "[generation]",
        f"max-examples = {EXAMPLES}",
        # Unknown query parameters are ignored, as HTTP APIs do: not "invalid input" here.
        "allow-extra-parameters = false",
        'database = "none"',  # no .hypothesis folder in the work tree
        "[phases.examples]\nenabled = true",
        "[phases.coverage]\nenabled = true",
        "[phases.fuzzing]\nenabled = true",
        "[phases.stateful]\nenabled = false",
        "[checks]",
        *(f"{name}.enabled = true" for name in CHECKS),
        "[[operations]]",
        'include-name = "POST /api/v1/auth/logout"',
        f"headers = {bearer(logout_token)}",  # logging out revokes it: a token of its own
    ]
    for name, statuses in SEMANTIC_REFUSALS.items():
        allowed = ", ".join(json.dumps(s) for s in [*ACCEPTED, *statuses])
        lines += [
            "[[operations]]",
            f"include-name = {json.dumps(name)}",
            f"checks.positive_data_acceptance.expected-statuses = [{allowed}]",
        ]
    return SchemathesisConfig.from_str("\n".join(lines) + "\n")


@pytest.fixture(scope="module")
def vault(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    data: Path = tmp_path_factory.mktemp("openapi") / "data"
    data.mkdir()
    server = Server(data_dir=data, env={"AURORAVAULT_JOBS__ENABLED": "false"})
    server.start()
    try:
        yield server
    finally:
        server.stop()


# Every operation of the whole API, fuzzed: it grows with each route (about 100 s on a quiet
# machine, over 300 s on a loaded one), so it has a limit of its own.
@pytest.mark.timeout(900)
def test_every_operation_matches_the_served_document(vault: Server) -> None:
    schema = schemathesis.openapi.from_url(
        f"{vault.url}/schema/openapi.json", config=config(register(vault), register(vault))
    )
    tested: set[str] = set()
    failures: list[str] = []
    for event in from_schema(schema).execute():
        if isinstance(event, events.ScenarioFinished):
            tested.add(event.recorder.label)
            for checks in event.recorder.checks.values():
                for check in checks:
                    if check.status == Status.FAILURE and check.failure_info is not None:
                        failure = check.failure_info.failure
                        failures.append(f"{event.recorder.label}: {failure.title}\n{failure.message}")
            if event.status == Status.ERROR:
                failures.append(f"{event.recorder.label}: error")
        elif isinstance(event, events.NonFatalError):
            failures.append(f"{event.label}: {event.info.format()}")
        elif isinstance(event, events.FatalError):
            raise event.exception
    operations = {op.ok().label for op in schema.get_all_operations()}
    assert len(operations) >= 20 and operations <= tested, sorted(operations - tested)
    assert not failures, "\n\n".join(sorted(set(failures)))
