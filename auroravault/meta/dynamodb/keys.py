"""Key shapes of the single table (see the table in ``auroravault.meta.dynamodb``), the
GSI names and attributes, and the TTL attribute."""

from __future__ import annotations

import secrets
from datetime import datetime

from auroravault.meta.base import Photo, Upload
from auroravault.meta.dynamodb.codec import AttrMap
from auroravault.timeutil import to_iso

#: The attribute DynamoDB's TTL deletes expired sessions and counters by (epoch seconds).
TTL_ATTR = "expires_ttl"
#: GSI2 partition of every item that expires (``purge_expired`` finds them there; TTL is late).
EXPIRES_PK = "EXPIRES"
GSI1, GSI2 = "GSI1", "GSI2"
DUE_PK = "DUE"  # one constant shard: a family vault's sweep traffic is small
USERS_PK = "USERS"  # GSI1 of user profiles: the daily feed pruning walks the users there
PROCESSING_PK = "PROCESSING"  # GSI1 of photo home records while they are processing (one shard too)


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


def _user_reset_key(user_id: str, token_hash: str) -> AttrMap:
    return _key(f"USER#{user_id}", f"RESET#{token_hash}")


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


def _expiring(key: AttrMap, at: datetime, *, ttl: bool = True) -> AttrMap:
    """The attributes of an item forgotten after ``at``: in GSI2 under ``EXPIRES`` (by time,
    for ``purge_expired``) and, with ``ttl``, DynamoDB's TTL attribute (which may come days late).
    Without ``ttl`` only ``purge_expired`` removes it, after checking it may (a batch)."""
    attrs: AttrMap = {
        "GSI2PK": {"S": EXPIRES_PK},
        "GSI2SK": {"S": f"{to_iso(at)}#{key['PK']['S']}#{key['SK']['S']}"},
    }
    if ttl:
        attrs[TTL_ATTR] = {"N": str(int(at.timestamp()))}
    return attrs


def _photo_index(photo: Photo) -> AttrMap:
    """GSI1 attributes of a photo's home record: present only while it is ``processing``,
    so the sweep finds photos whose job went missing or died."""
    if photo.status != "processing":
        return {}
    return {"GSI1PK": {"S": PROCESSING_PK}, "GSI1SK": {"S": f"{to_iso(photo.updated_at)}#{photo.id}"}}


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


# -- the library ------------------------------------------------------------------------------
TRASH_PK = "TRASHED"  # GSI2 of trash entries, by trashed_at ("0000" while being deleted)


def _flag_key(viewer_id: str, photo_id: str) -> AttrMap:
    return _key(f"USER#{viewer_id}", f"FLAG#{photo_id}")


def _trash_sk(trashed_at: str, photo_id: str) -> str:
    return f"TRASH#{trashed_at}#{photo_id}"


def _trash_key(photo: Photo) -> AttrMap:
    """The trash entry of a trashed photo: it sorts by ``(trashed_at, id)`` like the trash page
    (``trashed_at`` is fixed-width ISO without '#'), so ``list_trash`` is one keyed query."""
    assert photo.trashed_at is not None
    return _key(f"USER#{photo.owner_id}", _trash_sk(to_iso(photo.trashed_at), photo.id))


def _tomb_key(owner_id: str, sha256: str) -> AttrMap:
    return _key(f"USER#{owner_id}", f"TOMB#{sha256}")


def _change_sk(at: datetime, photo_id: str) -> str:
    return f"CHANGE#{to_iso(at)}#{photo_id}#{secrets.token_hex(3)}"


def _change_item(viewer_id: str, photo_id: str, at: datetime) -> AttrMap:
    """One entry of ``viewer_id``'s change feed, by the writer's clock."""
    return {**_key(f"USER#{viewer_id}", _change_sk(at, photo_id)), "photo_id": {"S": photo_id}}
