-- Families (issue 14): a group of accounts, their memberships and pending invitations.

CREATE TABLE families (
    id       TEXT PRIMARY KEY,
    owner_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    data     TEXT NOT NULL  -- the whole Family record as JSON
);

-- One row per member; the primary key on user_id is the "one family per user" rule.
CREATE TABLE family_members (
    user_id     TEXT PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
    family_id   TEXT NOT NULL REFERENCES families(id) ON DELETE CASCADE,
    role        TEXT NOT NULL,
    quota_bytes INTEGER,
    joined_at   TEXT NOT NULL
);
CREATE INDEX family_members_family ON family_members(family_id, joined_at, user_id);

-- At most one invitation per (family, email); token_hash is NULL until the email is sent.
CREATE TABLE family_invites (
    id         TEXT PRIMARY KEY,
    family_id  TEXT NOT NULL REFERENCES families(id) ON DELETE CASCADE,
    email      TEXT NOT NULL,
    token_hash TEXT UNIQUE,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    data       TEXT NOT NULL,  -- the whole Invite record as JSON
    UNIQUE (family_id, email)
);
