-- The library: trash, per-viewer flags, tombstones of deleted photos and the change feed.

-- Trash state and media type as real columns (the listings filter on them).
ALTER TABLE photos ADD COLUMN media_type TEXT NOT NULL DEFAULT 'image';
ALTER TABLE photos ADD COLUMN trashed_at TEXT;   -- owner's trash; NULL when not trashed
ALTER TABLE photos ADD COLUMN deleting_at TEXT;  -- permanent deletion started
CREATE INDEX photos_trash ON photos(owner_id, trashed_at, id) WHERE trashed_at IS NOT NULL;

-- Each viewer's own favorite and archive marks.
CREATE TABLE photo_flags (
    user_id    TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    photo_id   TEXT NOT NULL REFERENCES photos(id) ON DELETE CASCADE,
    favorite   INTEGER NOT NULL DEFAULT 0,
    archived   INTEGER NOT NULL DEFAULT 0,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (user_id, photo_id)
);
CREATE INDEX photo_flags_photo ON photo_flags(photo_id);

-- What permanent deletion leaves: the hash, so clients do not upload it again unasked.
CREATE TABLE tombstones (
    photo_id   TEXT PRIMARY KEY,
    owner_id   TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    sha256     TEXT NOT NULL,
    deleted_at TEXT NOT NULL
);
CREATE INDEX tombstones_owner_sha ON tombstones(owner_id, sha256);

-- The change feed of each viewing user: written in the same transaction as the change.
CREATE TABLE changes (
    seq        INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id    TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    photo_id   TEXT NOT NULL,
    kind       TEXT NOT NULL,  -- changed | flags | trashed | restored | deleted
    at         TEXT NOT NULL
);
CREATE INDEX changes_user ON changes(user_id, seq);
