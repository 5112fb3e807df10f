"""boto3 clients for the bus's AWS services (EventBridge, SQS, S3 setup), from ``[bus]``."""

from __future__ import annotations

from typing import Any

from auroravault.config import BusSettings, Settings


def client(settings: BusSettings, service: str, *, read_timeout: float = 30.0) -> Any:
    """A client of its own session (boto3's default session is shared, not thread-safe)."""
    import boto3
    import botocore.config

    session = boto3.session.Session(
        aws_access_key_id=settings.access_key or None,
        aws_secret_access_key=settings.secret_key or None,
        region_name=settings.region or None,
    )
    config = botocore.config.Config(
        connect_timeout=5,
        read_timeout=read_timeout,
        retries={"max_attempts": 3, "mode": "standard"},
    )
    return session.client(service, endpoint_url=settings.endpoint_url or None, config=config)


def s3_client(settings: Settings) -> Any:
    """An S3 client from ``[s3]`` (the bucket's notification configuration)."""
    import boto3
    import botocore.config

    s3 = settings.s3
    endpoint = s3.endpoint_url
    if endpoint and "://" not in endpoint:
        endpoint = ("https://" if s3.secure else "http://") + endpoint
    session = boto3.session.Session(
        aws_access_key_id=s3.access_key or None, aws_secret_access_key=s3.secret_key or None, region_name=s3.region
    )
    config = botocore.config.Config(s3={"addressing_style": "path" if s3.path_style else "virtual"})
    return session.client("s3", endpoint_url=endpoint or None, config=config)
