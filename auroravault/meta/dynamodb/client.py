"""The boundary to DynamoDB: the boto3 client and every call through it.

Every boto3 call runs in a worker thread (boto3 blocks), at most ``MAX_CONCURRENCY`` at a
time per store; botocore retries with its "standard" mode within the configured timeouts.
Connection failures, timeouts, throttling, 5xx, refused credentials and a missing table become
``Unavailable('meta_unavailable')``. A false condition, a cancelled transaction and an error
the caller expects become ``_ConditionFailed``, ``_Canceled`` and ``_Expected``, which never
leave the adapter.

botocore sends a request again when its answer is lost (a read timeout, a dropped
connection), and the first send may have been applied. A transaction carries a
``ClientRequestToken``, so DynamoDB answers the repeat without applying it twice. A single
PutItem or UpdateItem has no token, so ``_once`` gives it one: the write stamps the item's
``_wt`` with a fresh token and is conditional on the item not already holding it. A repeat
of a write that landed is then refused instead of applied twice (no counter counts a hit
twice), and the refusal's copy of the item, which holds our token, shows the caller that its
write succeeded. A conditional DeleteItem refused on a repeat because the item is gone did
what it was sent to do.
"""

from __future__ import annotations

import asyncio
import random
import re
import uuid
from collections.abc import AsyncIterator, Iterable
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from auroravault.config import DynamoDBSettings
from auroravault.errors import Unavailable
from auroravault.meta.dynamodb.codec import AttrMap, T, _Expr, _record

#: Worker threads (and pooled HTTP connections) one store may occupy at once.
MAX_CONCURRENCY = 16
#: DynamoDB limits.
TRANSACT_MAX = 100
BATCH_WRITE_MAX = 25
BATCH_GET_MAX = 100
#: The attribute a single-item write stamps with its own token (see ``_once``).
WRITE_TOKEN = "_wt"
#: Optimistic-concurrency retries before a contended write gives up with ``Unavailable``.
RETRIES = 10

_TRANSIENT_CODES = frozenset(
    {
        "ProvisionedThroughputExceededException",
        "ThrottlingException",
        "Throttling",
        "RequestLimitExceeded",
        "InternalServerError",
        "InternalFailure",
        "ServiceUnavailable",
        "LimitExceededException",
        "TransactionInProgressException",
        # Credentials refused: the store cannot be used until an operator fixes them.
        "UnrecognizedClientException",
        "InvalidSignatureException",
        "AccessDeniedException",
        "ExpiredTokenException",
        "MissingAuthenticationTokenException",
    }
)


# -- errors inside the adapter (never leave it) ---------------------------------------------
class _ConditionFailed(Exception):
    """A single-item write's ConditionExpression was false."""


class _Canceled(Exception):
    """A TransactWriteItems was cancelled; ``codes`` has one reason per item, in order."""

    def __init__(self, codes: list[str]) -> None:
        super().__init__(", ".join(codes))
        self.codes = codes

    def failed(self, index: int) -> bool:
        return index < len(self.codes) and self.codes[index] == "ConditionalCheckFailed"


class _Expected(Exception):
    """An error code the caller asked to handle itself (``expect=``)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def _cancellation_codes(exc: ClientError) -> list[str]:
    reasons = exc.response.get("CancellationReasons")
    if isinstance(reasons, list) and reasons:
        return [str(r.get("Code") or "None") for r in reasons]
    # Older servers only put them in the message: "... reasons [None, ConditionalCheckFailed]".
    match = re.search(r"\[([^\]]*)\]", str(exc.response.get("Error", {}).get("Message", "")))
    return [code.strip() for code in match.group(1).split(",")] if match else []


async def _backoff(attempt: int) -> None:
    # Full jitter: racing writers spread out instead of colliding again in step.
    await asyncio.sleep(random.uniform(0, min(0.5, 0.01 * 2**attempt)))


def _once(op: str, kwargs: dict[str, Any]) -> tuple[dict[str, Any], str | None]:
    """A call made safe to send twice (see the module docstring), and its token: a PutItem or
    UpdateItem stamped and guarded; a conditional DeleteItem asking for the item it was refused
    on (none: it is gone), with no token; any other call unchanged, with no token."""
    if op == "delete_item" and "ConditionExpression" in kwargs:
        return {**kwargs, "ReturnValuesOnConditionCheckFailure": "ALL_OLD"}, None
    if op not in ("put_item", "update_item"):
        return kwargs, None
    token = uuid.uuid4().hex
    out = dict(kwargs)
    out["ExpressionAttributeNames"] = {**kwargs.get("ExpressionAttributeNames", {}), "#_wt": WRITE_TOKEN}
    out["ExpressionAttributeValues"] = {**kwargs.get("ExpressionAttributeValues", {}), ":_wt": {"S": token}}
    guard = "(attribute_not_exists(#_wt) OR #_wt <> :_wt)"
    cond = kwargs.get("ConditionExpression")
    out["ConditionExpression"] = f"({cond}) AND {guard}" if cond else guard
    out["ReturnValuesOnConditionCheckFailure"] = "ALL_OLD"
    if op == "put_item":
        out["Item"] = {**kwargs["Item"], WRITE_TOKEN: {"S": token}}
    else:
        expr = kwargs["UpdateExpression"]
        clause = re.search(r"(?:^|\s)SET\s", expr, re.IGNORECASE)
        out["UpdateExpression"] = (
            f"{expr[: clause.end()]}#_wt = :_wt, {expr[clause.end() :]}" if clause else f"{expr} SET #_wt = :_wt"
        )
    return out, token


class TableClient:
    """One DynamoDB table through a thread-offloaded boto3 client: the calls (errors mapped
    as above) and the builders of the Put/Update/Delete operations they send."""

    def __init__(
        self,
        settings: DynamoDBSettings,
        *,
        connect_timeout: float = 2.0,
        read_timeout: float = 10.0,
        max_attempts: int = 3,
    ) -> None:
        self.settings = settings
        self.table = settings.table
        config = Config(
            region_name=settings.region,
            connect_timeout=connect_timeout,
            read_timeout=read_timeout,
            retries={"mode": "standard", "max_attempts": max_attempts},
            max_pool_connections=MAX_CONCURRENCY,
        )
        kwargs: dict[str, Any] = {}
        if settings.endpoint_url:
            kwargs["endpoint_url"] = settings.endpoint_url
        if settings.access_key or settings.secret_key:
            kwargs["aws_access_key_id"] = settings.access_key
            kwargs["aws_secret_access_key"] = settings.secret_key
        # Empty keys: the standard AWS chain (environment, profile, instance role).
        self._client = boto3.session.Session().client("dynamodb", region_name=settings.region, config=config, **kwargs)
        self._gate = asyncio.Semaphore(MAX_CONCURRENCY)

    # -- the boundary: every call goes through here --------------------------------------
    def _call_sync(self, op: str, kwargs: dict[str, Any], expect: frozenset[str]) -> dict[str, Any]:
        kwargs, token = _once(op, kwargs)
        try:
            result: dict[str, Any] = getattr(self._client, op)(**kwargs)
            return result
        except ClientError as exc:
            code = str(exc.response.get("Error", {}).get("Code", ""))
            if code in expect:
                raise _Expected(code) from None
            if code == "ConditionalCheckFailedException":
                held: AttrMap = exc.response.get("Item") or {}
                if token is not None and held.get(WRITE_TOKEN, {}).get("S") == token:
                    return {"Attributes": held}  # our write landed; only its answer was lost
                if op == "delete_item" and not held and exc.response.get("ResponseMetadata", {}).get("RetryAttempts"):
                    return {}  # gone when sent again: our first send deleted it (or a racer just did)
                raise _ConditionFailed() from None
            if code == "TransactionCanceledException":
                raise _Canceled(_cancellation_codes(exc)) from None
            if code == "ResourceNotFoundException":
                raise Unavailable("meta_unavailable", f"DynamoDB table {self.table!r} not found (run migrate)") from exc
            if code in _TRANSIENT_CODES or exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0) >= 500:
                raise Unavailable("meta_unavailable", f"DynamoDB {op} failed: {code}") from exc
            raise
        except BotoCoreError as exc:  # connection refused, timeouts, no credentials...
            raise Unavailable("meta_unavailable", f"DynamoDB unreachable: {exc}") from exc

    async def _call(self, op: str, expect: frozenset[str] = frozenset(), **kwargs: Any) -> dict[str, Any]:
        async with self._gate:
            return await asyncio.to_thread(self._call_sync, op, kwargs, expect)

    async def _get(self, key: AttrMap) -> AttrMap | None:
        out = await self._call("get_item", TableName=self.table, Key=key, ConsistentRead=True)
        item: AttrMap | None = out.get("Item")
        return item

    async def _get_record(self, kind: type[T], key: AttrMap) -> T | None:
        item = await self._get(key)
        return _record(kind, item) if item is not None else None

    async def _transact(self, ops: list[dict[str, Any]]) -> None:
        # The token makes botocore's own retries of a timed-out commit idempotent.
        await self._call("transact_write_items", TransactItems=ops, ClientRequestToken=str(uuid.uuid4()))

    async def _query(self, **kwargs: Any) -> AsyncIterator[AttrMap]:
        """Every item of a Query, page after page (1 MB pages)."""
        kwargs["TableName"] = self.table
        while True:
            out = await self._call("query", **kwargs)
            for item in out.get("Items", []):
                yield item
            if "LastEvaluatedKey" not in out:
                return
            kwargs["ExclusiveStartKey"] = out["LastEvaluatedKey"]

    async def _batch_get(self, keys: list[AttrMap]) -> list[AttrMap]:
        """Consistent reads of ``keys`` (any number, any order of results)."""
        found: list[AttrMap] = []
        for start in range(0, len(keys), BATCH_GET_MAX):
            request: dict[str, Any] = {"Keys": keys[start : start + BATCH_GET_MAX], "ConsistentRead": True}
            pending: dict[str, Any] = {self.table: request}
            for attempt in range(RETRIES):
                out = await self._call("batch_get_item", RequestItems=pending)
                found += out.get("Responses", {}).get(self.table, [])
                pending = out.get("UnprocessedKeys") or {}
                if not pending:
                    break
                await _backoff(attempt)
            else:
                raise Unavailable("meta_unavailable", "DynamoDB kept throttling a batch read")
        return found

    async def _batch_write(self, puts: Iterable[AttrMap] = (), deletes: Iterable[AttrMap] = ()) -> None:
        """Unconditional puts and deletes, 25 per request, unprocessed ones retried."""
        requests = [{"PutRequest": {"Item": i}} for i in puts] + [{"DeleteRequest": {"Key": k}} for k in deletes]

        async def chunk(part: list[dict[str, Any]]) -> None:
            pending: dict[str, Any] = {self.table: part}
            for attempt in range(RETRIES):
                out = await self._call("batch_write_item", RequestItems=pending)
                pending = out.get("UnprocessedItems") or {}
                if not pending:
                    return
                await _backoff(attempt)
            raise Unavailable("meta_unavailable", "DynamoDB kept throttling a batch write")

        await asyncio.gather(
            *(chunk(requests[i : i + BATCH_WRITE_MAX]) for i in range(0, len(requests), BATCH_WRITE_MAX))
        )

    # -- operation builders (the same shapes serve single calls and transactions) -------
    def _put(self, item: AttrMap, cond: str | None = None, e: _Expr | None = None) -> dict[str, Any]:
        op: dict[str, Any] = {"TableName": self.table, "Item": item}
        if cond:
            op["ConditionExpression"] = cond
        return (e or _Expr()).args(**op)

    def _versioned_put(self, item: AttrMap, version: int) -> dict[str, Any]:
        """Put ``item`` as version ``version + 1`` if the stored one is still ``version``."""
        e = _Expr()
        cond = f"attribute_not_exists({e.n('v')})" if version == 0 else f"{e.n('v')} = {e.v(version)}"
        return self._put({**item, "v": {"N": str(version + 1)}}, cond, e)

    def _update(self, key: AttrMap, expr: str, e: _Expr, cond: str | None = None) -> dict[str, Any]:
        op: dict[str, Any] = {"TableName": self.table, "Key": key, "UpdateExpression": expr}
        if cond:
            op["ConditionExpression"] = cond
        return e.args(**op)

    def _delete(self, key: AttrMap, cond: str | None = None, e: _Expr | None = None) -> dict[str, Any]:
        op: dict[str, Any] = {"TableName": self.table, "Key": key}
        if cond:
            op["ConditionExpression"] = cond
        return (e or _Expr()).args(**op)
