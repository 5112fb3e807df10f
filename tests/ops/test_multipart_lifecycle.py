"""`auroravault migrate` writes the bucket rule that aborts multipart uploads left incomplete."""

from __future__ import annotations

from pathlib import Path

import pytest

from auroravault.ops import migrate_storage
from auroravault.storage.s3_multipart import LIFECYCLE_RULE_ID
from tests.ops.test_check import s3_settings
from tests.servers.fixtures import unique_bucket
from tests.servers.seaweedfs import SeaweedFS


@pytest.mark.parametrize("backend", ["s3", "minio"])
async def test_migrate_writes_the_abort_rule_and_keeps_other_rules(
    backend: str, tmp_path: Path, seaweedfs: SeaweedFS
) -> None:
    bucket = unique_bucket("life")
    settings = s3_settings(tmp_path, seaweedfs, backend, bucket, [])
    message = await migrate_storage(settings)
    assert "aborted after 8 days" in message  # the 7-day pending TTL, and one day more
    client = seaweedfs.s3_client()
    [rule] = client.get_bucket_lifecycle_configuration(Bucket=bucket)["Rules"]
    assert rule["ID"] == LIFECYCLE_RULE_ID and rule["Status"] == "Enabled"
    assert rule["AbortIncompleteMultipartUpload"] == {"DaysAfterInitiation": 8}

    # An operator's own rule survives a second migrate; ours is not doubled.
    theirs = {"ID": "logs", "Status": "Enabled", "Filter": {"Prefix": "logs/"}, "Expiration": {"Days": 30}}
    client.put_bucket_lifecycle_configuration(Bucket=bucket, LifecycleConfiguration={"Rules": [rule, theirs]})
    await migrate_storage(settings)
    rules = client.get_bucket_lifecycle_configuration(Bucket=bucket)["Rules"]
    assert sorted(r["ID"] for r in rules) == sorted(["logs", LIFECYCLE_RULE_ID])
