"""DynamoDB MetaStore: one table, conditional writes, transactions where rows move together.

The key design lives in ``docs/dynamodb.md``; in short, every item has ``PK``/``SK``:

==============================  ==========================  =================================================
PK                              SK                          what
==============================  ==========================  =================================================
``USER#<id>``                   ``PROFILE``                 the User (``used_bytes``/``quota_bytes`` numbers)
``EMAIL#<email>``               ``EMAIL``                   email uniqueness -> ``user_id``
``SESSION#<hash>``              ``SESSION``                 the Session
``USER#<id>``                   ``SESSION#<hash>``          the user's sessions (strongly consistent revoke)
``RESET#<hash>``                ``RESET``                   password-reset token -> ``user_id``
``COUNTER#<key>``               ``COUNTER``                 fixed-window counter
``PHOTO#<id>``                  ``PHOTO``                   the Photo (home record, versioned ``v``)
``USER#<owner>``                ``SHA#<sha256>``            the claim: one photo per owner and content
``USER#<owner>``                ``PHOTO#<sort_at>#<id>``    timeline copy of a non-pending Photo
``USER#<owner>``                ``MONTH#<YYYY-MM>``         exact count of non-pending photos in the month
``BATCH#<id>``                  ``BATCH``                   the Batch
``BATCH#<id>``                  ``UPLOAD#<index>#<id>``     batch membership (validated against the upload)
``UPLOAD#<id>``                 ``UPLOAD``                  the Upload (versioned ``v``)
``JOB#<id>``                    ``JOB``                     the Job
``DEDUPE#<key>``                ``DEDUPE``                  a job's dedupe key -> ``job_id``
==============================  ==========================  =================================================

Two overloaded, sparse GSIs (projection ALL): ``GSI1`` holds pending uploads per owner
(on claims, while pending) and jobs per state by ``updated_at``; ``GSI2`` holds the sweep's
due uploads (on claims, while pending) and claimable jobs by ``run_at``/``lease_until``.
GSIs are only ever used to *nominate* rows: every result is re-read with a consistent read
or re-checked by a conditional write, so a lagging index never makes a wrong decision.

``create_uploads`` and the 100-item transaction limit: the photo, upload and membership
items are written first (BatchWriteItem); they are invisible until committed, because no
query reaches them without their claim or batch. The commit is one TransactWriteItems of
the quota reservation + batch + one claim per photo (<= 98 photos). Larger batches commit
in chunks, each reserving its own photos' bytes, and a refused chunk is compensated.

Every boto3 call runs in a worker thread (boto3 blocks), at most ``MAX_CONCURRENCY`` at a
time per store. Connection failures, timeouts, throttling, 5xx, refused credentials and a
missing table become ``Unavailable('meta_unavailable')``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import re
import uuid
from collections.abc import AsyncIterator, Iterable
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any, Literal, TypeVar

import boto3
import msgspec
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from auroravault.config import DynamoDBSettings
from auroravault.errors import Conflict, QuotaExceeded, Unavailable
from auroravault.meta.base import (
    Batch,
    Job,
    JobState,
    MonthCount,
    Photo,
    PhotoStatus,
    Session,
    Upload,
    User,
)
from auroravault.timeutil import from_iso, to_iso

__all__ = ["MAX_CONCURRENCY", "DynamoMetaStore"]

log = logging.getLogger(__name__)

T = TypeVar("T", bound=msgspec.Struct)
AttrMap = dict[str, Any]  # an item or key in DynamoDB's typed JSON ({"S": ...}, {"N": ...})

#: Worker threads (and pooled HTTP connections) one store may occupy at once.
MAX_CONCURRENCY = 16
#: DynamoDB limits.
TRANSACT_MAX = 100
BATCH_WRITE_MAX = 25
BATCH_GET_MAX = 100
#: Claims per commit transaction: the rest of the 100 are the user and the batch.
CLAIMS_PER_COMMIT = TRANSACT_MAX - 2
#: Optimistic-concurrency retries before a contended write gives up with ``Unavailable``.
RETRIES = 10
#: The attribute DynamoDB's TTL deletes expired sessions and counters by (epoch seconds).
TTL_ATTR = "expires_ttl"
GSI1, GSI2 = "GSI1", "GSI2"
JOB_STATES: tuple[JobState, ...] = ("queued", "running", "done", "dead")
DUE_PK = "DUE"  # one constant shard: a family vault's sweep traffic is small

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


# -- records <-> attribute maps ------------------------------------------------------------
def _number(value: float) -> str:
    # Decimal(repr()) is exact and short; DynamoDB keeps 38 digits, repr gives at most 17.
    if value != value or value in (float("inf"), float("-inf")):
        raise ValueError("DynamoDB cannot store NaN or infinity")
    return str(Decimal(repr(value)))


def _av(value: Any) -> dict[str, Any]:
    if isinstance(value, bool):
        return {"BOOL": value}
    if isinstance(value, int):
        return {"N": str(value)}
    if isinstance(value, float):
        return {"N": _number(value)}
    if isinstance(value, str):
        return {"S": value}
    if isinstance(value, datetime):
        return {"S": to_iso(value)}  # fixed width: sorts as text
    if isinstance(value, dict):
        return {"M": {str(k): _av(v) for k, v in value.items() if v is not None}}
    if isinstance(value, list | tuple):
        return {"L": [_av(v) for v in value]}
    if value is None:
        return {"NULL": True}
    raise TypeError(f"cannot store {type(value).__name__} in DynamoDB")


def _py(av: dict[str, Any]) -> Any:
    if "S" in av:
        return av["S"]
    if "N" in av:
        text = av["N"]
        return float(text) if any(c in text for c in ".eE") else int(text)
    if "BOOL" in av:
        return bool(av["BOOL"])
    if "M" in av:
        return {k: _py(v) for k, v in av["M"].items()}
    if "L" in av:
        return [_py(v) for v in av["L"]]
    if "NULL" in av:
        return None
    raise TypeError(f"unsupported attribute value {sorted(av)}")


def _item(record: msgspec.Struct, **extra: Any) -> AttrMap:
    """A record's attribute map plus ``extra`` (keys, indexes, version); None is omitted."""
    data = msgspec.to_builtins(record, builtin_types=(datetime,))
    if isinstance(record, Job):
        # Opaque payloads keep their exact JSON types (DynamoDB would normalise 2.0 to 2).
        data["payload"] = msgspec.json.encode(record.payload).decode()
    data.update(extra)
    return {k: _av(v) for k, v in data.items() if v is not None}


def _record(kind: type[T], item: AttrMap) -> T:
    """The record in an item; key, index and bookkeeping attributes are ignored."""
    data = {k: _py(v) for k, v in item.items()}
    if kind is Job:
        data["payload"] = msgspec.json.decode(data["payload"])
    return msgspec.convert(data, kind, strict=False)


def _version(item: AttrMap) -> int:
    return int(item["v"]["N"]) if "v" in item else 0


def _epoch(value: datetime) -> int:
    return int(value.timestamp())


# -- keys -------------------------------------------------------------------------------------
def _key(pk: str, sk: str) -> AttrMap:
    return {"PK": {"S": pk}, "SK": {"S": sk}}


def _user_key(user_id: str) -> AttrMap:
    return _key(f"USER#{user_id}", "PROFILE")


def _email_key(email: str) -> AttrMap:
    return _key(f"EMAIL#{email.lower()}", "EMAIL")


def _session_key(token_hash: str) -> AttrMap:
    return _key(f"SESSION#{token_hash}", "SESSION")


def _user_session_key(user_id: str, token_hash: str) -> AttrMap:
    return _key(f"USER#{user_id}", f"SESSION#{token_hash}")


def _reset_key(token_hash: str) -> AttrMap:
    return _key(f"RESET#{token_hash}", "RESET")


def _counter_key(key: str) -> AttrMap:
    return _key(f"COUNTER#{key}", "COUNTER")


def _photo_key(photo_id: str) -> AttrMap:
    return _key(f"PHOTO#{photo_id}", "PHOTO")


def _claim_key(owner_id: str, sha256: str) -> AttrMap:
    return _key(f"USER#{owner_id}", f"SHA#{sha256}")


def _timeline_sk(sort_at: str, photo_id: str) -> str:
    return f"PHOTO#{sort_at}#{photo_id}"


def _timeline_key(photo: Photo) -> AttrMap:
    return _key(f"USER#{photo.owner_id}", _timeline_sk(photo.sort_at, photo.id))


def _month_key(owner_id: str, month: str) -> AttrMap:
    return _key(f"USER#{owner_id}", f"MONTH#{month}")


def _batch_key(batch_id: str) -> AttrMap:
    return _key(f"BATCH#{batch_id}", "BATCH")


def _member_key(batch_id: str, index: int, upload_id: str) -> AttrMap:
    return _key(f"BATCH#{batch_id}", f"UPLOAD#{index:05d}#{upload_id}")


def _upload_key(upload_id: str) -> AttrMap:
    return _key(f"UPLOAD#{upload_id}", "UPLOAD")


def _job_key(job_id: str) -> AttrMap:
    return _key(f"JOB#{job_id}", "JOB")


def _dedupe_key(key: str) -> AttrMap:
    return _key(f"DEDUPE#{key}", "DEDUPE")


def _job_index(
    job_id: str, state: str, updated_at: datetime, run_at: datetime, lease_until: datetime | None
) -> dict[str, str | None]:
    """The GSI attributes of a job in ``state`` (None: removed, so the job leaves GSI2)."""
    index: dict[str, str | None] = {
        "GSI1PK": f"JOBS#{state}",
        "GSI1SK": f"{to_iso(updated_at)}#{job_id}",
        "GSI2PK": None,
        "GSI2SK": None,
    }
    if state == "queued":
        index["GSI2PK"], index["GSI2SK"] = "JOBSDUE#queued", f"{to_iso(run_at)}#{job_id}"
    elif state == "running" and lease_until is not None:
        index["GSI2PK"], index["GSI2SK"] = "JOBSDUE#running", f"{to_iso(lease_until)}#{job_id}"
    return index


def _claim_item(photo: Photo, upload: Upload | None) -> AttrMap:
    """The owner+sha256 claim. While its upload is pending it carries the pending GSI keys."""
    item: AttrMap = {
        **_claim_key(photo.owner_id, photo.sha256),
        "photo_id": {"S": photo.id},
        "sha256": {"S": photo.sha256},
    }
    if upload is not None:
        item["upload_id"] = {"S": upload.id}
    if photo.status == "pending":
        item["pending"] = {"BOOL": True}
        if upload is not None and upload.state == "pending":
            item["GSI1PK"] = {"S": f"PENDING#{photo.owner_id}"}
            item["GSI1SK"] = {"S": f"{to_iso(upload.created_at)}#{upload.id}"}
            item["GSI2PK"] = {"S": DUE_PK}
            item["GSI2SK"] = {"S": f"{to_iso(upload.next_check_at)}#{upload.id}"}
    return item


class _Expr:
    """Placeholders for one expression: every attribute name goes through ``#name``
    (DynamoDB reserves ``status``, ``state``, ``size``, ``index``, ``count``...)."""

    def __init__(self) -> None:
        self.names: dict[str, str] = {}
        self.values: dict[str, Any] = {}

    def n(self, attr: str) -> str:
        self.names[f"#{attr}"] = attr
        return f"#{attr}"

    def v(self, value: Any) -> str:
        key = f":v{len(self.values)}"
        self.values[key] = _av(value)
        return key

    def update(self, fields: dict[str, Any], *, extra_set: Iterable[str] = ()) -> str:
        """``SET`` for values, ``REMOVE`` for None."""
        sets = [f"{self.n(k)} = {self.v(v)}" for k, v in fields.items() if v is not None]
        sets += list(extra_set)
        removes = [self.n(k) for k, v in fields.items() if v is None]
        parts = []
        if sets:
            parts.append("SET " + ", ".join(sets))
        if removes:
            parts.append("REMOVE " + ", ".join(removes))
        return " ".join(parts)

    def args(self, **kw: Any) -> dict[str, Any]:
        if self.names:
            kw["ExpressionAttributeNames"] = self.names
        if self.values:
            kw["ExpressionAttributeValues"] = self.values
        return kw


async def _backoff(attempt: int) -> None:
    # Full jitter: racing writers spread out instead of colliding again in step.
    await asyncio.sleep(random.uniform(0, min(0.5, 0.01 * 2**attempt)))


class DynamoMetaStore:
    """MetaStore on one DynamoDB table. See ``auroravault.meta.base`` for the contract
    and ``docs/dynamodb.md`` for the keys, indexes and access patterns."""

    name = "dynamodb"
    #: Photos per commit transaction; lower only to exercise chunking in tests.
    claims_per_commit = CLAIMS_PER_COMMIT

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
        try:
            result: dict[str, Any] = getattr(self._client, op)(**kwargs)
            return result
        except ClientError as exc:
            code = str(exc.response.get("Error", {}).get("Code", ""))
            if code in expect:
                raise _Expected(code) from None
            if code == "ConditionalCheckFailedException":
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

    # -- lifecycle -----------------------------------------------------------------------
    def _table_spec(self) -> dict[str, Any]:
        attrs = ["PK", "SK", "GSI1PK", "GSI1SK", "GSI2PK", "GSI2SK"]
        return {
            "TableName": self.table,
            "BillingMode": "PAY_PER_REQUEST",
            "AttributeDefinitions": [{"AttributeName": a, "AttributeType": "S"} for a in attrs],
            "KeySchema": [{"AttributeName": "PK", "KeyType": "HASH"}, {"AttributeName": "SK", "KeyType": "RANGE"}],
            "GlobalSecondaryIndexes": [self._gsi_spec(GSI1), self._gsi_spec(GSI2)],
        }

    @staticmethod
    def _gsi_spec(name: str) -> dict[str, Any]:
        return {
            "IndexName": name,
            "KeySchema": [
                {"AttributeName": f"{name}PK", "KeyType": "HASH"},
                {"AttributeName": f"{name}SK", "KeyType": "RANGE"},
            ],
            "Projection": {"ProjectionType": "ALL"},
        }

    async def _describe(self) -> dict[str, Any] | None:
        try:
            out = await self._call(
                "describe_table", expect=frozenset({"ResourceNotFoundException"}), TableName=self.table
            )
        except _Expected:
            return None
        table: dict[str, Any] = out["Table"]
        return table

    async def _wait_active(self, patience: float = 300.0) -> dict[str, Any]:
        """Poll until the table and all its indexes are ACTIVE (creation takes seconds on AWS)."""
        deadline = asyncio.get_running_loop().time() + patience
        while True:
            table = await self._describe()
            if table is not None and table.get("TableStatus") == "ACTIVE":
                indexes = table.get("GlobalSecondaryIndexes", [])
                if all(i.get("IndexStatus", "ACTIVE") == "ACTIVE" for i in indexes):
                    return table
            if asyncio.get_running_loop().time() > deadline:
                raise Unavailable("meta_unavailable", f"DynamoDB table {self.table!r} did not become ACTIVE")
            await asyncio.sleep(0.5)

    async def migrate(self) -> None:
        """Create the table and its GSIs when missing, add missing GSIs, enable TTL; idempotent."""
        if await self._describe() is None:
            # ResourceInUse: another instance is creating it; wait below either way.
            with contextlib.suppress(_Expected):
                await self._call("create_table", expect=frozenset({"ResourceInUseException"}), **self._table_spec())
        table = await self._wait_active()
        have = {i["IndexName"] for i in table.get("GlobalSecondaryIndexes", [])}
        for name in (GSI1, GSI2):
            if name not in have:  # one index per UpdateTable call: a DynamoDB rule
                await self._call(
                    "update_table",
                    TableName=self.table,
                    AttributeDefinitions=[
                        {"AttributeName": f"{name}PK", "AttributeType": "S"},
                        {"AttributeName": f"{name}SK", "AttributeType": "S"},
                    ],
                    GlobalSecondaryIndexUpdates=[{"Create": self._gsi_spec(name)}],
                )
                await self._wait_active()
        ttl = await self._call("describe_time_to_live", TableName=self.table)
        if ttl.get("TimeToLiveDescription", {}).get("TimeToLiveStatus") not in ("ENABLED", "ENABLING"):
            await self._call(
                "update_time_to_live",
                TableName=self.table,
                TimeToLiveSpecification={"Enabled": True, "AttributeName": TTL_ATTR},
            )

    async def check(self) -> None:
        table = await self._describe()
        if table is None:
            raise Unavailable("meta_unavailable", f"DynamoDB table {self.table!r} not found (run migrate)")
        if table.get("TableStatus") not in ("ACTIVE", "UPDATING"):
            raise Unavailable("meta_unavailable", f"DynamoDB table {self.table!r} is {table.get('TableStatus')}")

    async def close(self) -> None:
        await asyncio.to_thread(self._client.close)

    # -- users and sessions ----------------------------------------------------------------
    async def create_user(self, user: User) -> None:
        user = msgspec.structs.replace(user, email=user.email.lower())
        e = _Expr()
        ops = [
            {"Put": self._put({**_item(user), **_user_key(user.id)}, "attribute_not_exists(PK)")},
            {
                "Put": self._put(
                    {**_email_key(user.email), "user_id": {"S": user.id}},
                    f"attribute_not_exists(PK) OR {e.n('user_id')} = {e.v(user.id)}",
                    e,
                )
            },
        ]
        try:
            await self._transact(ops)
        except _Canceled as exc:
            if exc.failed(1):
                raise Conflict("email_taken", "an account with this email already exists") from None
            if exc.failed(0):
                raise Conflict("user_exists", "a user with this id already exists") from None
            raise Unavailable("meta_unavailable", f"create_user was cancelled: {exc}") from None

    async def get_user(self, user_id: str) -> User | None:
        return await self._get_record(User, _user_key(user_id))

    async def get_user_by_email(self, email: str) -> User | None:
        pointer = await self._get(_email_key(email))
        return await self.get_user(pointer["user_id"]["S"]) if pointer else None

    async def set_password(self, user_id: str, password_hash: str) -> None:
        e = _Expr()
        with contextlib.suppress(_ConditionFailed):  # no such user: nothing to change
            await self._call(
                "update_item",
                **self._update(
                    _user_key(user_id), e.update({"password_hash": password_hash}), e, "attribute_exists(PK)"
                ),
            )

    async def _used_bytes_op(self, user_id: str, delta: int) -> dict[str, Any] | None:
        """An Update adding ``delta`` to ``used_bytes`` without going below zero.

        DynamoDB has no MAX(); the op is chosen from a fresh read and guarded by a
        condition that holds only while that choice is still right, so a racing writer
        makes it fail (and the caller retries) instead of making it wrong.
        """
        if delta == 0:
            return None
        item = await self._get(_user_key(user_id))
        if item is None:
            return None
        used = int(item["used_bytes"]["N"])
        e = _Expr()
        if delta > 0:
            return self._update(_user_key(user_id), f"ADD {e.n('used_bytes')} {e.v(delta)}", e, "attribute_exists(PK)")
        if used >= -delta:
            cond = f"{e.n('used_bytes')} >= {e.v(-delta)}"
            return self._update(_user_key(user_id), f"ADD {e.n('used_bytes')} {e.v(delta)}", e, cond)
        cond = f"{e.n('used_bytes')} < {e.v(-delta)}"
        return self._update(_user_key(user_id), f"SET {e.n('used_bytes')} = {e.v(0)}", e, cond)

    async def add_used_bytes(self, user_id: str, delta: int) -> None:
        for attempt in range(RETRIES):
            op = await self._used_bytes_op(user_id, delta)
            if op is None:
                return
            try:
                await self._call("update_item", **op)
                return
            except _ConditionFailed:
                await _backoff(attempt)
        raise Unavailable("meta_unavailable", "used_bytes is too contended; try again")

    async def create_session(self, session: Session) -> None:
        ttl = {TTL_ATTR: _epoch(session.expires_at)}
        index = {
            **_user_session_key(session.user_id, session.token_hash),
            "token_hash": {"S": session.token_hash},
            TTL_ATTR: {"N": str(ttl[TTL_ATTR])},
        }
        try:
            await self._transact(
                [
                    {"Put": self._put({**_item(session, **ttl), **_session_key(session.token_hash)})},
                    {"Put": self._put(index)},
                ]
            )
        except _Canceled as exc:  # no conditions: only throttling or a conflict cancels it
            raise Unavailable("meta_unavailable", f"create_session was cancelled: {exc}") from None

    async def get_session(self, token_hash: str) -> Session | None:
        return await self._get_record(Session, _session_key(token_hash))

    async def delete_session(self, token_hash: str) -> None:
        session = await self.get_session(token_hash)
        if session is not None:
            await self._batch_write(deletes=[_session_key(token_hash), _user_session_key(session.user_id, token_hash)])

    async def delete_user_sessions(self, user_id: str) -> None:
        e = _Expr()
        query = e.args(
            KeyConditionExpression=f"PK = {e.v(f'USER#{user_id}')} AND begins_with(SK, {e.v('SESSION#')})",
            ConsistentRead=True,
        )
        keys: list[AttrMap] = []
        async for item in self._query(**query):
            keys += [_key(item["PK"]["S"], item["SK"]["S"]), _session_key(item["token_hash"]["S"])]
        if keys:
            await self._batch_write(deletes=keys)

    async def create_reset_token(self, token_hash: str, user_id: str, expires_at: datetime) -> None:
        item = {
            **_reset_key(token_hash),
            "user_id": {"S": user_id},
            "expires_at": {"S": to_iso(expires_at)},
            TTL_ATTR: {"N": str(_epoch(expires_at))},
        }
        try:
            await self._call("put_item", **self._put(item, "attribute_not_exists(PK)"))
        except _ConditionFailed:
            raise Conflict("reset_token_exists", "this reset token already exists") from None

    async def consume_reset_token(self, token_hash: str, now: datetime) -> str | None:
        # One DeleteItem with ALL_OLD: of racing callers only the one that actually
        # deleted the item gets it back. An expired token is deleted too, and worth None.
        out = await self._call("delete_item", ReturnValues="ALL_OLD", **self._delete(_reset_key(token_hash)))
        old = out.get("Attributes")
        if not old or old["expires_at"]["S"] <= to_iso(now):
            return None
        return str(old["user_id"]["S"])

    async def hit_counter(self, key: str, window_seconds: int, now: datetime) -> int:
        stamp = to_iso(now)
        for attempt in range(RETRIES):
            e = _Expr()
            try:  # the common case: one more hit in the current window
                out = await self._call(
                    "update_item",
                    ReturnValues="UPDATED_NEW",
                    **self._update(
                        _counter_key(key),
                        f"ADD {e.n('count')} {e.v(1)}",
                        e,
                        f"attribute_exists(PK) AND {e.n('window_end')} > {e.v(stamp)}",
                    ),
                )
                return int(out["Attributes"]["count"]["N"])
            except _ConditionFailed:
                pass
            end = now + timedelta(seconds=window_seconds)
            e = _Expr()
            item = {**_counter_key(key), "count": {"N": "1"}, "window_end": {"S": to_iso(end)}}
            item[TTL_ATTR] = {"N": str(_epoch(end) + 60)}
            try:  # no window, or it ended: start a new one, unless a racer just did
                await self._call(
                    "put_item",
                    **self._put(item, f"attribute_not_exists(PK) OR {e.n('window_end')} <= {e.v(stamp)}", e),
                )
                return 1
            except _ConditionFailed:
                await _backoff(attempt)
        raise Unavailable("meta_unavailable", "counter is too contended; try again")

    async def get_counter(self, key: str, now: datetime) -> int:
        item = await self._get(_counter_key(key))
        if item is None or item["window_end"]["S"] <= to_iso(now):
            return 0
        return int(item["count"]["N"])

    async def reset_counter(self, key: str) -> None:
        await self._call("delete_item", **self._delete(_counter_key(key)))

    # -- photos ----------------------------------------------------------------------------
    async def get_photo(self, photo_id: str) -> Photo | None:
        return await self._get_record(Photo, _photo_key(photo_id))

    async def get_photo_by_sha256(self, owner_id: str, sha256: str) -> Photo | None:
        claim = await self._get(_claim_key(owner_id, sha256))
        return await self.get_photo(claim["photo_id"]["S"]) if claim else None

    async def photos_with_sha256(self, owner_id: str, hashes: list[str]) -> dict[str, str]:
        keys = [_claim_key(owner_id, h) for h in dict.fromkeys(hashes)]
        claims = await self._batch_get(keys)  # claims are a few short attributes: no projection
        return {c["sha256"]["S"]: c["photo_id"]["S"] for c in claims if "pending" not in c}

    async def list_photos(
        self, owner_id: str, *, limit: int, after: tuple[str, str] | None, descending: bool
    ) -> list[Photo]:
        # Timeline items sort by "PHOTO#<sort_at>#<id>": sort_at is fixed width and has no
        # '#', so text order is (sort_at, id) order. BETWEEN is inclusive: the cursor item
        # itself is dropped below. "PHOTO$" is just past every "PHOTO#..." key.
        if limit <= 0:
            return []
        cursor = _timeline_sk(*after) if after is not None else None
        low, high = "PHOTO#", "PHOTO$"
        if cursor is not None:
            low, high = (low, cursor) if descending else (cursor, high)
        e = _Expr()
        query = e.args(
            KeyConditionExpression=f"PK = {e.v(f'USER#{owner_id}')} AND SK BETWEEN {e.v(low)} AND {e.v(high)}",
            ScanIndexForward=not descending,
            ConsistentRead=True,
            Limit=limit + 1,
        )
        photos: list[Photo] = []
        async for item in self._query(**query):
            if item["SK"]["S"] == cursor:
                continue
            photos.append(_record(Photo, item))
            if len(photos) == limit:
                break
        return photos

    async def month_counts(self, owner_id: str) -> list[MonthCount]:
        # Exact per-month counter items, kept in the same transactions as the timeline.
        e = _Expr()
        query = e.args(
            KeyConditionExpression=f"PK = {e.v(f'USER#{owner_id}')} AND begins_with(SK, {e.v('MONTH#')})",
            ScanIndexForward=False,
            ConsistentRead=True,
        )
        counts = []
        async for item in self._query(**query):
            count = int(item["count"]["N"])
            if count > 0:
                counts.append(MonthCount(month=item["SK"]["S"].removeprefix("MONTH#"), count=count))
        return counts

    def _photo_ops(self, before: Photo, version: int, after: Photo | None) -> list[dict[str, Any]]:
        """Transaction items that replace ``before`` (stored as ``version``) by ``after``
        (None: delete), keeping its timeline copy, month counter and claim in step."""
        ops: list[dict[str, Any]] = []
        if after is None:
            e = _Expr()
            ops.append({"Delete": self._delete(_photo_key(before.id), f"{e.n('v')} = {e.v(version)}", e)})
        else:
            ops.append({"Put": self._versioned_put({**_item(after), **_photo_key(after.id)}, version)})
        was_listed = before.status != "pending"
        is_listed = after is not None and after.status != "pending"
        old_line = _timeline_key(before) if was_listed else None
        new_line = _timeline_key(after) if after is not None and is_listed else None
        if old_line is not None and old_line != new_line:
            ops.append({"Delete": self._delete(old_line)})
        if after is not None and new_line is not None:
            ops.append({"Put": self._put({**_item(after), **new_line})})
        old_month = before.sort_at[:7] if was_listed else None
        new_month = after.sort_at[:7] if after is not None and is_listed else None
        for month, step in ((old_month, -1), (new_month, 1)):
            if month is not None and old_month != new_month:
                e = _Expr()
                ops.append(
                    {"Update": self._update(_month_key(before.owner_id, month), f"ADD {e.n('count')} {e.v(step)}", e)}
                )
        e = _Expr()
        mine = f"{e.n('photo_id')} = {e.v(before.id)}"
        claim = _claim_key(before.owner_id, before.sha256)
        if after is None:
            ops.append({"Delete": self._delete(claim, mine, e)})
        elif was_listed != is_listed:
            if is_listed:  # no longer pending: out of the pending and sweep indexes
                expr = e.update({"pending": None, "GSI1PK": None, "GSI1SK": None, "GSI2PK": None, "GSI2SK": None})
            else:
                expr = e.update({"pending": True})
            ops.append({"Update": self._update(claim, expr, e, mine)})
        return ops

    async def save_processed_photo(self, photo: Photo, expected_status: PhotoStatus) -> bool:
        for attempt in range(RETRIES):
            item = await self._get(_photo_key(photo.id))
            if item is None:
                return False
            before = _record(Photo, item)
            if before.status != expected_status:
                return False
            ops = self._photo_ops(before, _version(item), photo)
            used = await self._used_bytes_op(photo.owner_id, photo.variants_bytes - before.variants_bytes)
            if used is not None:
                ops.append({"Update": used})
            try:
                await self._transact(ops)
                return True
            except _Canceled:
                await _backoff(attempt)  # changed meanwhile: re-read and decide again
        raise Unavailable("meta_unavailable", "photo is too contended; try again")

    # -- uploads -----------------------------------------------------------------------------
    async def create_uploads(
        self, batch: Batch, photos: list[Photo], uploads: list[Upload], reserve_bytes: int
    ) -> None:
        """See the protocol. Steps, and what a failure leaves behind:

        1. prepare: BatchWriteItem the photo, upload and membership items. Nothing reaches
           them yet: photos and uploads are found by id (not yet handed out) or through a
           claim, memberships through a batch, and neither exists.
        2. commit: TransactWriteItems of the quota reservation (a condition on the user),
           the batch and one claim per photo, ``attribute_not_exists`` each. This is the
           atomic step: with <= 98 photos (the default ``max_batch`` is 50) everything
           becomes visible at once or not at all.
        3. a refused commit (QuotaExceeded / Conflict) deletes the prepared items; if that
           cleanup fails they stay as unreachable garbage, never as visible rows.

        More than 98 photos commit in chunks; each chunk reserves its own photos' bytes,
        so a partial commit is self-consistent (its uploads are pending, resumable, and
        the sweep releases exactly their bytes); a refused later chunk compensates the
        earlier ones. ``Unavailable`` mid-commit leaves an unknown outcome that is safe
        either way: committed pending uploads are resumable by sha256.
        """
        shas = [p.sha256 for p in photos]
        if len(set(shas)) != len(shas):
            raise Conflict("sha256_taken", "the same file appears twice in one batch")
        by_photo = {u.photo_id: u for u in uploads}
        puts = [{**_item(p), **_photo_key(p.id), "v": {"N": "1"}} for p in photos]
        puts += [{**_item(u), **_upload_key(u.id), "v": {"N": "1"}} for u in uploads]
        puts += [{**_member_key(u.batch_id, u.index, u.id), "upload_id": {"S": u.id}} for u in uploads]
        prepared = [{"PK": i["PK"], "SK": i["SK"]} for i in puts]
        if puts:
            await self._batch_write(puts=puts)

        size = self.claims_per_commit
        chunks = [photos[i : i + size] for i in range(0, len(photos), size)] or [[]]
        shares = [sum(p.size for p in chunk) for chunk in chunks]
        if sum(shares) != reserve_bytes:  # not the sum of the sizes: reserve it all up front
            shares = [reserve_bytes] + [0] * (len(chunks) - 1)
        done = 0
        try:
            for number, chunk in enumerate(chunks):
                await self._commit_chunk(
                    batch if number == 0 else None, chunk, by_photo, shares[number], sum(shares[number:])
                )
                done += 1
        except (QuotaExceeded, Conflict):
            try:
                await self._compensate(batch, chunks[:done], sum(shares[:done]))
                await self._batch_write(deletes=prepared)
            except Unavailable:
                log.warning("create_uploads: cleanup of batch %s failed; unreachable items remain", batch.id)
            raise

    async def _commit_chunk(
        self, batch: Batch | None, chunk: list[Photo], by_photo: dict[str, Upload], share: int, remaining: int
    ) -> None:
        """One commit transaction: [user reservation] + [batch] + claims."""
        owner_id = batch.owner_id if batch is not None else chunk[0].owner_id
        for attempt in range(RETRIES):
            ops: list[dict[str, Any]] = []
            batch_at = -1
            if remaining > 0:
                user = await self._get(_user_key(owner_id))
                if user is None:
                    raise QuotaExceeded("quota_exceeded", "this batch would exceed your storage quota")
                quota, used = int(user["quota_bytes"]["N"]), int(user["used_bytes"]["N"])
                if used + remaining > quota:
                    raise QuotaExceeded("quota_exceeded", "this batch would exceed your storage quota")
                # No arithmetic in conditions: pin the quota we read and bound used_bytes.
                e = _Expr()
                cond = f"{e.n('quota_bytes')} = {e.v(quota)} AND {e.n('used_bytes')} <= {e.v(quota - remaining)}"
                ops.append(
                    {"Update": self._update(_user_key(owner_id), f"ADD {e.n('used_bytes')} {e.v(share)}", e, cond)}
                )
            if batch is not None:
                batch_at = len(ops)
                ops.append({"Put": self._put({**_item(batch), **_batch_key(batch.id)}, "attribute_not_exists(PK)")})
            claims_at = len(ops)
            ops += [{"Put": self._put(_claim_item(p, by_photo.get(p.id)), "attribute_not_exists(PK)")} for p in chunk]
            if not ops:
                return
            try:
                await self._transact(ops)
                return
            except _Canceled as exc:
                if any(exc.failed(i) for i in range(claims_at, len(ops))):
                    raise Conflict("sha256_taken", "another upload of the same file started meanwhile") from None
                if batch_at >= 0 and exc.failed(batch_at):
                    raise Conflict("batch_exists", "a batch with this id already exists") from None
                # The user changed (quota or usage) or a transaction conflict: re-read, retry.
                await _backoff(attempt)
        raise Unavailable("meta_unavailable", "quota reservation is too contended; try again")

    async def _compensate(self, batch: Batch, chunks: list[list[Photo]], reserved: int) -> None:
        """Undo committed chunks of a refused multi-chunk create (claims, batch, bytes)."""
        if not chunks:
            return
        for chunk in chunks:
            ops = []
            for p in chunk:
                e = _Expr()
                ops.append(self._delete(_claim_key(p.owner_id, p.sha256), f"{e.n('photo_id')} = {e.v(p.id)}", e))
            for op in ops:
                with contextlib.suppress(_ConditionFailed):  # not ours (or gone): leave it
                    await self._call("delete_item", **op)
        await self._call("delete_item", **self._delete(_batch_key(batch.id)))
        await self.add_used_bytes(batch.owner_id, -reserved)

    async def move_uploads(self, moves: list[tuple[str, int]], batch_id: str, url_expires_at: datetime) -> None:
        async def move(upload_id: str, index: int) -> None:
            for attempt in range(RETRIES):
                item = await self._get(_upload_key(upload_id))
                if item is None:
                    return
                upload = _record(Upload, item)
                if upload.state != "pending":
                    return
                old = _member_key(upload.batch_id, upload.index, upload.id)
                new = _member_key(batch_id, index, upload.id)
                upload.batch_id, upload.index, upload.url_expires_at = batch_id, index, url_expires_at
                ops = [
                    {"Put": self._versioned_put({**_item(upload), **_upload_key(upload.id)}, _version(item))},
                    {"Put": self._put({**new, "upload_id": {"S": upload.id}})},
                ]
                if old != new:
                    ops.append({"Delete": self._delete(old)})
                try:
                    await self._transact(ops)
                    return
                except _Canceled:
                    await _backoff(attempt)
            raise Unavailable("meta_unavailable", "upload is too contended; try again")

        await asyncio.gather(*(move(upload_id, index) for upload_id, index in moves))

    async def get_batch(self, batch_id: str) -> Batch | None:
        return await self._get_record(Batch, _batch_key(batch_id))

    async def get_upload(self, upload_id: str) -> Upload | None:
        return await self._get_record(Upload, _upload_key(upload_id))

    async def _uploads(self, upload_ids: list[str]) -> list[Upload]:
        """The uploads with these ids (consistent reads), in the order given."""
        items = await self._batch_get([_upload_key(i) for i in dict.fromkeys(upload_ids)])
        found = {u.id: u for u in (_record(Upload, i) for i in items)}
        return [found[i] for i in dict.fromkeys(upload_ids) if i in found]

    async def batch_uploads(self, batch_id: str) -> list[Upload]:
        # Membership items are hints: a moved upload leaves none behind (same transaction),
        # but the upload record is the truth, so stale ones would be filtered anyway.
        e = _Expr()
        query = e.args(
            KeyConditionExpression=f"PK = {e.v(f'BATCH#{batch_id}')} AND begins_with(SK, {e.v('UPLOAD#')})",
            ConsistentRead=True,
        )
        ids = [item["upload_id"]["S"] async for item in self._query(**query)]
        uploads = [u for u in await self._uploads(ids) if u.batch_id == batch_id]
        return sorted(uploads, key=lambda u: (u.index, u.id))

    async def _pending_from_index(self, query: dict[str, Any], limit: int, keep: Any) -> list[Upload]:
        """Uploads nominated by a pending index (GSI: eventually consistent), re-read and
        kept only if ``keep(upload)`` still holds, in index order, up to ``limit``."""
        result: list[Upload] = []
        if limit <= 0:
            return result
        query = {**query, "Limit": max(limit, 10)}
        query["TableName"] = self.table
        while len(result) < limit:
            out = await self._call("query", **query)
            ids = [item["upload_id"]["S"] for item in out.get("Items", [])]
            result += [u for u in await self._uploads(ids) if keep(u)]
            if "LastEvaluatedKey" not in out:
                break
            query["ExclusiveStartKey"] = out["LastEvaluatedKey"]
        return result[:limit]

    async def pending_uploads(self, owner_id: str, limit: int) -> list[Upload]:
        e = _Expr()
        query = e.args(IndexName=GSI1, KeyConditionExpression=f"GSI1PK = {e.v(f'PENDING#{owner_id}')}")
        return await self._pending_from_index(query, limit, lambda u: u.state == "pending" and u.owner_id == owner_id)

    async def mark_upload_arrived(self, upload_id: str, now: datetime) -> bool:
        for attempt in range(RETRIES):
            item = await self._get(_upload_key(upload_id))
            if item is None:
                return False
            upload = _record(Upload, item)
            if upload.state != "pending":
                return False
            version = _version(item)
            upload.state, upload.updated_at = "processing", now
            ops = [{"Put": self._versioned_put({**_item(upload), **_upload_key(upload.id)}, version)}]
            photo_item = await self._get(_photo_key(upload.photo_id))
            if photo_item is not None:
                before = _record(Photo, photo_item)
                after = msgspec.structs.replace(before, status="processing", updated_at=now)
                ops += self._photo_ops(before, _version(photo_item), after)
            try:
                await self._transact(ops)
                return True
            except _Canceled:
                await _backoff(attempt)  # a racer moved it: the re-read says whether we lost
        raise Unavailable("meta_unavailable", "upload is too contended; try again")

    async def end_upload(
        self, upload_id: str, state: Literal["rejected", "expired"], reason: str, now: datetime
    ) -> bool:
        for attempt in range(RETRIES):
            item = await self._get(_upload_key(upload_id))
            if item is None:
                return False
            upload = _record(Upload, item)
            if upload.state not in ("pending", "processing"):
                return False
            version = _version(item)
            upload.state, upload.reason, upload.updated_at = state, reason, now
            ops = [{"Put": self._versioned_put({**_item(upload), **_upload_key(upload.id)}, version)}]
            photo_item = await self._get(_photo_key(upload.photo_id))
            if photo_item is not None:
                photo = _record(Photo, photo_item)
                if photo.status in ("pending", "processing"):
                    ops += self._photo_ops(photo, _version(photo_item), None)
                    used = await self._used_bytes_op(upload.owner_id, -upload.size)
                    if used is not None:
                        ops.append({"Update": used})
            try:
                await self._transact(ops)
                return True
            except _Canceled:
                await _backoff(attempt)
        raise Unavailable("meta_unavailable", "upload is too contended; try again")

    async def due_pending_uploads(self, now: datetime, limit: int) -> list[Upload]:
        # GSI2SK is "<next_check_at>#<upload_id>": everything due sorts before "<now>$".
        e = _Expr()
        query = e.args(
            IndexName=GSI2,
            KeyConditionExpression=f"GSI2PK = {e.v(DUE_PK)} AND GSI2SK < {e.v(to_iso(now) + '$')}",
        )
        due = await self._pending_from_index(query, limit, lambda u: u.state == "pending" and u.next_check_at <= now)
        return sorted(due, key=lambda u: u.next_check_at)

    async def schedule_upload_check(self, upload_id: str, checks: int, next_check_at: datetime) -> None:
        for attempt in range(RETRIES):
            item = await self._get(_upload_key(upload_id))
            if item is None:
                return
            upload = _record(Upload, item)
            if upload.state != "pending":
                return
            upload.checks, upload.next_check_at = checks, next_check_at
            e = _Expr()
            claim = self._update(
                _claim_key(upload.owner_id, upload.sha256),
                e.update({"GSI2SK": f"{to_iso(next_check_at)}#{upload.id}"}),
                e,
                f"{e.n('photo_id')} = {e.v(upload.photo_id)} AND attribute_exists(GSI2PK)",
            )
            try:
                await self._transact(
                    [
                        {"Put": self._versioned_put({**_item(upload), **_upload_key(upload.id)}, _version(item))},
                        {"Update": claim},
                    ]
                )
                return
            except _Canceled:
                await _backoff(attempt)
        raise Unavailable("meta_unavailable", "upload is too contended; try again")

    # -- jobs ----------------------------------------------------------------------------------
    def _job_item(self, job: Job) -> AttrMap:
        index = _job_index(job.id, job.state, job.updated_at, job.run_at, job.lease_until)
        return {**_item(job, **index), **_job_key(job.id)}

    async def enqueue_job(self, job: Job) -> bool:
        put = self._put(self._job_item(job), "attribute_not_exists(PK)")
        if job.dedupe_key is None:
            try:
                await self._call("put_item", **put)
                return True
            except _ConditionFailed:
                return False
        dedupe = self._put({**_dedupe_key(job.dedupe_key), "job_id": {"S": job.id}}, "attribute_not_exists(PK)")
        try:
            await self._transact([{"Put": put}, {"Put": dedupe}])
            return True
        except _Canceled as exc:
            if exc.failed(0) or exc.failed(1):
                return False
            raise Unavailable("meta_unavailable", f"enqueue was cancelled: {exc}") from None

    async def _set_job(
        self,
        job_id: str,
        fields: dict[str, Any],
        cond: str,
        e: _Expr,
        *,
        extra_set: Iterable[str] = (),
    ) -> Job | None:
        """Conditional UpdateItem of a job; the new job, or None when the condition failed."""
        try:
            out = await self._call(
                "update_item",
                ReturnValues="ALL_NEW",
                **self._update(_job_key(job_id), e.update(fields, extra_set=extra_set), e, cond),
            )
        except _ConditionFailed:
            return None
        return _record(Job, out["Attributes"])

    async def claim_jobs(self, now: datetime, owner: str, lease_seconds: int, limit: int) -> list[Job]:
        """GSI2 nominates due jobs (queued by ``run_at``, running by ``lease_until``); each
        is then taken with a conditional UpdateItem that re-checks due-ness on the item
        itself. The winner's lease ends after ``now``, so at this ``now`` the condition is
        false for everyone else: a lagging index only costs a failed attempt."""
        if limit <= 0:
            return []
        stamp = to_iso(now)
        lease_until = now + timedelta(seconds=lease_seconds)
        page = max(2 * limit, 10)
        streams = {
            "queued": {"bound": stamp + "$", "start": None, "open": True},  # run_at <= now
            "running": {"bound": stamp, "start": None, "open": True},  # lease_until < now
        }
        claimed: list[Job] = []
        tried: set[str] = set()

        async def claim(job_id: str) -> Job | None:
            e = _Expr()
            state, run_at, until = e.n("state"), e.n("run_at"), e.n("lease_until")
            cond = (
                f"({state} = {e.v('queued')} AND {run_at} <= {e.v(stamp)})"
                f" OR ({state} = {e.v('running')} AND {until} < {e.v(stamp)})"
            )
            fields: dict[str, Any] = {
                "state": "running",
                "lease_owner": owner,
                "lease_until": lease_until,
                "updated_at": now,
                **_job_index(job_id, "running", now, now, lease_until),
            }
            return await self._set_job(
                job_id, fields, cond, e, extra_set=[f"{e.n('attempts')} = {e.n('attempts')} + {e.v(1)}"]
            )

        while len(claimed) < limit and any(s["open"] for s in streams.values()):
            candidates: list[tuple[str, str]] = []
            for state, stream in streams.items():
                if not stream["open"]:
                    continue
                e = _Expr()
                query = e.args(
                    TableName=self.table,
                    IndexName=GSI2,
                    KeyConditionExpression=f"GSI2PK = {e.v(f'JOBSDUE#{state}')} AND GSI2SK < {e.v(stream['bound'])}",
                    Limit=page,
                )
                if stream["start"] is not None:
                    query["ExclusiveStartKey"] = stream["start"]
                out = await self._call("query", **query)
                candidates += [(i["run_at"]["S"], i["id"]["S"]) for i in out.get("Items", [])]
                stream["start"] = out.get("LastEvaluatedKey")
                stream["open"] = stream["start"] is not None
            queue = [job_id for _, job_id in sorted(candidates) if job_id not in tried]
            # Pages come in due order; within one, racing claimers try jobs in their own
            # random order, so they mostly take different jobs instead of all colliding.
            random.shuffle(queue)
            while queue and len(claimed) < limit:
                wave, queue = queue[: limit - len(claimed)], queue[limit - len(claimed) :]
                tried.update(wave)
                results = await asyncio.gather(*(claim(job_id) for job_id in wave))
                claimed += [job for job in results if job is not None]
        return claimed

    async def finish_job(self, job_id: str, owner: str, now: datetime) -> bool:
        e = _Expr()
        cond = f"{e.n('state')} = {e.v('running')} AND {e.n('lease_owner')} = {e.v(owner)}"
        fields = {"state": "done", "lease_until": None, "updated_at": now, **_job_index(job_id, "done", now, now, None)}
        return await self._set_job(job_id, fields, cond, e) is not None

    async def fail_job(self, job_id: str, owner: str, error: str, retry_at: datetime | None, now: datetime) -> bool:
        e = _Expr()
        cond = f"{e.n('state')} = {e.v('running')} AND {e.n('lease_owner')} = {e.v(owner)}"
        state = "dead" if retry_at is None else "queued"
        fields: dict[str, Any] = {"state": state, "last_error": error[:2000], "lease_until": None, "updated_at": now}
        if retry_at is not None:
            fields["run_at"] = retry_at
        fields.update(_job_index(job_id, state, now, retry_at or now, None))
        return await self._set_job(job_id, fields, cond, e) is not None

    async def get_job(self, job_id: str) -> Job | None:
        return await self._get_record(Job, _job_key(job_id))

    async def _jobs_in(self, state: JobState, limit: int) -> list[Job]:
        e = _Expr()
        query = e.args(
            TableName=self.table,
            IndexName=GSI1,
            KeyConditionExpression=f"GSI1PK = {e.v(f'JOBS#{state}')}",
            ScanIndexForward=False,
            Limit=limit,
        )
        out = await self._call("query", **query)
        return [_record(Job, item) for item in out.get("Items", [])]

    async def list_jobs(self, state: JobState | None, limit: int) -> list[Job]:
        if limit <= 0:
            return []
        states = JOB_STATES if state is None else (state,)
        found = [job for part in await asyncio.gather(*(self._jobs_in(s, limit) for s in states)) for job in part]
        return sorted(found, key=lambda j: (j.updated_at, j.id), reverse=True)[:limit]

    async def job_counts(self) -> dict[str, int]:
        async def count(state: str) -> int:
            e = _Expr()
            query = e.args(IndexName=GSI1, KeyConditionExpression=f"GSI1PK = {e.v(f'JOBS#{state}')}", Select="COUNT")
            query["TableName"] = self.table
            total = 0
            while True:
                out = await self._call("query", **query)
                total += int(out.get("Count", 0))
                if "LastEvaluatedKey" not in out:
                    return total
                query["ExclusiveStartKey"] = out["LastEvaluatedKey"]

        totals = await asyncio.gather(*(count(s) for s in JOB_STATES))
        return dict(zip(JOB_STATES, totals, strict=True))

    async def retry_job(self, job_id: str, now: datetime) -> bool:
        e = _Expr()
        fields = {
            "state": "queued",
            "attempts": 0,
            "run_at": now,
            "updated_at": now,
            **_job_index(job_id, "queued", now, now, None),
        }
        return await self._set_job(job_id, fields, f"{e.n('state')} = {e.v('dead')}", e) is not None

    async def next_job_due(self) -> datetime | None:
        e = _Expr()
        query = e.args(
            TableName=self.table,
            IndexName=GSI2,
            KeyConditionExpression=f"GSI2PK = {e.v('JOBSDUE#queued')}",
            Limit=1,
        )
        items = (await self._call("query", **query)).get("Items", [])
        return from_iso(items[0]["run_at"]["S"]) if items else None

    async def purge_jobs(self, before: datetime) -> int:
        # GSI1SK is "<updated_at>#<id>": updated before `before` sorts below "<before>".
        e = _Expr()
        query = e.args(
            IndexName=GSI1,
            KeyConditionExpression=f"GSI1PK = {e.v('JOBS#done')} AND GSI1SK < {e.v(to_iso(before))}",
        )
        victims = [_record(Job, item) async for item in self._query(**query)]

        async def purge(job: Job) -> bool:
            e = _Expr()
            delete = self._delete(
                _job_key(job.id),
                f"{e.n('state')} = {e.v('done')} AND {e.n('updated_at')} < {e.v(to_iso(before))}",
                e,
            )
            try:
                if job.dedupe_key is None:
                    await self._call("delete_item", **delete)
                else:  # the key is free again once its job is gone, as with a UNIQUE column
                    d = _Expr()
                    mine = f"attribute_not_exists(PK) OR {d.n('job_id')} = {d.v(job.id)}"
                    await self._transact(
                        [{"Delete": delete}, {"Delete": self._delete(_dedupe_key(job.dedupe_key), mine, d)}]
                    )
                return True
            except (_ConditionFailed, _Canceled):
                return False

        return sum(await asyncio.gather(*(purge(job) for job in victims)))
