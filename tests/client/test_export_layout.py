"""Where an export puts a photo, and what its sidecar says: the layout rules without a server."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from auroravault.client.export_layout import file_time, folder_of, sidecar_bytes
from auroravault.client.models import Photo


def photo(**fields: object) -> Photo:
    base: dict[str, object] = {
        "id": "p_1",
        "status": "ready",
        "filename": "a.jpg",
        "content_type": "image/jpeg",
        "size": 3,
        "sha256": "0" * 64,
        "taken_at": "2019-07-14T10:00:00",
        "created_at": datetime(2024, 1, 1, tzinfo=UTC),
        "updated_at": datetime(2024, 1, 1, tzinfo=UTC),
    }
    base.update(fields)
    return Photo(**base)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("fields", "folder"),
    [
        ({}, "2019/07"),
        # The capture's own calendar, not UTC's: just after midnight in Paris is still 1 January there.
        ({"taken_at": "2020-01-01T00:30:00+02:00"}, "2020/01"),
        ({"taken_at": "2020-01-01T00:30:00Z"}, "2020/01"),
        ({"trashed_at": "2024-05-01T00:00:00+00:00"}, "trash/2019/07"),
        ({"taken_at": "not a date"}, "2024/01"),  # falls back to when it was uploaded
    ],
)
def test_folder_is_the_month_the_photo_was_taken(fields: dict[str, object], folder: str) -> None:
    assert folder_of(photo(**fields)) == folder


def test_file_time_is_taken_at_local_time_without_an_offset() -> None:
    assert file_time(photo()) == datetime(2019, 7, 14, 10, 0).timestamp()
    aware = photo(taken_at="2020-01-01T00:30:00+02:00")
    assert file_time(aware) == datetime(2019, 12, 31, 22, 30, tzinfo=UTC).timestamp()


def test_sidecar_holds_flags_description_and_the_owners_corrections() -> None:
    edited = photo(
        favorite=True,
        archived=True,
        description="Grandma's garden",
        taken_at="2001-02-03T04:05:06",
        exif_taken_at="2003-12-14T12:01:44",
        thumb_url="http://short-lived",
    )
    data = json.loads(sidecar_bytes(edited))
    assert data["favorite"] is True and data["archived"] is True and data["description"] == "Grandma's garden"
    assert data["corrections"] == {"taken_at": {"exif": "2003-12-14T12:01:44", "corrected": "2001-02-03T04:05:06"}}
    assert "thumb_url" not in data
    untouched = json.loads(sidecar_bytes(photo(exif_taken_at="2019-07-14T10:00:00")))
    assert untouched["corrections"] == {} and untouched["favorite"] is False
