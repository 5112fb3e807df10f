-- Users, sessions, photos, batches, uploads, counters and jobs.
-- Times are ISO 8601 UTC strings of fixed width (timeutil.to_iso): they sort as text.

CREATE TABLE users (
    id            TEXT PRIMARY KEY,
    email         TEXT NOT NULL UNIQUE,
    display_name  TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    is_admin      INTEGER NOT NULL DEFAULT 0,
    quota_bytes   INTEGER NOT NULL,
    used_bytes    INTEGER NOT NULL DEFAULT 0 CHECK (used_bytes >= 0),
    created_at    TEXT NOT NULL
);

CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    user_id    TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);
CREATE INDEX sessions_user ON sessions(user_id);

CREATE TABLE counters (
    key          TEXT PRIMARY KEY,
    count        INTEGER NOT NULL,
    window_end   TEXT NOT NULL
);

CREATE TABLE photos (
    id              TEXT PRIMARY KEY,
    owner_id        TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    status          TEXT NOT NULL CHECK (status IN ('pending', 'processing', 'ready', 'failed')),
    sha256          TEXT NOT NULL,
    sort_at         TEXT NOT NULL,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    data            TEXT NOT NULL  -- the whole Photo record as JSON
);
-- One photo per owner and content: the heart of de-duplication.
CREATE UNIQUE INDEX photos_owner_sha ON photos(owner_id, sha256);
-- The keyset timeline: (sort_at, id) per owner.
CREATE INDEX photos_timeline ON photos(owner_id, sort_at, id);

CREATE TABLE batches (
    id         TEXT PRIMARY KEY,
    owner_id   TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);

CREATE TABLE uploads (
    id            TEXT PRIMARY KEY,
    batch_id      TEXT NOT NULL REFERENCES batches(id),
    owner_id      TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    photo_id      TEXT NOT NULL,
    idx           INTEGER NOT NULL,
    state         TEXT NOT NULL CHECK (state IN ('pending', 'processing', 'rejected', 'expired')),
    next_check_at TEXT NOT NULL,
    created_at    TEXT NOT NULL,
    data          TEXT NOT NULL  -- the whole Upload record as JSON
);
CREATE INDEX uploads_batch ON uploads(batch_id, idx);
CREATE INDEX uploads_owner_state ON uploads(owner_id, state, created_at);
CREATE INDEX uploads_due ON uploads(state, next_check_at);

CREATE TABLE jobs (
    id          TEXT PRIMARY KEY,
    kind        TEXT NOT NULL,
    state       TEXT NOT NULL CHECK (state IN ('queued', 'running', 'done', 'dead')),
    run_at      TEXT NOT NULL,
    lease_until TEXT,
    lease_owner TEXT,
    dedupe_key  TEXT UNIQUE,
    updated_at  TEXT NOT NULL,
    data        TEXT NOT NULL  -- the whole Job record as JSON
);
CREATE INDEX jobs_due ON jobs(state, run_at);
CREATE INDEX jobs_lease ON jobs(state, lease_until);
