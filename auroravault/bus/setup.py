"""The bus half of ``auroravault migrate``: the events queue, the EventBridge bus and its
rules, and the bucket's notification configuration. Idempotent; a no-op when ``[bus]``
asks for none of it (the local bus, no events queue).

- the events queue (named by the last part of ``bus.events_queue_url``), with a policy
  that lets EventBridge and S3 send to it;
- ``backend = "eventbridge"``: the bus ``bus.bus_name`` and the rule
  ``<bus_name>-domain-events`` (``source`` = ``auroravault``) targeting the queue;
- ``s3_notifications = "sqs"``: the bucket sends ObjectCreated of ``*/original`` keys to
  the queue; ``"eventbridge"``: the bucket sends its events to EventBridge, and the rule
  ``<bus_name>-s3-created`` on the default bus (where AWS puts S3's events) routes
  "Object Created" of this bucket to the queue.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from typing import Any

from auroravault.bus.clients import client, s3_client
from auroravault.config import Settings
from auroravault.errors import ConfigError, Unavailable


def needed(settings: Settings) -> bool:
    bus = settings.bus
    return bool(bus.events_queue_url) and (bus.backend == "eventbridge" or bus.s3_notifications != "off")


async def migrate_bus(settings: Settings) -> str:
    """Create what ``[bus]`` needs; returns one line saying what now holds."""
    if not needed(settings):
        return "bus (local): nothing to create"
    if settings.bus.s3_notifications != "off" and settings.storage.backend != "s3":
        raise ConfigError("setting 'bus.s3_notifications': needs storage.backend = \"s3\"")
    try:
        return await asyncio.to_thread(_migrate, settings)
    except (ConfigError, Unavailable):
        raise
    except Exception as exc:
        raise Unavailable("bus_unavailable", f"the bus could not be set up: {exc}") from exc


def _migrate(settings: Settings) -> str:
    bus = settings.bus
    sqs = client(bus, "sqs")
    queue_name = bus.events_queue_url.rstrip("/").rsplit("/", 1)[-1]
    url = sqs.create_queue(QueueName=queue_name)["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    sqs.set_queue_attributes(QueueUrl=url, Attributes={"Policy": json.dumps(_queue_policy(arn))})
    made = [f"queue {queue_name}"]
    if bus.backend == "eventbridge":
        events = client(bus, "events")
        with contextlib.suppress(events.exceptions.ResourceAlreadyExistsException):
            events.create_event_bus(Name=bus.bus_name)
        _rule(events, bus.bus_name, f"{bus.bus_name}-domain-events", {"source": ["auroravault"]}, arn)
        made.append(f"event bus {bus.bus_name} with its rule to the queue")
    if bus.s3_notifications != "off":
        made.append(_bucket_notification(settings, arn))
    return "bus: " + ", ".join(made)


def _queue_policy(arn: str) -> dict[str, Any]:
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Service": ["events.amazonaws.com", "s3.amazonaws.com"]},
                "Action": "sqs:SendMessage",
                "Resource": arn,
            }
        ],
    }


def _rule(events: Any, bus_name: str, name: str, pattern: dict[str, Any], queue_arn: str) -> None:
    events.put_rule(Name=name, EventBusName=bus_name, EventPattern=json.dumps(pattern), State="ENABLED")
    events.put_targets(Rule=name, EventBusName=bus_name, Targets=[{"Id": "events-queue", "Arn": queue_arn}])


def _bucket_notification(settings: Settings, queue_arn: str) -> str:
    s3 = s3_client(settings)
    bucket = settings.s3.bucket
    if settings.bus.s3_notifications == "sqs":
        config: dict[str, Any] = {
            "QueueConfigurations": [
                {
                    "Id": "auroravault-originals",
                    "QueueArn": queue_arn,
                    "Events": ["s3:ObjectCreated:*"],
                    "Filter": {"Key": {"FilterRules": [{"Name": "suffix", "Value": "/original"}]}},
                }
            ]
        }
        s3.put_bucket_notification_configuration(Bucket=bucket, NotificationConfiguration=config)
        return f"bucket {bucket} notifies the queue of new originals"
    s3.put_bucket_notification_configuration(Bucket=bucket, NotificationConfiguration={"EventBridgeConfiguration": {}})
    events = client(settings.bus, "events")
    pattern = {"source": ["aws.s3"], "detail-type": ["Object Created"], "detail": {"bucket": {"name": [bucket]}}}
    _rule(events, "default", f"{settings.bus.bus_name}-s3-created", pattern, queue_arn)
    return f"bucket {bucket} sends its events to EventBridge, whose rule routes new objects to the queue"
