"""``auroravault migrate`` with ``[bus]`` set creates the events queue, the bus, its rules and
the bucket notification (moto server), and running it again changes nothing."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from auroravault.config import load_settings
from tests.bus.cloud import cloud_env, s3, sqs
from tests.servers.moto import MOTO_CREDENTIALS, MOTO_REGION


def _migrate(env: dict[str, str]) -> str:
    result = subprocess.run(
        [sys.executable, "-m", "auroravault", "migrate"],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def _events(endpoint: str):  # type: ignore[no-untyped-def]
    import boto3

    return boto3.client(
        "events",
        endpoint_url=endpoint,
        region_name=MOTO_REGION,
        aws_access_key_id=MOTO_CREDENTIALS["access_key"],
        aws_secret_access_key=MOTO_CREDENTIALS["secret_key"],
    )


@pytest.mark.parametrize("route", ["sqs", "eventbridge"])
def test_migrate_makes_the_queue_bus_rules_and_notification(tmp_path: Path, moto_server: str, route: str) -> None:
    env = cloud_env(tmp_path, moto_server, s3_notifications=route)
    settings = load_settings(environ=env)
    first = _migrate(env)
    assert "bus: queue" in first
    assert _migrate(env).splitlines()[-1] == first.splitlines()[-1]  # idempotent

    url = settings.bus.events_queue_url
    attributes = sqs(settings).get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    policy = json.loads(attributes["Policy"])
    assert policy["Statement"][0]["Action"] == "sqs:SendMessage"
    events = _events(moto_server)
    bus = settings.bus.bus_name
    [rule] = events.list_rules(EventBusName=bus)["Rules"]
    assert json.loads(rule["EventPattern"]) == {"source": ["auroravault"]}
    [target] = events.list_targets_by_rule(Rule=rule["Name"], EventBusName=bus)["Targets"]
    assert target["Arn"] == attributes["QueueArn"]

    notification = s3(settings).get_bucket_notification_configuration(Bucket=settings.s3.bucket)
    if route == "sqs":
        [queue] = notification["QueueConfigurations"]
        assert queue["QueueArn"] == attributes["QueueArn"]
        assert queue["Events"] == ["s3:ObjectCreated:*"]
    else:
        # moto's GET leaves EventBridgeConfiguration out of its answer; that the bucket sends
        # to EventBridge is shown end to end in test_s3_notifications.py.
        assert "QueueConfigurations" not in notification
        s3_rule = events.describe_rule(Name=f"{bus}-s3-created", EventBusName="default")
        assert json.loads(s3_rule["EventPattern"])["detail"] == {"bucket": {"name": [settings.s3.bucket]}}


def test_migrate_with_the_local_bus_makes_nothing(tmp_path: Path) -> None:
    out = _migrate({"AURORAVAULT_SERVER__DATA_DIR": str(tmp_path / "data")})
    assert "bus" not in out
