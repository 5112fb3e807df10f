"""Events and trips from generated photo rows: gaps and jumps split events, the home base is the
city of most months, a run of days away is a trip titled by its place and dates."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from auroravault.meta.base import Photo, Place
from auroravault.services.trips import date_range, group
from auroravault.timeutil import sort_key

TALLINN = (59.4370, 24.7536, "Tallinn")
HELSINKI = (60.1699, 24.9384, "Helsinki")
LISBON = (38.7223, -9.1393, "Lisbon")
NOW = datetime(2024, 1, 1, tzinfo=UTC)


def row(n: int, at: datetime, where: tuple[float, float, str] | None) -> Photo:
    lat, lon, city = where if where else (None, None, None)
    return Photo(
        id=f"ph_{n:04d}",
        owner_id="us_1",
        status="ready",
        filename=f"{n}.jpg",
        content_type="image/jpeg",
        size=1,
        sha256=f"{n:064d}",
        created_at=NOW,
        updated_at=NOW,
        sort_at=sort_key(at),
        taken_at=at.isoformat(),
        lat=lat,
        lon=lon,
        place=Place(city=city, country="X") if city else None,
    )


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=UTC)


def library() -> list[Photo]:
    photos: list[Photo] = []
    n = 0
    for month in (1, 2, 3, 4, 5, 7, 8):  # home over the months: one afternoon each
        for minute in (0, 20, 40):
            n += 1
            photos.append(row(n, at(date(2024, month, 10), 15, minute), TALLINN))
    for d in range(3, 10):  # a week in Lisbon, morning and afternoon
        for hour in (10, 14):
            n += 1
            photos.append(row(n, at(date(2024, 6, d), hour), LISBON))
    return photos


def test_a_week_away_is_a_trip_of_daily_events_titled_by_place_and_dates() -> None:
    moments = group(library())
    trips = [m for m in moments if m.kind == "trip"]
    assert [t.title for t in trips] == ["Lisbon, 3-9 June 2024"]
    trip = trips[0]
    assert trip.photo_count == 14
    # Each Lisbon day is an event (the night is a gap of hours), all of them in the trip.
    days = [m for m in moments if m.kind == "event" and m.place == "Lisbon"]
    assert len(days) == 7
    assert {d.trip for d in days} == {trip.id}
    assert sorted(trip.events) == sorted(d.id for d in days)
    assert days[0].title == "Lisbon, 9 June 2024"
    # Home afternoons are events but never trips.
    home = [m for m in moments if m.place == "Tallinn"]
    assert len(home) == 7 and all(m.kind == "event" and m.trip is None for m in home)
    # Newest first: August and July at home, then the trip before its own last day.
    assert [m.title for m in moments[:2]] == ["Tallinn, 10 August 2024", "Tallinn, 10 July 2024"]
    assert [m.id for m in moments[2:4]] == [trip.id, days[0].id]


def test_a_jump_of_tens_of_km_splits_an_event_within_the_hour() -> None:
    day = date(2024, 5, 1)
    photos = [row(1, at(day, 10), TALLINN), row(2, at(day, 10, 30), TALLINN), row(3, at(day, 11), HELSINKI)]
    moments = group(photos)
    assert [(m.place, m.photo_count) for m in moments] == [("Helsinki", 1), ("Tallinn", 2)]


def test_photos_without_gps_join_by_time_and_titles_fall_back_to_dates() -> None:
    day = date(2024, 5, 1)
    photos = [row(1, at(day, 10), None), row(2, at(day, 12), None), row(3, at(day + timedelta(days=1), 12), None)]
    moments = group(photos)
    assert [m.title for m in moments] == ["2 May 2024", "1 May 2024"]
    assert moments[1].photo_ids == ["ph_0001", "ph_0002"]


def test_a_single_day_away_is_an_event_not_a_trip() -> None:
    photos = [*library()[:21], row(99, at(date(2024, 6, 3), 12), LISBON)]
    assert [m.kind for m in group(photos)].count("trip") == 0


def test_date_ranges_read_like_a_person_wrote_them() -> None:
    assert date_range(date(2024, 6, 3), date(2024, 6, 3)) == "3 June 2024"
    assert date_range(date(2024, 5, 28), date(2024, 6, 2)) == "28 May - 2 June 2024"
    assert date_range(date(2023, 12, 30), date(2024, 1, 2)) == "30 December 2023 - 2 January 2024"
