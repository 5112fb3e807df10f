"""DynamoDB MetaStore: one table, conditional writes, transactions where rows move together.

The key design lives in ``docs/dynamodb.md``; in short, every item has ``PK``/``SK``:

==============================  ==========================  =================================================
PK                              SK                          what
==============================  ==========================  =================================================
``USER#<id>``                   ``PROFILE``                 the User (``used_bytes``/``quota_bytes``, usage counters)
``EMAIL#<email>``               ``EMAIL``                   email uniqueness -> ``user_id``
``SESSION#<hash>``              ``SESSION``                 the Session
``USER#<id>``                   ``SESSION#<hash>``          the user's sessions, whole (the list; consistent revoke)
``ADMINS``                      ``ADMINS``                  the count of active admins (``admins``)
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

The package, by what each module holds:

- ``store``: ``DynamoMetaStore``, the public class, and the table's lifecycle (migrate, check, close);
- ``client``: the boto3 boundary (thread offloading, timeouts/retries, error mapping) and the
  Put/Update/Delete builders every operation uses;
- ``codec``: records <-> attribute maps, and ``_Expr`` for expression placeholders;
- ``keys``: the key shapes above, the claim and job index attributes, GSI names, the TTL attribute;
- ``accounts``, ``photos``, ``library``, ``feed``, ``uploads``, ``jobs``, ``expiry``: the
  MetaStore operations, one concern each, as mixins that ``DynamoMetaStore`` combines;
- ``admins``: what admins change on accounts, and the active-admin count (``accounts`` builds on it);
- ``upgrade``: what ``migrate`` does once to items an earlier version wrote.
"""

from auroravault.meta.dynamodb.client import MAX_CONCURRENCY

# bench/timeline_bench.py seeds a table directly with these (``x as x``: an explicit re-export).
from auroravault.meta.dynamodb.codec import _item as _item
from auroravault.meta.dynamodb.keys import _photo_key as _photo_key
from auroravault.meta.dynamodb.keys import _timeline_key as _timeline_key
from auroravault.meta.dynamodb.store import DynamoMetaStore

__all__ = ["MAX_CONCURRENCY", "DynamoMetaStore"]
