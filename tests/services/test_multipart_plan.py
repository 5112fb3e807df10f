"""The part plan: a function of the file's size and the settings, within S3's limits."""

from __future__ import annotations

from pathlib import Path

import pytest

from auroravault.services.multipart import is_multipart, plan_parts
from auroravault.storage.base import MAX_PARTS, MIN_PART_BYTES
from tests.conftest import make_settings

MIB = 1024 * 1024
GB = 1000**3


@pytest.mark.parametrize("size", [64 * MIB + 1, 300_000_000, 2 * GB, 50 * GB, 200 * GB, 5 * 1024**4])
def test_every_file_fits_in_10000_parts_that_add_up(tmp_path: Path, size: int) -> None:
    plan = plan_parts(size, make_settings(tmp_path))
    assert len(plan) <= MAX_PARTS and sum(plan) == size
    assert all(p == plan[0] for p in plan[:-1]) and 0 < plan[-1] <= plan[0]
    assert plan[0] >= MIN_PART_BYTES and plan[0] % MIB == 0


def test_the_default_is_16_mib_parts_until_a_file_needs_more_than_10000(tmp_path: Path) -> None:
    settings = make_settings(tmp_path)
    assert plan_parts(50 * GB, settings)[0] == 16 * MIB  # 2,981 parts
    assert plan_parts(200 * GB, settings)[0] == 20 * MIB  # grown: 9,537 parts


def test_the_threshold_decides_and_settings_move_it(tmp_path: Path) -> None:
    default = make_settings(tmp_path)
    assert not is_multipart(64 * MIB, default) and is_multipart(64 * MIB + 1, default)
    small = make_settings(tmp_path, uploads={"multipart_threshold_bytes": 6 * MIB, "multipart_part_bytes": 5 * MIB})
    assert is_multipart(6 * MIB + 1, small) and plan_parts(12 * MIB, small) == [5 * MIB, 5 * MIB, 2 * MIB]


def test_parts_below_the_s3_minimum_are_refused_by_the_settings(tmp_path: Path) -> None:
    from auroravault.errors import ConfigError

    with pytest.raises(ConfigError):
        make_settings(tmp_path, uploads={"multipart_part_bytes": MIB})
