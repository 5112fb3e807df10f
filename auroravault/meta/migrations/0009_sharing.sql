-- Sharing (issue 14): album members, partner sharing, and uploads straight into an album.

-- The album a batch's photos join once they are listed (``POST /uploads {album_id}``).
ALTER TABLE batches ADD COLUMN album_id TEXT;

-- A user an album is shared with, and their role. The owner is never a member. Members go
-- with their album (``ON DELETE CASCADE``).
CREATE TABLE album_members (
    album_id TEXT NOT NULL REFERENCES albums(id) ON DELETE CASCADE,
    user_id  TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    role     TEXT NOT NULL CHECK (role IN ('admin', 'contributor', 'viewer')),
    added_by TEXT NOT NULL,
    added_at TEXT NOT NULL,
    PRIMARY KEY (album_id, user_id)
);
-- The albums shared with a user, newest first, keyset by (added_at, album_id).
CREATE INDEX album_members_user ON album_members(user_id, added_at, album_id);

-- Partner sharing: ``owner_id`` shares their library with ``partner_id``, one way.
CREATE TABLE partners (
    owner_id    TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    partner_id  TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    in_timeline INTEGER NOT NULL DEFAULT 0,
    created_at  TEXT NOT NULL,
    PRIMARY KEY (owner_id, partner_id)
);
CREATE INDEX partners_partner ON partners(partner_id, owner_id);
